import DataMarketTesting
import Foundation
import Testing
@testable import DatatrustKit
import LedgerCore
import MarketKit

/// The outbox and the backend's signing against a real chain in a block store folder, opened
/// twice as two servers on one home would.
@Suite struct ChainOutboxTests {
    /// A market "cancer" on a file-backed chain with `backend` authorised and `owners` funded.
    struct Setup {
        let folder: TempFolder
        let chain: Chain
        let clock: ManualClock
        let backend: PrivateKey
        let owners: [PrivateKey]
        let buyer: PrivateKey
        let id: MarketKit.MarketID

        init(owners count: Int) throws {
            folder = TempFolder()
            let creator = try ChainIntegrationTests.key(1)
            backend = try ChainIntegrationTests.key(50)
            buyer = try ChainIntegrationTests.key(60)
            owners = try (0..<count).map { try ChainIntegrationTests.key(UInt8(100 + $0)) }
            let council = try (10..<13).map { try ChainIntegrationTests.key(UInt8($0)) }
            let dmt = try TokenID("DMT")
            clock = ManualClock(1_700_000_000)
            let everyone = [creator, backend, buyer] + council + owners
            chain = try Chain.create(genesis: GenesisConfig(chainID: 5, timestamp: 1_700_000_000, tokens: [
                .init(symbol: dmt, name: "DataMarket Token", balances: everyone.map { .init(account: $0.address, amount: tokens(1_000_000)) }),
            ]), modules: [MarketModule.self], store: try FileBlockStore(folder: folder.url.appendingPathComponent("chain")), clock: clock, snapshotInterval: 0)
            id = try MarketKit.MarketID("cancer")
            let t = tokens
            let parameters = cancerMarketParameters()
            try chain.send(MarketModule.Call.create(market: id, tokenName: "Cancer", networkToken: dmt, parameters: parameters), to: MarketModule.self, from: creator)
            for k in council { try chain.send(MarketModule.Call.invest(market: id, offered: t(10), minTokensOut: 0), to: MarketModule.self, from: k) }
            try chain.send(MarketModule.Call.proposeBackend(market: id, url: "http://127.0.0.1:8080", address: backend.address), to: MarketModule.self, from: creator)
            let poll = try chain.state(of: MarketModule.self).market(id).nextPollID - 1
            for k in council { try chain.send(MarketModule.Call.vote(market: id, poll: poll, yea: true), to: MarketModule.self, from: k) }
            try chain.warp(by: 600)
            try chain.send(MarketModule.Call.resolve(market: id, poll: poll), to: MarketModule.self, from: buyer)
        }

        /// The same chain opened again from its folder (another process's view of it).
        func reopen() throws -> Chain {
            try Chain.open(store: try FileBlockStore(folder: folder.url.appendingPathComponent("chain")), modules: [MarketModule.self], clock: clock, snapshotInterval: 0)
        }

        func apply(_ data: [UInt8], by owner: PrivateKey) throws {
            try chain.send(MarketModule.Call.apply(market: id, dataHash: Keccak256.hash(data)), to: MarketModule.self, from: owner)
        }
    }

    @Test func twoServersOnOneHomeTakeTurnsForTheBackendsNonce() async throws {
        let s = try Setup(owners: 12); defer { s.folder.cleanup() }
        let datapoints = s.owners.enumerated().map { Fixture.csv(rows: 1, seed: UInt64(500 + $0.offset)) }
        for (owner, data) in zip(s.owners, datapoints) { try s.apply(data, by: owner) }
        // Two servers, each with its own view of the same block store, signing with one key at once.
        let first = ChainMarketView(chain: s.chain, backend: s.backend)
        let second = ChainMarketView(chain: try s.reopen(), backend: s.backend)
        let market = try MarketID("cancer")
        let failures = await withTaskGroup(of: String?.self) { group in
            for (i, data) in datapoints.enumerated() {
                let view = i % 2 == 0 ? first : second
                group.addTask {
                    do { _ = try await view.attestHolding(market: market, dataHash: Keccak256.hash(data)); return nil } catch { return "\(error)" }
                }
            }
            var out: [String] = []
            for await failure in group { if let failure { out.append(failure) } }
            return out
        }
        #expect(failures.isEmpty, "\(failures)")
        try s.chain.refresh()
        let listings = try s.chain.state(of: MarketModule.self).market(s.id).listings
        #expect(listings.values.filter { $0.attestedBy == s.backend.address }.count == datapoints.count)
        #expect(s.chain.nonce(of: s.backend.address) == UInt64(datapoints.count))
    }

    @Test func afterACrashEveryAttestationAndReportReachesTheChainExactlyOnce() async throws {
        let s = try Setup(owners: 2); defer { s.folder.cleanup() }
        let market = try MarketID("cancer")
        let config = DatatrustConfiguration(name: "dt", markets: [MarketConfiguration(market: market, schema: Fixture.heartSchema, allowRawSQL: true)])
        let vault = try Vault(folder: s.folder.url.appendingPathComponent("vault"), masterKey: .generate(), syncWrites: false)
        let indexPath = s.folder.url.appendingPathComponent("index.sqlite").path
        let view = ChainMarketView(chain: s.chain, backend: s.backend)
        let clock: @Sendable () -> Int64 = { [chain = s.chain] in Int64(chain.state.timestamp) }
        let before = Datatrust(configuration: config, vault: vault, store: try SQLiteStore(path: indexPath), chain: view, clock: clock)
        let a = Fixture.csv(rows: 3, seed: 601), b = Fixture.csv(rows: 4, seed: 602)
        try s.apply(a, by: s.owners[0])
        try s.apply(b, by: s.owners[1])
        // a: stored and committed, the process dies before submitting. b: submitted and included,
        // the process dies before settling the entry.
        for (data, owner) in [(a, s.owners[0]), (b, s.owners[1])] {
            try vault.put(data)
            try await before.store.insert(DatapointRecord(market: market, dataHash: Keccak256.hash(data), owner: owner.address,
                                                    size: Int64(data.count), rowCount: 1, created: clock()))
        }
        _ = try await view.attestHolding(market: market, dataHash: Keccak256.hash(b))
        let nonceAfterB = s.chain.nonce(of: s.backend.address)

        let after = Datatrust(configuration: config, vault: vault, store: try SQLiteStore(path: indexPath), chain: ChainMarketView(chain: try s.reopen(), backend: s.backend), clock: clock)
        #expect(await after.flushOutbox() == Datatrust.OutboxPass(included: 1, alreadyDone: 1, postponed: 0, pending: 0))
        try s.chain.refresh()
        #expect(s.chain.nonce(of: s.backend.address) == nonceAfterB + 1)
        let listings = try s.chain.state(of: MarketModule.self).market(s.id).listings
        #expect(listings.values.allSatisfy { $0.attestedBy == s.backend.address })

        // A paid job's usage report committed with the charge, included, then the crash again.
        try s.chain.send(MarketModule.Call.payForCompute(market: s.id, listings: nil, maxPrice: tokens(9), backend: s.backend.address),
                         to: MarketModule.self, from: s.buyer)
        let job = try s.chain.state(of: MarketModule.self).market(s.id).nextJobID - 1
        try await after.store.charge([QueryCharge(market: market, job: job, milliEpsilon: 0, budgetMilliEpsilon: 0, listings: [])], buyer: s.buyer.address, now: clock())
        _ = try await view.reportUsage(market: market, job: job, listings: [])
        let nonce = s.chain.nonce(of: s.backend.address)
        #expect(await after.flushOutbox() == Datatrust.OutboxPass(included: 0, alreadyDone: 1, postponed: 0, pending: 0))
        #expect(s.chain.nonce(of: s.backend.address) == nonce)
        #expect(try await after.store.pendingOutbox(dueAt: nil).isEmpty)
    }
}
