import DatatrustKit
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerCore
import ModelHostKit
import Testing
import NIOFoundationCompat

/// The model host accepts the datatrust's EIP-712 login beside the EIP-191 one, so a web page
/// logs a MetaMask user in with one `eth_signTypedData_v4`.
@Suite struct ModelHostTypedLoginTests {
    func challenge(_ client: some TestClientProtocol) async throws -> HostChallenge {
        try await client.execute(uri: "/auth/nonce", method: .post) { r in
            try JSONDecoder().decode(HostChallenge.self, from: Data(buffer: r.body))
        }
    }

    func token(_ client: some TestClientProtocol, _ request: TokenRequest) async throws -> (HTTPResponse.Status, Data) {
        let body = try JSONEncoder().encode(request)
        return try await client.execute(uri: "/auth/token", method: .post, body: ByteBuffer(bytes: body)) { r in
            (r.status, Data(buffer: r.body))
        }
    }

    @Test func aTypedLoginOverHTTPBuysATokenOnceThatAuthenticatesTheSigner() async throws {
        let f = try HostFixture()
        let user = f.users[0]
        let app = Application(router: ModelHostServer.router(for: f.host))
        try await app.test(.router) { client in
            let c = try await challenge(client)
            // The typed data is built from the challenge's fields alone, with the host's name.
            let typed = f.host.loginTypedData(nonce: c.nonce, expires: c.expires)
            #expect(typed == Datatrust.loginTypedData(datatrust: c.host, nonce: c.nonce, expires: c.expires))
            #expect(typed.message["datatrust"]?.stringValue == "test-host")
            let request = TokenRequest(address: user.address.checksummed, nonce: c.nonce,
                                       signature: user.sign(digest: try typed.signingDigest()).hex)
            let (status, body) = try await token(client, request)
            #expect(status == .ok)
            let grant = try JSONDecoder().decode(HostToken.self, from: body)
            #expect(grant.address == user.address.checksummed)
            #expect(try await f.host.authenticate(bearer: grant.token) == user.address)
            // The nonce is spent: the same signed request does not buy a second token.
            let (again, reason) = try await token(client, request)
            #expect(again == .unauthorized)
            #expect(String(decoding: reason, as: UTF8.self).contains("already used"))
        }
    }

    @Test func aTypedLoginForAnotherHostOrByAnotherKeyIsRefusedAndEIP191StillWorks() async throws {
        let f = try HostFixture()
        let user = f.users[1]
        let c1 = await f.host.makeNonce()
        let foreign = Datatrust.loginTypedData(datatrust: "other-host", nonce: c1.nonce, expires: c1.expires)
        let foreignRequest = TokenRequest(address: user.address.checksummed, nonce: c1.nonce,
                                          signature: user.sign(digest: try foreign.signingDigest()).hex)
        let refused = await #expect(throws: ModelHostError.self) { try await f.host.issueToken(foreignRequest) }
        guard case .unauthenticated(let reason)? = refused else { Issue.record("expected unauthenticated, got \(String(describing: refused))"); return }
        #expect(reason.contains("expected \(user.address.checksummed)") && reason.contains("EIP-712"))
        let c2 = await f.host.makeNonce()
        let own = f.host.loginTypedData(nonce: c2.nonce, expires: c2.expires)
        let strangerRequest = TokenRequest(address: user.address.checksummed, nonce: c2.nonce,
                                           signature: f.users[2].sign(digest: try own.signingDigest()).hex)
        await #expect(throws: ModelHostError.self) { try await f.host.issueToken(strangerRequest) }
        // An expired nonce is refused even with a correct typed signature.
        let c3 = await f.host.makeNonce()
        let late = f.host.loginTypedData(nonce: c3.nonce, expires: c3.expires)
        f.clock.advance(UInt64(c3.expires) - f.clock.now + 1)
        let lateRequest = TokenRequest(address: user.address.checksummed, nonce: c3.nonce,
                                       signature: user.sign(digest: try late.signingDigest()).hex)
        let expired = await #expect(throws: ModelHostError.self) { try await f.host.issueToken(lateRequest) }
        guard case .unauthenticated(let lateReason)? = expired else { Issue.record("expected unauthenticated, got \(String(describing: expired))"); return }
        #expect(lateReason.contains("expired"))
        let c4 = await f.host.makeNonce()
        let personal = try await f.host.issueToken(TokenRequest(address: user.address.checksummed, nonce: c4.nonce,
                                                                signature: user.signPersonalMessage(c4.message).hex))
        #expect(personal.address == user.address.checksummed)
    }
}
