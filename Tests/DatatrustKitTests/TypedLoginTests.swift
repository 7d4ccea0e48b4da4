import DataMarketTesting
import Foundation
import Testing
import DatatrustKit
import LedgerCore

/// The EIP-712 login beside the EIP-191 one: a wallet's `eth_signTypedData_v4` over
/// ``Datatrust/loginTypedData(datatrust:nonce:expires:)`` buys a token, once.
@Suite struct TypedLoginTests {
    typealias Vector = EIP712Vector

    static func vector() throws -> Vector {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/eip712-login.json")
        struct File: Decodable { let login: Vector }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).login
    }

    @Test func anEthAccountTypedLoginBuysATokenOnce() async throws {
        let v = try Self.vector()
        let nonce = try #require(v.typedData.message["nonce"]?.stringValue)
        let expires = Int64(try #require(v.typedData.message["expires"]?.uint64Value))
        let name = try #require(v.typedData.message["datatrust"]?.stringValue)
        // The library builds exactly the typed data eth-account signed, and hashes it the same way.
        let typed = Datatrust.loginTypedData(datatrust: name, nonce: nonce, expires: expires)
        #expect(typed == v.typedData)
        #expect(try typed.domainSeparator().hex == v.domainSeparator)
        #expect(try typed.messageHash().hex == v.messageHash)
        #expect(try typed.signingDigest().hex == v.digest)

        let f = try Fixture(); defer { f.folder.cleanup() }
        #expect(f.datatrust.configuration.name == name)
        let store = try SQLiteStore(path: f.folder.url.appendingPathComponent("login.sqlite").path)
        let datatrust = Datatrust(configuration: f.datatrust.configuration, vault: f.datatrust.vault, store: store, chain: f.chain,
                                  clock: { expires - 60 })
        try await store.saveNonce(try Hex.decode(nonce), expires: expires)
        let request = TokenRequest(address: v.signer, nonce: nonce, signature: v.signature)
        let grant = try await datatrust.issueToken(request)
        #expect(grant.address == (try Address(v.signer)))
        #expect(try await datatrust.authenticate(bearer: grant.token) == grant.address)
        await #expect(throws: DatatrustError.self) { try await datatrust.issueToken(request) }  // the nonce is spent
    }

    @Test func aTypedLoginForAnotherDatatrustOrByAnotherKeyIsRefused() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let challenge = try await f.datatrust.makeNonce()
        let foreign = Datatrust.loginTypedData(datatrust: "other-datatrust", nonce: challenge.nonce, expires: challenge.expires)
        let r1 = TokenRequest(address: f.owner.address.checksummed, nonce: challenge.nonce,
                              signature: f.owner.sign(digest: try foreign.signingDigest()).hex)
        await #expect { try await f.datatrust.issueToken(r1) } throws: { error in
            guard case .unauthenticated(let reason) = error as? DatatrustError else { return false }
            return reason.contains("expected \(f.owner.address.checksummed)")
        }
        let c2 = try await f.datatrust.makeNonce()
        let own = Datatrust.loginTypedData(datatrust: c2.datatrust, nonce: c2.nonce, expires: c2.expires)
        let r2 = TokenRequest(address: f.owner.address.checksummed, nonce: c2.nonce, signature: f.stranger.sign(digest: try own.signingDigest()).hex)
        await #expect(throws: DatatrustError.self) { try await f.datatrust.issueToken(r2) }
        // The owner's own typed signature over a fresh challenge works, as does EIP-191 still.
        let c3 = try await f.datatrust.makeNonce()
        let typed = Datatrust.loginTypedData(datatrust: c3.datatrust, nonce: c3.nonce, expires: c3.expires)
        let grant = try await f.datatrust.issueToken(TokenRequest(address: f.owner.address.checksummed, nonce: c3.nonce,
                                                            signature: f.owner.sign(digest: try typed.signingDigest()).hex))
        #expect(grant.address == f.owner.address)
        let c4 = try await f.datatrust.makeNonce()
        let personal = try await f.datatrust.issueToken(TokenRequest(address: f.owner.address.checksummed, nonce: c4.nonce,
                                                               signature: f.owner.signPersonalMessage(c4.message).hex))
        #expect(personal.address == f.owner.address)
    }
}
