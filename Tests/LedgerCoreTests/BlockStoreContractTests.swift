import Foundation
import Testing
import LedgerCore
import LedgerPostgres

/// What every ``BlockStore`` promises, checked against each backend with the same assertions:
/// in memory, in a folder, and in PostgreSQL (see StoreBackends.swift for when that one runs).
@Suite struct BlockStoreContractTests {
    static let modules: [any ChainModule.Type] = [VaultModule.self]

    static func transfer(_ chain: Chain, _ i: Int, from key: PrivateKey = Fixture.alice) throws {
        try chain.send(.transfer(token: Fixture.dmt, to: address(UInt8(i % 200 + 1)), amount: UInt256(UInt64(i + 1))), to: LedgerModule.self, from: key)
    }

    /// A chain of `blocks` one-transfer blocks at `place`; returns its state hash.
    @discardableResult
    static func build(_ place: StorePlace, blocks: Int, snapshotInterval: UInt64 = 1000) throws -> Hash32 {
        let chain = try Chain.create(
            genesis: Fixture.genesis(), modules: modules, store: try place.open(), clock: ManualClock(Fixture.start), snapshotInterval: snapshotInterval)
        for i in 0..<blocks { try transfer(chain, i) }
        return try chain.stateHash()
    }

    /// Builds a chain of `blocks` blocks at `place` (as ``build(_:blocks:snapshotInterval:)``)
    /// and returns a fresh handle on it with every block it holds, genesis first.
    static func buildAndRead(_ place: StorePlace, blocks: Int) throws -> (store: any BlockStore, blocks: [Block]) {
        try build(place, blocks: blocks)
        let store = try place.open()
        return (store, try store.blocks(from: 0))
    }

    static func open(_ place: StorePlace) throws -> Chain {
        try Chain.open(store: try place.open(), modules: modules, clock: ManualClock(Fixture.start))
    }

    @Test(arguments: StoreBackend.all)
    func appendedBlocksSurviveReopening(_ backend: StoreBackend) throws {
        let place = try StorePlace(backend)
        defer { place.remove() }
        let hash = try Self.build(place, blocks: 12)
        let store = try place.open()
        #expect(try store.blocks(from: 10).map(\.height) == [10, 11, 12])
        #expect(try store.blocks(from: 13).isEmpty)
        #expect(try store.genesis() == Fixture.genesis())
        let chain = try Chain.open(store: store, modules: Self.modules, clock: ManualClock(Fixture.start))
        #expect(try chain.stateHash() == hash)
        #expect(try chain.verify().blocks == 13)
    }

    @Test(arguments: StoreBackend.all)
    func theNewestSnapshotIsKeptAndReopeningReachesTheSameState(_ backend: StoreBackend) throws {
        let place = try StorePlace(backend)
        defer { place.remove() }
        let hash = try Self.build(place, blocks: 17, snapshotInterval: 5)
        #expect(try place.open().latestSnapshot()?.height == 15)
        #expect(try Self.open(place).stateHash() == hash)
    }

    @Test(arguments: StoreBackend.all)
    func creatingOverAChainOrOpeningNothingIsRefused(_ backend: StoreBackend) throws {
        let place = try StorePlace(backend)
        defer { place.remove() }
        #expect(throws: ChainError.notInitialized) { try Chain.open(store: try place.open()) }
        try Self.build(place, blocks: 2)
        #expect(throws: ChainError.alreadyInitialized(height: 2)) {
            try Chain.create(genesis: Fixture.genesis(), store: try place.open())
        }
    }

    @Test(arguments: StoreBackend.all)
    func aBlockThatDoesNotFollowTheTipIsRefused(_ backend: StoreBackend) throws {
        let place = try StorePlace(backend)
        defer { place.remove() }
        let (store, blocks) = try Self.buildAndRead(place, blocks: 3)
        #expect(throws: ChainError.heightMismatch(expected: 4, found: 2)) { try store.append(blocks[2]) }
        let other = try StorePlace(backend)
        defer { other.remove() }
        let fresh = try other.open()
        try fresh.initialize(genesis: Fixture.genesis(), block: blocks[0])
        try fresh.append(blocks[1])
        let stranger = Block(header: BlockHeader(height: 2, parentHash: .zero, timestamp: 0, transactionsRoot: .zero, receiptsRoot: .zero),
                             transactions: [], receipts: [])
        #expect(throws: ChainError.parentMismatch(height: 2, expected: blocks[1].hash, found: .zero)) { try fresh.append(stranger) }
        #expect(try fresh.blocks(from: 0).count == 2)
    }

    @Test(arguments: StoreBackend.all)
    func twoHandlesAppendingAlternatelySeeEachOthersBlocks(_ backend: StoreBackend) throws {
        let place = try StorePlace(backend)
        defer { place.remove() }
        try Self.build(place, blocks: 1)
        let clock = ManualClock(Fixture.start)
        let a = try Chain.open(store: try place.open(), modules: Self.modules, clock: clock)
        let b = try Chain.open(store: try place.open(), modules: Self.modules, clock: clock)
        for i in 0..<10 {
            try (i % 2 == 0 ? a : b).send(.transfer(token: Fixture.dmt, to: address(42), amount: 1), to: LedgerModule.self, from: Fixture.alice)
            #expect(try (i % 2 == 0 ? b : a).blocks(from: UInt64(i + 2)).count == 1)  // the other sees it at once
        }
        try a.refresh()
        try b.refresh()
        #expect(a.height == 11 && b.height == 11)
        #expect(try a.stateHash() == b.stateHash())
        #expect(try Self.open(place).state.ledger.balance(of: address(42), in: Fixture.dmt) == 10)
    }

    @Test(arguments: StoreBackend.all)
    func writersOnSeveralHandlesTakeTurnsAndUseEveryHeightOnce(_ backend: StoreBackend) async throws {
        let place = try StorePlace(backend)
        defer { place.remove() }
        try Self.build(place, blocks: 0)
        let perWriter = 15
        let senders = [Fixture.alice, Fixture.bob]
        let done = DispatchGroup()
        let failures = Failures()
        for (w, key) in senders.enumerated() {
            let chain = try Chain.open(store: try place.open(), modules: Self.modules, clock: ManualClock(Fixture.start))
            done.enter()
            // Threads of their own: the stores block while they wait for the writers' lock.
            Thread {
                defer { done.leave() }
                for i in 0..<perWriter {
                    do {
                        try chain.send(.transfer(token: Fixture.dmt, to: address(UInt8(100 + w)), amount: 1), to: LedgerModule.self, from: key)
                    } catch { failures.add("writer \(w), transfer \(i): \(error)") }
                }
            }.start()
        }
        // Waits without holding a thread of the cooperative pool.
        await withCheckedContinuation { finished in done.notify(queue: .global()) { finished.resume() } }
        #expect(failures.all.isEmpty)
        let chain = try Self.open(place)
        #expect(chain.height == UInt64(senders.count * perWriter))
        #expect(try chain.blocks().map(\.height) == Array(0...UInt64(senders.count * perWriter)))
        #expect(try chain.verify().blocks == UInt64(senders.count * perWriter + 1))
        for w in senders.indices { #expect(chain.state.ledger.balance(of: address(UInt8(100 + w)), in: Fixture.dmt) == UInt256(UInt64(perWriter))) }
    }

    @Test(arguments: StoreBackend.all)
    func aSingleBlockIsReadByHeight(_ backend: StoreBackend) throws {
        let place = try StorePlace(backend)
        defer { place.remove() }
        let (store, all) = try Self.buildAndRead(place, blocks: 4)
        for h in 0...4 { #expect(try store.block(at: UInt64(h)) == all[h]) }
        #expect(try store.block(at: 5) == nil)
    }

    @Test(arguments: StoreBackend.all)
    func aFollowerOverTheStoreKeepsUpWithAnotherHandle(_ backend: StoreBackend) async throws {
        let place = try StorePlace(backend)
        defer { place.remove() }
        let writer = try Chain.create(
            genesis: Fixture.genesis(), modules: Self.modules, store: try place.open(), clock: ManualClock(Fixture.start), snapshotInterval: 0)
        let readStore = try place.open()
        let source: any BlockSource = if let pg = readStore as? PostgresBlockStore { PostgresBlockSource(store: pg) } else { StoreBlockSource(store: readStore) }
        let follower = try ChainFollower.open(store: readStore, modules: Self.modules, source: source)
        for i in 0..<5 { try Self.transfer(writer, i) }
        let state = try await follower.state(atLeast: 5, timeout: .seconds(60))
        #expect(try state.stateHash(registry: follower.registry) == (try writer.stateHash()))
    }
}

/// Errors collected from several threads.
final class Failures: @unchecked Sendable {
    // @unchecked: `items` is only touched while holding `lock`.
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ text: String) { lock.withLock { items.append(text) } }
    var all: [String] { lock.withLock { items } }
}
