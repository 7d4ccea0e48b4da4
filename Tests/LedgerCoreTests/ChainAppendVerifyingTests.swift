import DataMarketTesting
import Foundation
import Testing
@testable import LedgerCore

/// A follower replicates another chain's blocks with `Chain.append(verifying:)`: the blocks are
/// checked by the chain's own replay, a tampered one is refused with its height and nothing
/// stored, and a block given twice changes nothing.
@Suite struct ChainAppendVerifyingTests {
    /// A leader with `blocks` transfer blocks and an empty follower from the same genesis.
    static func pair(_ folder: URL, blocks: Int) throws -> (leader: Chain, follower: Chain) {
        let leader = try ChainFollowerTests.writer(folder.appendingPathComponent("leader"), blocks: blocks)
        let follower = try Chain.create(
            genesis: Fixture.genesis(), modules: ChainFollowerTests.modules, store: try FileBlockStore(folder: folder.appendingPathComponent("follower")),
            clock: ManualClock(Fixture.start), snapshotInterval: 3)
        return (leader, follower)
    }

    /// Reopens the follower's store in `folder` from disk and expects the leader's state hash and
    /// `blocks` verified blocks.
    static func expectReopenedFollower(in folder: URL, matches leader: Chain, blocks: UInt64,
                                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let reopened = try Chain.open(store: try FileBlockStore(folder: folder.appendingPathComponent("follower")), modules: ChainFollowerTests.modules)
        #expect(try reopened.stateHash() == (try leader.stateHash()), sourceLocation: sourceLocation)
        #expect(try reopened.verify().blocks == blocks, sourceLocation: sourceLocation)
    }

    @Test func replicatedBlocksReachTheLeadersStateHashAndSurviveReopening() throws {
        let folder = temporaryFolder("append-verifying")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (leader, follower) = try Self.pair(folder, blocks: 8)
        for block in try leader.blocks(from: 1) { try follower.append(verifying: block) }
        #expect(follower.height == 8)
        #expect(try follower.stateHash() == (try leader.stateHash()))
        // Given again (a follower killed before it recorded progress): nothing changes.
        for block in try leader.blocks(from: 5) { try follower.append(verifying: block) }
        #expect(follower.height == 8)
        try Self.expectReopenedFollower(in: folder, matches: leader, blocks: 9)
    }

    @Test func aBlockWhoseReceiptWasAlteredIsRefusedWithItsHeightAndNothingIsStored() throws {
        let folder = temporaryFolder("append-tampered")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (leader, follower) = try Self.pair(folder, blocks: 4)
        let blocks = try leader.blocks(from: 1)
        for block in blocks.prefix(2) { try follower.append(verifying: block) }
        // Block 3 with its transfer's events dropped: only replaying it shows the lie.
        let honest = blocks[2]
        let tampered = honest.withoutEvents()
        #expect(throws: ChainError.hashMismatch(height: 3, what: "receipt 0")) { try follower.append(verifying: tampered) }
        #expect(follower.height == 2)
        // The honest block 4 does not follow block 2: refused with the height expected.
        #expect(throws: ChainError.heightMismatch(expected: 3, found: 4)) { try follower.append(verifying: blocks[3]) }
        // A different block at a stored height is refused, not stored over the old one.
        #expect(throws: ChainError.self) { try follower.append(verifying: tampered.withHeight(2)) }
        try follower.append(verifying: honest)
        try follower.append(verifying: blocks[3])
        #expect(try follower.stateHash() == (try leader.stateHash()))
    }

    @Test func aPageIsAppendedWithOneWriteAndSurvivesReopeningWithItsSnapshots() throws {
        let folder = temporaryFolder("append-page")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (leader, follower) = try Self.pair(folder, blocks: 10)
        let blocks = try leader.blocks(from: 1)
        try follower.append(verifying: Array(blocks.prefix(4)))
        #expect(follower.height == 4)
        // The page overlaps what is stored (blocks 3 and 4 again): those are skipped.
        try follower.append(verifying: Array(blocks[2...]))
        #expect(follower.height == 10)
        #expect(try follower.stateHash() == (try leader.stateHash()))
        try follower.append(verifying: [])
        #expect(try FileBlockStore(folder: folder.appendingPathComponent("follower")).latestSnapshot()?.height == 10)
        try Self.expectReopenedFollower(in: folder, matches: leader, blocks: 11)
    }

    @Test func aPageWithATamperedBlockKeepsTheBlocksBeforeItAndRefusesTheRest() throws {
        let folder = temporaryFolder("append-page-tampered")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (leader, follower) = try Self.pair(folder, blocks: 6)
        var blocks = try leader.blocks(from: 1)
        blocks[3] = blocks[3].withoutEvents()
        #expect(throws: ChainError.hashMismatch(height: 4, what: "receipt 0")) { try follower.append(verifying: blocks) }
        #expect(follower.height == 3)
        let reopened = try Chain.open(store: try FileBlockStore(folder: folder.appendingPathComponent("follower")), modules: ChainFollowerTests.modules)
        #expect(reopened.height == 3)
        // A page that skips a height stores nothing of it.
        #expect(throws: ChainError.heightMismatch(expected: 4, found: 5)) { try follower.append(verifying: Array(try leader.blocks(from: 5).prefix(1))) }
        try follower.append(verifying: try leader.blocks(from: 4))
        #expect(try follower.stateHash() == (try leader.stateHash()))
    }

    @Test func theFileStoreRefusesAPageThatDoesNotChainAndStoresNoneOfIt() throws {
        let folder = temporaryFolder("store-page")
        defer { try? FileManager.default.removeItem(at: folder) }
        let leader = try ChainFollowerTests.writer(folder.appendingPathComponent("leader"), blocks: 4)
        let store = try FileBlockStore(folder: folder.appendingPathComponent("copy"))
        let all = try leader.blocks(from: 0)
        try store.initialize(genesis: Fixture.genesis(), block: all[0])
        // Block 3 is missing: block 4 does not follow block 2, and blocks 1–2 are not stored either.
        #expect(throws: ChainError.heightMismatch(expected: 3, found: 4)) { try store.append(contentsOf: [all[1], all[2], all[4]]) }
        #expect(try store.blocks(from: 0).count == 1)
        try store.append(contentsOf: Array(all[1...]))
        #expect(try store.blocks(from: 0).map(\.hash) == all.map(\.hash))
    }
}

extension Block {
    /// This block with its receipts' events dropped and its receipts root recomputed: the header
    /// is consistent, only replaying the transactions shows the lie.
    fileprivate func withoutEvents() -> Block {
        let forged = receipts.map { Receipt(transactionHash: $0.transactionHash, sender: $0.sender, module: $0.module, events: []) }
        return Block(
            header: BlockHeader(
                height: height, parentHash: header.parentHash, timestamp: header.timestamp, transactionsRoot: header.transactionsRoot,
                receiptsRoot: Block.receiptsRoot(forged), extra: header.extra),
            transactions: transactions, receipts: forged)
    }

    /// This block's contents under header height `height` (so its hash differs).
    fileprivate func withHeight(_ height: UInt64) -> Block {
        Block(
            header: BlockHeader(
                height: height, parentHash: header.parentHash, timestamp: header.timestamp, transactionsRoot: header.transactionsRoot,
                receiptsRoot: header.receiptsRoot, extra: header.extra),
            transactions: transactions, receipts: receipts)
    }
}
