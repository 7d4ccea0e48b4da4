import DataMarketTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DatatrustKit
import LedgerCore

@Suite struct AuthenticationTests {
    @Test func loginIssuesATokenThatAuthenticatesTheSigner() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            let token = try await client.login(f.owner)
            #expect(try await f.datatrust.authenticate(bearer: token) == f.owner.address)
            let r = try await client.call(.post, "/markets/heart/datapoints", token: "0x" + String(repeating: "ab", count: 32), body: [1])
            #expect(r.status == 401)
            #expect(errorCode(r.body) == "unauthenticated")
        }
    }

    @Test func replayedExpiredForeignAndForgedLoginsAreRefused() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            func challenge() async throws -> NonceChallenge { try decode(NonceChallenge.self, try await client.call(.post, "/auth/nonce").body) }
            // Replay: the same signed nonce twice.
            let c1 = try await challenge()
            let good = TokenRequest(address: f.owner.address.checksummed, nonce: c1.nonce, signature: f.owner.signPersonalMessage(c1.message).hex)
            #expect(try await client.call(.post, "/auth/token", json: good).status == 200)
            let replay = try await client.call(.post, "/auth/token", json: good)
            #expect(replay.status == 401)
            #expect(errorDetail(replay.body).contains("already used"))
            // Expired nonce.
            let c2 = try await challenge()
            f.clock.advance(301)
            let late = try await client.call(.post, "/auth/token", json: TokenRequest(address: f.owner.address.checksummed, nonce: c2.nonce, signature: f.owner.signPersonalMessage(c2.message).hex))
            #expect(late.status == 401)
            #expect(errorDetail(late.body).contains("expired"))
            // A signature over the same nonce for another datatrust.
            let c3 = try await challenge()
            let foreign = Datatrust.loginMessage(datatrust: "other-datatrust", nonce: c3.nonce, expires: c3.expires)
            let r3 = try await client.call(.post, "/auth/token", json: TokenRequest(address: f.owner.address.checksummed, nonce: c3.nonce, signature: f.owner.signPersonalMessage(foreign).hex))
            #expect(r3.status == 401)
            // Forged: signed by the stranger, claiming the owner's address.
            let c4 = try await challenge()
            let r4 = try await client.call(.post, "/auth/token", json: TokenRequest(address: f.owner.address.checksummed, nonce: c4.nonce, signature: f.stranger.signPersonalMessage(c4.message).hex))
            #expect(r4.status == 401)
            #expect(errorDetail(r4.body).contains("made by \(f.stranger.address.checksummed)"))
            // Malformed JSON and fields.
            #expect(try await client.call(.post, "/auth/token", body: Array("{not json".utf8)).status == 400)
            let bad = try await client.call(.post, "/auth/token", json: TokenRequest(address: "0x1234", nonce: c4.nonce, signature: "0x00"))
            #expect(bad.status == 400)
        }
    }

    @Test func expiredTokenIsRefused() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            let token = try await client.login(f.owner)
            f.clock.advance(901)
            let r = try await client.call(.get, "/markets/heart/datapoints/0x" + String(repeating: "00", count: 32), token: token)
            #expect(r.status == 401)
            #expect(errorDetail(r.body).contains("expired"))
        }
    }

    /// Signature made by eth-account 0.14.0 (Python 3.11.7) for the fixed key 0x4c0883a6…2318 (the
    /// key of eth-account's documentation), over the login message below:
    /// `Account.sign_message(encode_defunct(text=message), key).signature.hex()`.
    @Test func ethAccountSignatureLogsIn() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let nonce = "0x" + String(repeating: "5a", count: 32)
        let expires: Int64 = 1_750_000_300
        let message = Datatrust.loginMessage(datatrust: "datatrust-test", nonce: nonce, expires: expires)
        #expect(message == "DataMarket datatrust login\ndatatrust: datatrust-test\nnonce: \(nonce)\nexpires: 1750000300")
        try await f.datatrust.store.saveNonce(try Hex.decode(nonce), expires: expires)
        let grant = try await f.datatrust.issueToken(TokenRequest(address: EthAccountVector.address, nonce: nonce, signature: EthAccountVector.signature))
        #expect(grant.address.checksummed == EthAccountVector.address)
    }
}

/// The eth-account vector (see ``AuthenticationTests/ethAccountSignatureLogsIn()``).
enum EthAccountVector {
    static let address = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
    static let signature = "0x1a4603a03f1bfbbeac7b804f39102884c1f8bc27e2fa1706c8021bd23ff6e9a07087e4077ff45e2f6c46333e14a510e5c00a76348d5949de1cffea45aa7c1ada1c"
}

@Suite struct DatapointEndpointTests {
    @Test func addChecksTheChainTheSchemaAndDuplicates() async throws {
        let f = try Fixture(maxBody: 4096); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 5, seed: 1)
        try await f.app.test(.router) { client in
            let token = try await client.login(f.owner)
            #expect(try await client.call(.post, "/markets/heart/datapoints", body: data).status == 401)
            let unlisted = try await client.call(.post, "/markets/heart/datapoints", token: token, body: data)
            #expect(unlisted.status == 403)
            #expect(errorDetail(unlisted.body).contains("neither applied for nor listed"))
            await f.list(data, by: f.stranger)
            let foreign = try await client.call(.post, "/markets/heart/datapoints", token: token, body: data)
            #expect(foreign.status == 403)
            await f.list(data, by: f.owner, state: .applied)
            let added = try await client.call(.post, "/markets/heart/datapoints", token: token, body: data)
            #expect(added.status == 201)
            let result = try decode(AddResult.self, added.body)
            #expect(result.dataHash == Keccak256.hash(data))
            #expect(result.rows == 5)
            #expect(await f.chain.attestations == [Keccak256.hash(data)])
            #expect(try await client.call(.post, "/markets/heart/datapoints", token: token, body: data).status == 409)
            #expect(try await client.call(.post, "/markets/nowhere/datapoints", token: token, body: data).status == 404)
            #expect(try await client.call(.post, "/markets/Bad-Name/datapoints", token: token, body: data).status == 400)
            let big = [UInt8](repeating: 0x41, count: 5000)
            let tooBig = try await client.call(.post, "/markets/heart/datapoints", token: token, body: big)
            #expect(tooBig.status == 413)
            #expect(errorCode(tooBig.body) == "payload_too_large")
        }
    }

    @Test func malformedDatapointIsRefusedNamingRowAndColumn() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = Array("age,chol,smoker,diagnosis,note\n40,200,true,benign,\n41,abc,false,benign,\n".utf8)
        try await f.asOwner(listing: data) { client, token in
            let r = try await client.call(.post, "/markets/heart/datapoints", token: token, body: data)
            #expect(r.status == 422)
            #expect(errorDetail(r.body) == "row 2, column chol: \"abc\" is not a number")
            #expect(try f.datatrust.vault.storedHashes().isEmpty)
            #expect(await f.chain.attestations.isEmpty)
        }
    }

    @Test func getServesOwnerCouncilAndPaidBuyersOnly() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 3, seed: 2)
        let hash = Keccak256.hash(data)
        await f.chain.addCouncil(f.councillor.address)
        try await f.asOwner(listing: data, adding: true) { client, ownerToken in
            let uri = "/markets/heart/datapoints/\(hash.hex)"
            #expect(try await client.call(.get, uri, token: ownerToken).body == data)
            #expect(try await client.call(.get, uri, token: try await client.login(f.councillor)).body == data)
            let buyerToken = try await client.login(f.buyer)
            let refused = try await client.call(.get, uri, token: buyerToken)
            #expect(refused.status == 403)
            // A job paid by someone else, an underpaid job, then a good one.
            await f.chain.setJob(market: Fixture.heartMarket, id: 7, buyer: f.stranger.address, amount: 1000)
            #expect(try await client.call(.get, uri + "?job=7", token: buyerToken).status == 403)
            await f.chain.setJob(market: Fixture.heartMarket, id: 8, buyer: f.buyer.address, amount: 50)
            let under = try await client.call(.get, uri + "?job=8", token: buyerToken)
            #expect(under.status == 403)
            #expect(errorDetail(under.body).contains("paid 50, this request costs 103"))
            await f.chain.setJob(market: Fixture.heartMarket, id: 9, buyer: f.buyer.address, amount: 103)
            #expect(try await client.call(.get, uri + "?job=9", token: buyerToken).body == data)
            let usage = await f.chain.usage
            #expect(usage.count == 1 && usage.first?.job == 9 && usage.first?.listings == [hash])
            #expect(try await client.call(.get, uri + "?job=9", token: buyerToken).status == 409)
            #expect(try await client.call(.get, uri + "?job=x", token: buyerToken).status == 400)
            #expect(try await client.call(.get, "/markets/heart/datapoints/0x1234", token: buyerToken).status == 400)
            #expect(try await client.call(.get, "/markets/heart/datapoints/0x" + String(repeating: "00", count: 32), token: ownerToken).status == 404)
        }
    }

    @Test func removeWaitsForTheChainAndTheOwner() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 2, seed: 3)
        let hash = Keccak256.hash(data)
        try await f.asOwner(listing: data, adding: true) { client, token in
            let uri = "/markets/heart/datapoints/\(hash.hex)"
            let early = try await client.call(.delete, uri, token: token)
            #expect(early.status == 409)
            #expect(errorDetail(early.body).contains("still listed"))
            await f.list(data, by: f.owner, state: .removed)
            #expect(try await client.call(.delete, uri, token: try await client.login(f.stranger)).status == 403)
            #expect(try await client.call(.delete, uri, token: token).status == 200)
            #expect(!f.datatrust.vault.contains(hash))
            #expect(try await client.call(.get, uri, token: token).status == 404)
            #expect(try await client.call(.delete, uri, token: token).status == 404)
        }
    }

    @Test func tamperedFileIsServedAsIntegrityErrorNeverAsData() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 4, seed: 4)
        let hash = Keccak256.hash(data)
        try await f.asOwner(listing: data, adding: true) { client, token in
            let url = URL(fileURLWithPath: f.datatrust.vault.path(for: hash).file)
            var bytes = try Data(contentsOf: url)
            bytes[bytes.count / 2] ^= 0x80
            try bytes.write(to: url)
            let r = try await client.call(.get, "/markets/heart/datapoints/\(hash.hex)", token: token)
            #expect(r.status == 500)
            #expect(errorCode(r.body) == "integrity_error")
        }
    }

    @Test func plaintextNeverReachesAnyFileUnderTheDatatrustFolder() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let marker = "MARKER-\(UUID().uuidString)"
        let data = Fixture.csv(rows: 50, seed: 5, note: marker)
        await f.chain.setJob(market: Fixture.openMarket, id: 1, buyer: f.buyer.address, amount: 1000)
        try await f.asOwner(listing: data, market: Fixture.openMarket, adding: true) { client, token in
            let q = QueryRequest(markets: [Fixture.openMarket], sql: "SELECT note, count(*) FROM open GROUP BY note ORDER BY 2", jobs: ["open": 1])
            let r = try await client.call(.post, "/query", token: try await client.login(f.buyer), json: q)
            #expect(r.status == 200)
            #expect(contains(r.body, Array(marker.utf8)))
        }
        let files = allFiles(under: f.folder.url)
        #expect(files.contains { $0.lastPathComponent.hasSuffix("-wal") })
        #expect(files.contains { $0.pathExtension == "dtv" })
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: file))
            #expect(!contains(bytes, Array(marker.utf8)), "marker found in \(file.path)")
            #expect(!contains(bytes, Array("age,chol,smoker".utf8)), "CSV header found in \(file.path)")
        }
    }
}
