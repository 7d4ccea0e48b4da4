import DataMarketTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import DatatrustKit
import LedgerCore
import MarketKit

/// Jobs are refused for what is actually wrong with them, `/query/cost` refuses what `/query`
/// refuses, and market ids follow the chain's rule (dashes included).
@Suite struct JobRefusalTests {
    func seedOpen(_ f: Fixture, _ client: some TestClientProtocol) async throws {
        let data = Fixture.csv(rows: 3, seed: 7)
        await f.list(data, market: Fixture.openMarket, by: f.owner)
        let r = try await client.call(.post, "/markets/open/datapoints", token: try await client.login(f.owner), body: data)
        #expect(r.status == 201)
    }

    @Test func usedUpForeignAndExpiredJobsAreNotCalledMissing() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            try await seedOpen(f, client)
            let token = try await client.login(f.buyer)
            func query(_ job: UInt64) async throws -> (status: Int, detail: String) {
                let r = try await client.call(.post, "/query", token: token, json: QueryRequest(markets: [Fixture.openMarket], sql: "SELECT count(*) FROM open", jobs: ["open": job]))
                return (r.status, errorDetail(r.body))
            }
            let missing = try await query(40)
            #expect(missing.status == 403 && missing.detail.contains("job 40 does not exist on chain"))

            await f.chain.setJob(market: Fixture.openMarket, id: 41, buyer: f.stranger.address, amount: 100)
            let foreign = try await query(41)
            #expect(foreign.status == 403 && foreign.detail.contains("was paid by \(f.stranger.address.checksummed)"))
            #expect(!foreign.detail.contains("does not exist"))

            let otherTrust = Address(unchecked: Array(repeating: 0x77, count: 20))
            await f.chain.setJob(market: Fixture.openMarket, id: 42, buyer: f.buyer.address, amount: 100, backend: otherTrust)
            let elsewhere = try await query(42)
            #expect(elsewhere.status == 403 && elsewhere.detail.contains("paid to datatrust \(otherTrust.checksummed)"))

            await f.chain.setJob(market: Fixture.openMarket, id: 43, buyer: f.buyer.address, amount: 100, expired: true)
            let expired = try await query(43)
            #expect(expired.status == 409 && expired.detail.contains("passed its report deadline"))

            await f.chain.setJob(market: Fixture.openMarket, id: 44, buyer: f.buyer.address, amount: 100)
            #expect(try await query(44).status == 200)
            let used = try await query(44)
            #expect(used.status == 409 && used.detail.contains("job 44 is used up"))
            #expect(!used.detail.contains("does not exist"))
        }
    }

    @Test func aPaidJobDoesNotOpenAnApplicationsDataToABuyer() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            let data = Fixture.csv(rows: 2, seed: 11)
            let hash = Keccak256.hash(data)
            await f.list(data, market: Fixture.openMarket, by: f.owner, state: .applied)
            #expect(try await client.call(.post, "/markets/open/datapoints", token: try await client.login(f.owner), body: data).status == 201)
            await f.chain.setJob(market: Fixture.openMarket, id: 5, buyer: f.buyer.address, amount: 1000)
            let token = try await client.login(f.buyer)
            let refused = try await client.call(.get, "/markets/open/datapoints/\(hash.hex)?job=5", token: token)
            #expect(refused.status == 403 && errorDetail(refused.body).contains("no listing that is listed"))
            // Nor does a query read it; once listed, both do, and the usage names the listing.
            let query = QueryRequest(markets: [Fixture.openMarket], sql: "SELECT count(*) FROM open", jobs: ["open": 5])
            let none = try decode(QueryResult.self, try await client.call(.post, "/query", token: token, json: query).body)
            #expect(none.rows == [[.integer(0)]] && none.listingsRead["open"] == [])
            await f.list(data, market: Fixture.openMarket, by: f.owner, state: .listed)
            await f.chain.setJob(market: Fixture.openMarket, id: 6, buyer: f.buyer.address, amount: 1000)
            #expect(try await client.call(.get, "/markets/open/datapoints/\(hash.hex)?job=6", token: token).body == data)
            #expect(await f.chain.usage.last?.listings == [hash])
        }
    }

    @Test func costRefusesWhatQueryRefuses() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            try await seedOpen(f, client)
            let token = try await client.login(f.buyer)
            // Raw SQL on a market that allows only aggregates: both refuse, 403.
            let sqlOnHeart = QueryRequest(markets: [Fixture.heartMarket], sql: "SELECT * FROM heart", jobs: ["heart": 1])
            await f.chain.setJob(market: Fixture.heartMarket, id: 1, buyer: f.buyer.address, amount: 1_000_000)
            #expect(try await client.call(.post, "/query", token: token, json: sqlOnHeart).status == 403)
            let cost = try await client.call(.post, "/query/cost", json: sqlOnHeart)
            #expect(cost.status == 403 && errorDetail(cost.body).contains("only differentially private aggregates"))

            // A used-up job: both 409. Someone else's job: both 403 (cost when the caller is known).
            let count = { (job: UInt64) in QueryRequest(markets: [Fixture.openMarket], sql: "SELECT count(*) FROM open", jobs: ["open": job]) }
            await f.chain.setJob(market: Fixture.openMarket, id: 2, buyer: f.buyer.address, amount: 100)
            #expect(try await client.call(.post, "/query", token: token, json: count(2)).status == 200)
            #expect(try await client.call(.post, "/query", token: token, json: count(2)).status == 409)
            #expect(try await client.call(.post, "/query/cost", json: count(2)).status == 409)
            await f.chain.setJob(market: Fixture.openMarket, id: 3, buyer: f.stranger.address, amount: 100)
            #expect(try await client.call(.post, "/query", token: token, json: count(3)).status == 403)
            #expect(try await client.call(.post, "/query/cost", token: token, json: count(3)).status == 403)
            // A job not paid yet is quoted (a buyer asks before paying).
            let ahead = try await client.call(.post, "/query/cost", json: count(99))
            #expect(ahead.status == 200)
            #expect(try decode(CostQuote.self, ahead.body).items.first?.rows == 3)
        }
    }

    @Test func aMarketIDWithADashIsServedAndQueriedByItsQuotedName() async throws {
        let dashed = try MarketID("heart-1")
        let f = try Fixture(extraMarkets: [MarketConfiguration(market: dashed, schema: Fixture.heartSchema, allowRawSQL: true, epsilonBudget: "1", baseCost: 1, costPerRow: 0)])
        defer { f.folder.cleanup() }
        try await f.app.test(.router) { client in
            let data = Fixture.csv(rows: 4, seed: 3)
            await f.list(data, market: dashed, by: f.owner)
            let added = try await client.call(.post, "/markets/heart-1/datapoints", token: try await client.login(f.owner), body: data)
            #expect(added.status == 201, "\(errorDetail(added.body))")
            #expect(try await client.call(.get, "/markets/heart-1/schema").status == 200)
            await f.chain.setJob(market: dashed, id: 1, buyer: f.buyer.address, amount: 10)
            let r = try await client.call(.post, "/query", token: try await client.login(f.buyer),
                                          json: QueryRequest(markets: [dashed], sql: "SELECT count(*) FROM \"heart-1\"", jobs: ["heart-1": 1]))
            #expect(r.status == 200, "\(errorDetail(r.body))")
            #expect(try decode(QueryResult.self, r.body).rows == [[.integer(4)]])
            // An id the chain refuses is refused here too, naming the rule.
            let bad = try await client.call(.get, "/markets/heart_1/schema")
            #expect(bad.status == 400 && errorDetail(bad.body).contains("1–20 of a–z, 0–9, -"))
        }
    }

    @Test func openAPIMarketPatternIsTheChainsRule() throws {
        let document = try #require(DatatrustServer.openAPIDocument())
        let text = try #require(String(bytes: document, encoding: .utf8))
        let patterns = Set(text.components(separatedBy: "\"pattern\": \"").dropFirst().compactMap { $0.components(separatedBy: "\"").first }
            .filter { $0.hasPrefix("^[a-z]") })
        #expect(patterns.count == 1, "one market pattern: \(patterns)")
        let pattern = try #require(patterns.first)
        let regex = try NSRegularExpression(pattern: pattern)
        let samples = ["heart", "heart-1", "cancer-data", "a", "a-", "x1-2-3", String(repeating: "a", count: 20), String(repeating: "a", count: 21),
                       "Heart", "heart_1", "1heart", "-heart", "", "héart", "heart 1"]
        for sample in samples {
            let matches = regex.firstMatch(in: sample, range: NSRange(sample.startIndex..., in: sample)) != nil
            #expect(matches == ((try? MarketID(sample)) != nil), "\(sample)")
        }
    }
}
