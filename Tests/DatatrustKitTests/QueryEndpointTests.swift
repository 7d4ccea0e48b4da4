import DataMarketTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import DatatrustKit
import LedgerCore
import MarketKit

@Suite struct QueryEndpointTests {
    /// Adds `count` datapoints of 10 rows each to `market`, owned by `f.owner`; returns their hashes.
    func seed(_ f: Fixture, _ client: some TestClientProtocol, market: MarketID, count: Int) async throws -> [Hash32] {
        let token = try await client.login(f.owner)
        var hashes: [Hash32] = []
        for i in 0..<count {
            let data = Fixture.csv(rows: 10, seed: UInt64(100 + i))
            await f.list(data, market: market, by: f.owner)
            let r = try await client.call(.post, "/markets/\(market.slug)/datapoints", token: token, body: data)
            #expect(r.status == 201)
            hashes.append(Keccak256.hash(data))
        }
        return hashes.sorted()
    }

    @Test func paidSQLQueryReturnsRowsAndReportsTheListingsRead() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            let hashes = try await seed(f, client, market: Fixture.openMarket, count: 3)
            let token = try await client.login(f.buyer)
            let all = QueryRequest(markets: [Fixture.openMarket], sql: "SELECT count(*), min(age) >= 20 FROM open", jobs: ["open": 1])
            let cost = try decode(CostQuote.self, try await client.call(.post, "/query/cost", json: all).body)
            #expect(cost.total == 10)
            #expect(try await client.call(.post, "/query", token: token, json: all).status == 403)
            await f.chain.setJob(market: Fixture.openMarket, id: 1, buyer: f.buyer.address, amount: 10)
            let r = try await client.call(.post, "/query", token: token, json: all)
            #expect(r.status == 200)
            let result = try decode(QueryResult.self, r.body)
            #expect(result.rows == [[.integer(30), .integer(1)]])
            #expect(result.listingsRead["open"] == hashes)
            #expect(result.usageReports["open"] == "0xusage1")
            // One row: exactly one listing's rows were examined.
            await f.chain.setJob(market: Fixture.openMarket, id: 2, buyer: f.buyer.address, amount: 10)
            let one = try decode(QueryResult.self, try await client.call(.post, "/query", token: token,
                json: QueryRequest(markets: [Fixture.openMarket], sql: "SELECT age FROM open LIMIT 1", jobs: ["open": 2])).body)
            #expect(one.listingsRead["open"]?.count == 1)
            let usage = await f.chain.usage
            #expect(usage.map(\.job) == [1, 2])
            // The job cannot be reused.
            #expect(try await client.call(.post, "/query", token: token, json: all).status == 409)
        }
    }

    @Test func sqlThatWritesOrEscapesTheSandboxIsRefusedAndChargesNothing() async throws {
        let f = try Fixture(limits: QueryLimits(maxResultRows: 100, maxMilliseconds: 300)); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            _ = try await seed(f, client, market: Fixture.openMarket, count: 1)
            let token = try await client.login(f.buyer)
            await f.chain.setJob(market: Fixture.openMarket, id: 5, buyer: f.buyer.address, amount: 10)
            let refused: [(String, Int)] = [
                ("INSERT INTO open VALUES (1, 2, 1, 'benign', '')", 400),
                ("DELETE FROM open", 400),
                ("SELECT * FROM _rows_open", 400),
                ("SELECT sql FROM sqlite_master", 400),
                ("SELECT _dt_touch(0, 0)", 400),
                ("ATTACH DATABASE '/tmp/x.db' AS x", 400),
                ("PRAGMA query_only = 0", 400),
                ("SELECT 1; DROP TABLE open", 400),
                ("SELECT load_extension('/tmp/evil')", 400),
                ("SELECT age FROM open", 422),  // 10 rows fit; see below for the row cap
                ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", 422),
                ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 500) SELECT x FROM c", 422),
            ]
            for (sql, status) in refused where !(sql == "SELECT age FROM open") {
                let r = try await client.call(.post, "/query", token: token, json: QueryRequest(markets: [Fixture.openMarket], sql: sql, jobs: ["open": 5]))
                #expect(r.status == status, "\(sql): \(String(decoding: r.body, as: UTF8.self))")
            }
            #expect(try await f.datatrust.store.isJobUsed(market: Fixture.openMarket, job: 5) == false)
            #expect(await f.chain.usage.isEmpty)
            let ok = try await client.call(.post, "/query", token: token, json: QueryRequest(markets: [Fixture.openMarket], sql: "SELECT age FROM open", jobs: ["open": 5]))
            #expect(ok.status == 200)
        }
    }

    @Test func aggregatesAreNoisyNearTheTruthAndEpsilonIsStatedInAdvance() async throws {
        let f = try Fixture(budget: "100"); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            _ = try await seed(f, client, market: Fixture.heartMarket, count: 2)
            let token = try await client.login(f.buyer)
            await f.chain.setPrice(2)
            let sql = QueryRequest(markets: [Fixture.heartMarket], sql: "SELECT * FROM heart", jobs: ["heart": 1])
            #expect(try await client.call(.post, "/query/epsilon", json: sql).status == 422)
            await f.chain.setJob(market: Fixture.heartMarket, id: 1, buyer: f.buyer.address, amount: 10_000)
            #expect(try await client.call(.post, "/query", token: token, json: sql).status == 403)

            let count = QueryRequest(markets: [Fixture.heartMarket], aggregate: AggregateQuery(kind: .count, epsilon: "10"), jobs: ["heart": 1])
            let eps = try decode(EpsilonQuote.self, try await client.call(.post, "/query/epsilon", token: token, json: count).body)
            #expect(eps.milliEpsilon == 10_000)
            #expect(eps.remaining == ["heart": "100"])
            let cost = try decode(CostQuote.self, try await client.call(.post, "/query/cost", json: count).body)
            #expect(cost.total == UInt256(20_120)) // base 100 + 20 rows × 1 + 10 000 milli-epsilon × price 2
            await f.chain.setJob(market: Fixture.heartMarket, id: 1, buyer: f.buyer.address, amount: 20_120)
            let r = try decode(QueryResult.self, try await client.call(.post, "/query", token: token, json: count).body)
            guard case .integer(let noisy)? = r.rows.first?.first else { Issue.record("no count"); return }
            #expect(abs(noisy - 20) <= 10) // scale 0.1: |noise| > 10 has probability ~e^-100
            #expect(r.privacy?.sensitivity == "1")

            let kinds: [AggregateQuery] = [
                AggregateQuery(kind: .sum, column: "age", epsilon: "50"),
                AggregateQuery(kind: .mean, column: "chol", lower: 100, upper: 400, epsilon: "20"),
                AggregateQuery(kind: .histogram, column: "diagnosis", filters: [.init(column: "smoker", op: "=", value: .integer(1))], epsilon: "10"),
            ]
            for (i, aggregate) in kinds.enumerated() {
                let job = UInt64(10 + i)
                await f.chain.setJob(market: Fixture.heartMarket, id: job, buyer: f.buyer.address, amount: 1_000_000)
                let res = try await client.call(.post, "/query", token: token, json: QueryRequest(markets: [Fixture.heartMarket], aggregate: aggregate, jobs: ["heart": job]))
                #expect(res.status == 200, "\(String(decoding: res.body, as: UTF8.self))")
            }
            #expect(try await f.datatrust.store.epsilonSpent(by: f.buyer.address, market: Fixture.heartMarket) == 90_000)
            // Text columns have no sound histogram; missing bounds have no sensitivity.
            let text = QueryRequest(markets: [Fixture.heartMarket], aggregate: AggregateQuery(kind: .histogram, column: "note", epsilon: "1"))
            #expect(try await client.call(.post, "/query/epsilon", json: text).status == 422)
        }
    }

    @Test func exhaustedBudgetIsRefusedWith403AndConsumesNothing() async throws {
        let f = try Fixture(budget: "1"); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            _ = try await seed(f, client, market: Fixture.heartMarket, count: 1)
            let token = try await client.login(f.buyer)
            for job in UInt64(1)...3 {
                await f.chain.setJob(market: Fixture.heartMarket, id: job, buyer: f.buyer.address, amount: 1000)
            }
            func ask(_ job: UInt64) async throws -> (status: Int, body: [UInt8]) {
                try await client.call(.post, "/query", token: token, json: QueryRequest(markets: [Fixture.heartMarket], aggregate: AggregateQuery(kind: .count, epsilon: "0.6"), jobs: ["heart": job]))
            }
            #expect(try await ask(1).status == 200)
            let refused = try await ask(2)
            #expect(refused.status == 403)
            #expect(errorCode(refused.body) == "epsilon_budget_exhausted")
            #expect(errorDetail(refused.body).contains("budget in market heart is 1, 0.6 spent, this query needs 0.6"))
            #expect(try await f.datatrust.store.isJobUsed(market: Fixture.heartMarket, job: 2) == false)
            #expect(try await f.datatrust.store.epsilonSpent(by: f.buyer.address, market: Fixture.heartMarket) == 600)
            let smaller = try await client.call(.post, "/query", token: token, json: QueryRequest(markets: [Fixture.heartMarket], aggregate: AggregateQuery(kind: .count, epsilon: "0.4"), jobs: ["heart": 2]))
            #expect(smaller.status == 200)
        }
    }

    @Test func failedUsageReportIsQueuedAndRetried() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            _ = try await seed(f, client, market: Fixture.openMarket, count: 2)
            await f.chain.setFailReports(true)
            await f.chain.setJob(market: Fixture.openMarket, id: 3, buyer: f.buyer.address, amount: 10)
            let r = try decode(QueryResult.self, try await client.call(.post, "/query", token: try await client.login(f.buyer),
                json: QueryRequest(markets: [Fixture.openMarket], sql: "SELECT count(*) FROM open", jobs: ["open": 3])).body)
            #expect(r.usageReports.isEmpty)
            let queued = try await f.datatrust.store.pendingOutbox(dueAt: nil)
            #expect(queued.count == 1)
            #expect(queued.first?.attempts == 1)
            await f.chain.setFailReports(false)
            // Backed off: not retried before its time, then reported once.
            #expect(await f.datatrust.flushOutbox().included == 0)
            f.clock.advance(2)
            #expect(await f.datatrust.flushOutbox() == Datatrust.OutboxPass(included: 1, alreadyDone: 0, postponed: 0, pending: 0))
            #expect(try await f.datatrust.store.pendingOutbox(dueAt: nil).isEmpty)
            #expect(await f.chain.usage.count == 1)
            #expect(await f.chain.usage.first?.listings.count == 2)
        }
    }
}

@Suite struct ServerContractTests {
    @Test func everyRouteIsInTheOpenAPIDocumentAndViceVersa() throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let bytes = try #require(DatatrustServer.openAPIDocument())
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var documented: Set<String> = []
        for (path, methods) in paths { for method in methods.keys { documented.insert("\(method.uppercased()) \(path)") } }
        // What the router really serves: the generated handlers and the document itself.
        let routed = Set(DatatrustServer.router(for: f.datatrust).routes.map { "\($0.method) \($0.path)" })
        #expect(routed.count == 11)
        #expect(documented == routed)
        let info = try #require(doc["info"] as? [String: Any])
        #expect((info["description"] as? String)?.contains("DataMarket datatrust login\\ndatatrust: <datatrust name>\\nnonce: 0x<64 hex>\\nexpires: <unix seconds>") == true)
    }

    @Test func servesTheCommittedDocumentMarketsSchemasAndJSON404s() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            let doc = try await client.call(.get, "/openapi.json")
            #expect(doc.status == 200 && doc.body == DatatrustServer.openAPIDocument())
            let markets = try decode([MarketSummary].self, try await client.call(.get, "/markets").body)
            #expect(markets.map(\.market.slug) == ["heart", "open"])
            #expect(try decode(MarketSchema.self, try await client.call(.get, "/markets/heart/schema").body) == Fixture.heartSchema)
            let missing = try await client.call(.get, "/markets/nope/schema")
            #expect(missing.status == 404 && errorCode(missing.body) == "not_found")
            let nowhere = try await client.call(.get, "/no/such/path")
            #expect(nowhere.status == 404 && errorCode(nowhere.body) == "not_found")
        }
    }

    @Test func rateLimitPerTokenAnswers429() async throws {
        let f = try Fixture(rate: 5); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            let token = try await client.login(f.owner) // 2 anonymous requests
            var statuses: [Int] = []
            for _ in 0..<6 { statuses.append(try await client.call(.get, "/markets", token: token).status) }
            #expect(statuses == [200, 200, 200, 200, 200, 429])
            #expect(try await client.call(.get, "/markets").status == 200) // another key
            f.clock.advance(60)
            #expect(try await client.call(.get, "/markets", token: token).status == 200)
        }
    }

    @Test func loopbackSmokeTestOverARealSocket() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let app = Application(router: DatatrustServer.router(for: f.datatrust), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let r = try await client.call(.get, "/markets")
            #expect(r.status == 200)
            let token = try await client.login(f.owner)
            #expect(token.count == 66)
        }
    }
}
