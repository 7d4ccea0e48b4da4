import DataMarketTesting
import Foundation
import Testing
@testable import LedgerCore

/// The same blocks give the same state and receipts, whatever the instance, store or order.
@Suite struct ChainDeterminismTests {
    let alice = Fixture.alice, bob = Fixture.bob, carol = Fixture.carol, dmt = Fixture.dmt
    static let modules: [any ChainModule.Type] = [VaultModule.self, IntruderModule.self]

    /// A chain with tokens, an NFT, an escrow and a stream moved across several blocks.
    func busyChain(store: any BlockStore = InMemoryBlockStore(), snapshotInterval: UInt64 = 1000) throws -> Chain {
        let chain = try Chain.create(genesis: Fixture.genesis(), modules: Self.modules, store: store,
                                     clock: ManualClock(Fixture.start), snapshotInterval: snapshotInterval)
        try chain.send(.transfer(token: dmt, to: carol.address, amount: 500), to: LedgerModule.self, from: alice)
        try chain.send(.open(token: dmt), to: VaultModule.self, from: bob)
        try chain.send(.deposit(escrow: 1, amount: 300), to: VaultModule.self, from: bob)
        try chain.send(.openStream(payee: carol.address, token: dmt, amount: 1000, start: Fixture.start + 10, end: Fixture.start + 110), to: LedgerModule.self, from: alice)
        try chain.send(.mintNFT(draft: NFTDraft(kind: .data, contentHash: Keccak256.hash([1]), metadata: ["b": "2", "a": "1"]), to: nil), to: LedgerModule.self, from: carol)
        try chain.warp(by: 55)
        try chain.send(.claimStream(id: 1), to: LedgerModule.self, from: carol)
        try chain.send(.release(escrow: 1, to: carol.address, amount: 120), to: VaultModule.self, from: alice)
        try chain.send(.approve(token: dmt, spender: bob.address, amount: 77), to: LedgerModule.self, from: carol)
        return chain
    }

    @Test func replayingTheBlocksFromGenesisGivesTheSameStateAndReceipts() throws {
        let chain = try busyChain()
        let blocks = try chain.blocks()
        let fresh = InMemoryBlockStore()
        try fresh.initialize(genesis: Fixture.genesis(), block: blocks[0])
        for block in blocks.dropFirst() { try fresh.append(block) }
        let replayed = try Chain.open(store: fresh, modules: Self.modules, clock: ManualClock(Fixture.start))
        #expect(try replayed.stateHash() == chain.stateHash())
        #expect(replayed.state.ledger == chain.state.ledger)
        // Re-executing gives byte-identical receipts (replay checks each against the stored one).
        var (state, _) = try Fixture.genesis().build()
        for block in blocks.dropFirst() { try Chain.replay(block, on: &state, registry: chain.registry, chainID: 7) }
        #expect(try state.stateHash(registry: chain.registry) == chain.stateHash())
        #expect(try chain.verify().stateHash == chain.stateHash())
    }

    @Test func verifyReportsProgressEveryThousandBlocksAndOnceAtTheEnd() throws {
        let chain = try Chain.create(genesis: Fixture.genesis(), modules: Self.modules, clock: ManualClock(Fixture.start))
        try chain.send(.transfer(token: dmt, to: carol.address, amount: 5), to: LedgerModule.self, from: alice)
        for _ in 0..<2498 { try chain.warp(by: 1) }   // blocks 0...2499
        var reports: [[UInt64]] = []
        let result = try chain.verify { checked, total in reports.append([checked, total]) }
        #expect(reports == [[1000, 2500], [2000, 2500], [2500, 2500]])
        #expect(result.blocks == 2500 && result.transactions == 1)
    }

    @Test func aFreshFileStoreInstanceReopensToTheSameState() throws {
        let folder = temporaryFolder("det-file")
        defer { try? FileManager.default.removeItem(at: folder) }
        let written = try busyChain(store: try FileBlockStore(folder: folder))
        let reference = try busyChain()  // the same calls on an in-memory chain
        #expect(try written.stateHash() == reference.stateHash())
        #expect(try written.blocks() == reference.blocks())
        let reopened = try Chain.open(store: try FileBlockStore(folder: folder), modules: Self.modules, clock: ManualClock(Fixture.start))
        #expect(try reopened.stateHash() == written.stateHash())
        #expect(try reopened.blocks().map(\.receipts) == written.blocks().map(\.receipts))
    }

    @Test func snapshotPlusReplayReopensToTheSameStateAsAFullReplay() throws {
        let folder = temporaryFolder("det-snap")
        defer { try? FileManager.default.removeItem(at: folder) }
        let chain = try busyChain(store: try FileBlockStore(folder: folder), snapshotInterval: 4)
        let fromSnapshot = try Chain.open(store: try FileBlockStore(folder: folder), modules: Self.modules, clock: ManualClock(Fixture.start))
        let snapshotHeight = try FileBlockStore(folder: folder).latestSnapshot()?.height
        #expect(snapshotHeight == 8)
        #expect(chain.height == 9)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("snapshots"))
        let fullReplay = try Chain.open(store: try FileBlockStore(folder: folder), modules: Self.modules, clock: ManualClock(Fixture.start))
        #expect(try fromSnapshot.stateHash() == chain.stateHash())
        #expect(try fullReplay.stateHash() == chain.stateHash())
        #expect(fromSnapshot.state(of: VaultModule.self) == fullReplay.state(of: VaultModule.self))
    }

    /// Commuting transactions (distinct senders and recipients) applied in two orders: the
    /// receipts and block hashes differ, but the ledger and the nonces, and their canonical
    /// bytes, must not depend on the order accounts entered the maps.
    @Test func theStateDoesNotDependOnTheOrderAccountsWereInserted() throws {
        let senders = (10..<60).map { testKey(UInt64($0)) }
        let genesis = GenesisConfig(chainID: 7, timestamp: Fixture.start, tokens: [
            .init(symbol: dmt, name: "DMT", balances: senders.map { .init(account: $0.address, amount: 1000) })
        ])
        var rng = SplitMix64(seed: 99)
        let moves = senders.enumerated().map { (i, key) in (key, address(UInt8(i + 1)), UInt256(UInt64.random(in: 1...1000, using: &rng))) }
        func run(_ order: [(PrivateKey, Address, UInt256)], batch: Int) throws -> ChainState {
            let chain = try Chain.create(genesis: genesis, clock: ManualClock(Fixture.start))
            var i = 0
            while i < order.count {
                let txs = try order[i..<min(order.count, i + batch)].map { key, to, amount in
                    try SignedTransaction.sign(LedgerModule.Call.transfer(token: dmt, to: to, amount: amount), for: LedgerModule.self, chainID: 7, nonce: 0, with: key)
                }
                try chain.submit(txs)
                i += batch
            }
            return chain.state
        }
        let forward = try run(moves, batch: 1)
        let shuffled = try run(moves.shuffled(using: &rng), batch: 7)
        #expect(forward.ledger == shuffled.ledger)
        #expect(try CanonicalJSON.encode(forward.ledger) == CanonicalJSON.encode(shuffled.ledger))
        #expect(try CanonicalJSON.encode(forward.nonces) == CanonicalJSON.encode(shuffled.nonces))
        #expect(forward.lastBlockHash != shuffled.lastBlockHash)  // different blocks, same ledger
    }

    @Test func twoChainsOnOneFolderAppendingAlternatelySeeEachOther() throws {
        let folder = temporaryFolder("det-two")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clock = ManualClock(Fixture.start)
        let a = try Chain.create(genesis: Fixture.genesis(), store: try FileBlockStore(folder: folder), clock: clock)
        let b = try Chain.open(store: try FileBlockStore(folder: folder), clock: clock)
        for i in 0..<6 {
            let (chain, key) = i % 2 == 0 ? (a, alice) : (b, bob)
            try chain.send(.transfer(token: dmt, to: carol.address, amount: 1), to: LedgerModule.self, from: key)
        }
        try a.refresh()
        try b.refresh()
        #expect(a.height == 6)
        #expect(b.height == 6)
        #expect(try a.stateHash() == b.stateHash())
        #expect(a.state.ledger.balance(of: carol.address, in: dmt) == 6)
        #expect(a.nonce(of: bob.address) == 3)
        #expect(try Chain.open(store: try FileBlockStore(folder: folder), clock: clock).stateHash() == a.stateHash())
    }
}
