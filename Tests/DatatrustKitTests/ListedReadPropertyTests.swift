import DataMarketTesting
import Foundation
import Testing
import DatatrustKit
import LedgerCore
import MarketKit

/// Property: over random markets on a real in-process chain (listings listed, pending,
/// rejected, exited, challenged away, exited after the job was paid; several whole-market and
/// per-listing jobs), a paid query reads exactly the rows of the listings listed when it runs
/// and covered by its job, and the owners are paid, in total, exactly the access costs of the
/// listings read.
@Suite struct ListedReadPropertyTests {
    enum Fate: CaseIterable { case listed, pending, rejected, exited, challengedAway, exitsAfterPayment }

    struct Owner {
        let key: PrivateKey
        let data: [UInt8]
        let rows: Int
        let fate: Fate
        var listing: Hash32 { Listing.id(applicant: key.address, dataHash: Keccak256.hash(data)) }
    }

    static func key(_ n: UInt8) throws -> PrivateKey { try PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [n]) }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func queryReadsExactlyListedCoveredRowsAndOwnersArePaidTheirAccessCosts(seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let creator = try Self.key(1), backend = try Self.key(2), buyer = try Self.key(3), challenger = try Self.key(4)
        let council = try (10..<13).map { try Self.key(UInt8($0)) }
        // Every fate at least once, then a few random ones.
        var fates = Fate.allCases
        for _ in 0..<(2 + Int(rng.next() % 4)) { fates.append(Fate.allCases[Int(rng.next() % UInt64(Fate.allCases.count))]) }
        var owners: [Owner] = []
        for (i, fate) in fates.enumerated() {
            let rows = 1 + Int(rng.next() % 4)
            owners.append(Owner(key: try Self.key(UInt8(40 + i)), data: Fixture.csv(rows: rows, seed: seed &* 1000 &+ UInt64(i)), rows: rows, fate: fate))
        }
        let dmt = try TokenID("DMT")
        let everyone = [creator, backend, buyer, challenger] + council + owners.map(\.key)
        let chain = try Chain.create(genesis: GenesisConfig(chainID: 5, timestamp: 1_700_000_000, tokens: [
            .init(symbol: dmt, name: "DataMarket Token", balances: everyone.map { .init(account: $0.address, amount: tokens(1_000_000)) }),
        ]), modules: [MarketModule.self], snapshotInterval: 0)
        let id = try MarketKit.MarketID("cancer")
        func send(_ call: MarketModule.Call, _ key: PrivateKey) throws { try chain.send(call, to: MarketModule.self, from: key) }
        func market() throws -> Market { try chain.state(of: MarketModule.self).market(id) }
        func lastPoll() throws -> UInt64 { try market().nextPollID - 1 }
        func vote(_ poll: UInt64, _ yea: Bool) throws { for k in council { try send(.vote(market: id, poll: poll, yea: yea), k) } }
        let parameters = cancerMarketParameters(jobTimeout: 6000)
        try send(.create(market: id, tokenName: "Cancer Market Token", networkToken: dmt, parameters: parameters), creator)
        for k in council { try send(.invest(market: id, offered: tokens(10), minTokensOut: 0), k) }
        try send(.proposeBackend(market: id, url: "http://127.0.0.1:8080", address: backend.address), creator)
        try vote(try lastPoll(), true)
        try chain.warp(by: 600)
        try send(.resolve(market: id, poll: try lastPoll()), creator)

        let tmp = TempFolder(); defer { tmp.cleanup() }
        let marketID = try MarketKit.MarketID("cancer")
        let datatrust = Datatrust(
            configuration: DatatrustConfiguration(name: "dt", address: backend.address, markets: [
                MarketConfiguration(market: marketID, schema: Fixture.heartSchema, allowRawSQL: true, epsilonBudget: "5", baseCost: 0, costPerRow: 0),
            ]),
            vault: try Vault(folder: tmp.url.appendingPathComponent("vault"), masterKey: .generate(), syncWrites: false),
            store: try SQLiteStore(path: tmp.url.appendingPathComponent("index.sqlite").path),
            chain: ChainMarketView(chain: chain, backend: backend),
            clock: { Int64(chain.state.timestamp) })

        // Every owner applies and uploads while applied; the council decides.
        var polls: [Int: UInt64] = [:]
        for (i, owner) in owners.enumerated() {
            try send(.apply(market: id, dataHash: Keccak256.hash(owner.data)), owner.key)
            polls[i] = try lastPoll()
            _ = try await datatrust.addDatapoint(owner.data, market: "cancer", caller: owner.key.address)
        }
        for (i, owner) in owners.enumerated() where owner.fate != .pending {
            try vote(polls[i] ?? 0, owner.fate != .rejected)
        }
        try chain.warp(by: 600)
        for (i, owner) in owners.enumerated() where owner.fate != .pending { try send(.resolve(market: id, poll: polls[i] ?? 0), creator) }
        var challenges: [UInt64] = []
        for owner in owners {
            switch owner.fate {
            case .exited: try send(.exit(market: id, listing: owner.listing), owner.key)
            case .challengedAway:
                try send(.challenge(market: id, listing: owner.listing), challenger)
                challenges.append(try lastPoll())
            default: break
            }
            if [.listed, .exitsAfterPayment].contains(owner.fate) {
                try send(.setAccessCost(market: id, listing: owner.listing, cost: milli(1 + rng.next() % 500)), owner.key)
            }
        }
        for poll in challenges { try vote(poll, true) }
        try chain.warp(by: 600)
        for poll in challenges { try send(.resolve(market: id, poll: poll), creator) }
        for owner in owners {
            let l = try market().listings[owner.listing]
            switch owner.fate {
            case .listed, .exitsAfterPayment: #expect(l?.listed == true)
            case .pending: #expect(l?.listed == false)
            case .rejected, .exited, .challengedAway: #expect(l == nil || l?.listed == false)
            }
        }

        // Several jobs: whole-market and random subsets of the listed listings.
        let listedNow = owners.filter { [.listed, .exitsAfterPayment].contains($0.fate) }
        var coverage: [[Hash32]?] = [nil]
        for _ in 0..<2 {
            let subset = listedNow.filter { _ in rng.next() % 2 == 0 }.map(\.listing)
            coverage.append(subset.isEmpty ? listedNow.prefix(1).map(\.listing) : subset)
        }
        coverage.append(nil)
        var jobs: [UInt64] = []
        for listings in coverage {
            try send(.payForCompute(market: id, listings: listings, maxPrice: tokens(1000), backend: backend.address), buyer)
            jobs.append(try market().nextJobID - 1)
        }
        for owner in owners where owner.fate == .exitsAfterPayment { try send(.exit(market: id, listing: owner.listing), owner.key) }

        // Each job: the rows read are those of listings listed now and covered; owners get Σ access costs.
        for (job, listings) in zip(jobs, coverage) {
            let covered = owners.filter { $0.fate == .listed && (listings?.contains($0.listing) ?? true) }
            let costs = try covered.map { try #require(try market().listings[$0.listing]).effectiveAccessCost(try market().parameters) }
            let expectedPaid = try costs.reduce(UInt256.zero) { try $0 + $1 }
            let before = owners.map { chain.state.ledger.balance(of: $0.key.address, in: dmt) }
            let result = try await datatrust.runQuery(
                QueryRequest(markets: [marketID], sql: "SELECT age, note FROM cancer", jobs: ["cancer": job]), caller: buyer.address)
            #expect(result.rows.count == covered.reduce(0) { $0 + $1.rows }, "seed \(seed) job \(job)")
            #expect(result.listingsRead["cancer"] == covered.map { Keccak256.hash($0.data) }.sorted(), "seed \(seed) job \(job)")
            #expect(result.usageReports["cancer"] != nil)
            let after = owners.map { chain.state.ledger.balance(of: $0.key.address, in: dmt) }
            var received = UInt256.zero
            for (i, owner) in owners.enumerated() {
                let delta = try after[i] - before[i]
                received = try received + delta
                if !covered.contains(where: { $0.listing == owner.listing }) { #expect(delta == .zero, "\(owner.fate) owner paid for job \(job)") }
            }
            #expect(received == expectedPaid, "seed \(seed) job \(job)")
        }
    }
}
