import DataMarketTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DatatrustKit
import LedgerCore

/// Rate limits keyed on what the server verified, and the smaller HTTP defects: 405, 413 for
/// chunked bodies, no server paths in errors, a case-insensitive `Bearer`.
@Suite struct ServerHardeningTests {
    func liveApp(_ f: Fixture) -> some ApplicationProtocol {
        Application(router: DatatrustServer.router(for: f.datatrust), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Test func oneClientFloodingTenTimesTheLimitDoesNotGetAnotherRefused() async throws {
        let limit = 20
        let f = try Fixture(rate: limit); defer { f.folder.cleanup() }
        try await liveApp(f).test(.live) { client in
            let port = try #require(client.port)
            // The victim logs in from 127.0.0.1 first (two anonymous requests of its own budget).
            let token = try await client.login(f.owner)
            // The attacker, anonymous, from 127.0.0.2: random bearer tokens and schemes do not buy fresh budgets.
            var rng = SplitMix64(seed: 7)
            var refused = 0
            for i in 0..<(10 * limit) {
                let header = i % 3 == 0 ? "" : "\r\nAuthorization: \(i % 2 == 0 ? "Bearer" : "bearer") 0x\(rng.bytes(32).map { String(format: "%02x", $0) }.joined())"
                let r = try await RawHTTP.send(port: port, from: "127.0.0.2", head: "POST /auth/nonce HTTP/1.1\(header)\r\nContent-Length: 0")
                if r.status == 429 { refused += 1 }
            }
            #expect(refused == 9 * limit)
            // Another anonymous client, and the logged-in victim, are served.
            let other = try await RawHTTP.send(port: port, from: "127.0.0.3", head: "POST /auth/nonce HTTP/1.1\r\nContent-Length: 0")
            #expect(other.status == 200)
            for _ in 0..<5 { #expect(try await client.call(.get, "/markets", token: token).status == 200) }
            // The victim's budget is its own: it too is refused past the limit, and so only it.
            var victim: [Int] = []
            for _ in 0..<limit { victim.append(try await client.call(.get, "/markets", token: token).status) }
            #expect(victim.filter { $0 == 429 }.count == 5 + 2 - 2)
            #expect(try await RawHTTP.send(port: port, from: "127.0.0.4", head: "GET /markets HTTP/1.1").status == 200)
        }
    }

    @Test func bearerSchemeIsCaseInsensitive() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            let token = try await client.login(f.owner)
            for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
                let r = try await client.execute(uri: "/query/epsilon", method: .post, headers: [.authorization: "\(scheme) \(token)"],
                                                 body: ByteBuffer(bytes: Array(#"{"markets":["heart"],"aggregate":{"kind":"count","epsilon":"0.5"}}"#.utf8))) {
                    (Int($0.status.code), String(buffer: $0.body))
                }
                #expect(r.0 == 200, "\(scheme): \(r.1)")
                #expect(r.1.contains("remaining"), "\(scheme): \(r.1)")
            }
            let wrong = try await client.execute(uri: "/query/epsilon", method: .post, headers: [.authorization: "Basic \(token)"],
                                                 body: ByteBuffer(bytes: Array(#"{"markets":["heart"],"aggregate":{"kind":"count","epsilon":"0.5"}}"#.utf8))) { Int($0.status.code) }
            #expect(wrong == 401)
        }
    }

    @Test func unknownMethodOnAKnownPathIs405WithAllow() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            let hash = Keccak256.hash([1]).hex
            let r = try await client.execute(uri: "/markets/heart/datapoints/\(hash)", method: .put) { ($0.status.code, $0.headers[.allow], String(buffer: $0.body)) }
            #expect(r.0 == 405)
            #expect(r.1 == "GET, DELETE")
            #expect(r.2.contains("method_not_allowed"))
            #expect(try await client.call(.delete, "/markets").status == 405)
            #expect(try await client.call(.get, "/markets/heart/nothing").status == 404)
        }
    }

    @Test func aChunkedBodyOverTheLimitIs413() async throws {
        let f = try Fixture(maxBody: 1000); defer { f.folder.cleanup() }
        try await liveApp(f).test(.live) { client in
            let port = try #require(client.port)
            let token = try await client.login(f.owner)
            var body: [UInt8] = []
            for _ in 0..<4 { body += Array("1f4\r\n".utf8) + [UInt8](repeating: 0x41, count: 500) + Array("\r\n".utf8) }
            body += Array("0\r\n\r\n".utf8)
            let r = try await RawHTTP.send(port: port, from: "127.0.0.1",
                                     head: "POST /markets/heart/datapoints HTTP/1.1\r\nAuthorization: Bearer \(token)\r\nTransfer-Encoding: chunked", body: body)
            #expect(r.status == 413)
            #expect(r.body.contains("payload_too_large"))
        }
    }

    @Test func internalErrorsDoNotShowServerPaths() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 1, seed: 81)
        await f.list(data, by: f.owner)
        _ = try await f.datatrust.addDatapoint(data, market: "heart", caller: f.owner.address)
        // Damage the store: the object's file becomes a folder, so reading it fails with an I/O error naming the path.
        let file = f.datatrust.vault.path(for: Keccak256.hash(data)).file
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.createDirectory(atPath: file, withIntermediateDirectories: false)
        try await f.app.test(.router) { client in
            let token = try await client.login(f.owner)
            let r = try await client.call(.get, "/markets/heart/datapoints/\(Keccak256.hash(data).hex)", token: token)
            #expect(r.status == 500)
            let detail = errorDetail(r.body)
            #expect(!detail.contains(f.folder.url.path), "\(detail)")
            #expect(!detail.contains("/objects/"), "\(detail)")
            #expect(detail.contains(".dtv"), "\(detail)")
        }
        #expect(DatatrustServer.withoutServerPaths("cannot open /var/lib/dt/index.sqlite: locked") == "cannot open <…>/index.sqlite: locked")
        #expect(DatatrustServer.withoutServerPaths("see /openapi.json") == "see /openapi.json")
    }

    @Test func theIndexIsReadableByItsOwnerOnly() throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let path = f.folder.url.appendingPathComponent("index.sqlite").path
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aConfigNeedsOnlyNameAndMarketsEverythingElseDefaults() throws {
        let json = #"{"name": "dt", "markets": [{"market": "heart", "schema": {"format": "csv", "columns": [{"name": "age", "type": "integer"}]}}]}"#
        let config = try JSONDecoder().decode(DatatrustConfiguration.self, from: Data(json.utf8))
        let schema = MarketSchema(format: .csv, columns: [.init(name: "age", type: .integer)])
        #expect(config == DatatrustConfiguration(name: "dt", markets: [MarketConfiguration(market: Fixture.heartMarket, schema: schema)]))
        // What `init` writes (every key filled) reads back the same.
        let full = try JSONEncoder().encode(config)
        #expect(try JSONDecoder().decode(DatatrustConfiguration.self, from: full) == config)
        #expect(String(decoding: full, as: UTF8.self).contains("orphanGracePeriod"))
        let partial = #"{"name": "dt", "markets": [], "limits": {"maxResultRows": 5}, "rateLimitRequests": 9}"#
        let read = try JSONDecoder().decode(DatatrustConfiguration.self, from: Data(partial.utf8))
        #expect(read.limits == QueryLimits(maxResultRows: 5) && read.rateLimitRequests == 9 && read.tokenLifetime == 900)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DatatrustConfiguration.self, from: Data(#"{"markets": []}"#.utf8)) }
    }
}
