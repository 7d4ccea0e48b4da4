import DataMarketTesting
import Foundation
import Testing
import DatatrustKit
import LedgerCore
import MarketKit

/// A paid-query round on a real in-process chain with MarketKit: apply, datatrust attests on
/// ADD, council lists, buyer pays a job, the datatrust runs the query and reports usage, and the
/// listing owner is paid and rewarded on chain.
@Suite struct ChainIntegrationTests {
    static func key(_ n: UInt8) throws -> PrivateKey { try PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [n]) }

    @Test func paidQueryReportsUsageAndRewardsOwnersOnChain() async throws {
        let creator = try Self.key(1), owner = try Self.key(30), backend = try Self.key(50), buyer = try Self.key(60)
        let council = try (10..<13).map { try Self.key(UInt8($0)) }
        let dmt = try TokenID("DMT")
        let everyone = [creator, owner, backend, buyer] + council
        let chain = try Chain.create(genesis: GenesisConfig(chainID: 5, timestamp: 1_700_000_000, tokens: [
            .init(symbol: dmt, name: "DataMarket Token", balances: everyone.map { .init(account: $0.address, amount: tokens(1_000_000)) }),
        ]), modules: [MarketModule.self], snapshotInterval: 0)
        let id = try MarketKit.MarketID("cancer")
        func send(_ call: MarketModule.Call, _ key: PrivateKey) throws { try chain.send(call, to: MarketModule.self, from: key) }
        func lastPoll() throws -> UInt64 { try chain.state(of: MarketModule.self).market(id).nextPollID - 1 }
        func decide(_ poll: UInt64) throws {
            for k in council { try send(.vote(market: id, poll: poll, yea: true), k) }
            try chain.warp(by: 600)
            try send(.resolve(market: id, poll: poll), buyer)
        }
        let parameters = cancerMarketParameters()
        try send(.create(market: id, tokenName: "Cancer Market Token", networkToken: dmt, parameters: parameters), creator)
        for k in council { try send(.invest(market: id, offered: tokens(10), minTokensOut: 0), k) }
        try send(.proposeBackend(market: id, url: "http://127.0.0.1:8080", address: backend.address), creator)
        try decide(try lastPoll())

        // The datatrust, backed by the chain.
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let market = try MarketKit.MarketID("cancer")
        let datatrust = Datatrust(
            configuration: DatatrustConfiguration(name: backend.address.checksummed, address: backend.address, markets: [
                MarketConfiguration(market: market, schema: Fixture.heartSchema, allowRawSQL: true, epsilonBudget: "5"),
            ]),
            vault: try Vault(folder: tmp.url.appendingPathComponent("vault"), masterKey: .generate(), syncWrites: false),
            store: try SQLiteStore(path: tmp.url.appendingPathComponent("index.sqlite").path),
            chain: ChainMarketView(chain: chain, backend: backend),
            clock: { Int64(chain.state.timestamp) })

        // The owner applies, uploads (the datatrust attests), the council lists.
        let data = Fixture.csv(rows: 25, seed: 9)
        let dataHash = Keccak256.hash(data)
        try send(.apply(market: id, dataHash: dataHash), owner)
        let poll = try lastPoll()
        _ = try await datatrust.addDatapoint(data, market: "cancer", caller: owner.address)
        let listingID = Listing.id(applicant: owner.address, dataHash: dataHash)
        #expect(try chain.state(of: MarketModule.self).market(id).listings[listingID]?.attestedBy == backend.address)
        try decide(poll)
        #expect(try chain.state(of: MarketModule.self).market(id).listings[listingID]?.listed == true)

        // A stranger's upload of data nobody applied for is refused and changes nothing on chain.
        await #expect(throws: DatatrustError.self) { try await datatrust.addDatapoint(Fixture.csv(rows: 1, seed: 1), market: "cancer", caller: owner.address) }

        // The buyer pays a whole-market job, runs a query; usage is reported and the owner paid.
        try send(.payForCompute(market: id, listings: nil, maxPrice: tokens(9), backend: backend.address), buyer)
        let job = try chain.state(of: MarketModule.self).market(id).nextJobID - 1
        let marketToken = id.tokenSymbol
        let ownerDMT = chain.state.ledger.balance(of: owner.address, in: dmt)
        let ownerMKT = chain.state.ledger.balance(of: owner.address, in: marketToken)
        let backendDMT = chain.state.ledger.balance(of: backend.address, in: dmt)
        let result = try await datatrust.runQuery(
            QueryRequest(markets: [market], sql: "SELECT diagnosis, count(*) FROM cancer GROUP BY diagnosis ORDER BY diagnosis", jobs: ["cancer": job]),
            caller: buyer.address)
        #expect(result.rows.count == 2)
        #expect(result.listingsRead["cancer"] == [dataHash])
        #expect(result.usageReports["cancer"] != nil)
        #expect(try chain.state(of: MarketModule.self).market(id).jobs[job] == nil)
        #expect(chain.state.ledger.balance(of: owner.address, in: dmt) > ownerDMT)
        #expect(try chain.state.ledger.balance(of: owner.address, in: marketToken) == ownerMKT + tokens(1))
        #expect(chain.state.ledger.balance(of: backend.address, in: dmt) > backendDMT)
        #expect(try chain.verify().blocks > 0)

        // The reported job cannot be used again.
        await #expect(throws: DatatrustError.self) {
            try await datatrust.runQuery(QueryRequest(markets: [market], sql: "SELECT 1", jobs: ["cancer": job]), caller: buyer.address)
        }
    }
}
