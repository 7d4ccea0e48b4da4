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
        let reopened = try Chain.open(store: try FileBlockStore(folder: folder.appendingPathComponent("follower")), modules: ChainFollowerTests.modules)
        #expect(try reopened.stateHash() == (try leader.stateHash()))
        #expect(try reopened.verify().blocks == 9)
    }

    @Test func aBlockWhoseReceiptWasAlteredIsRefusedWithItsHeightAndNothingIsStored() throws {
        let folder = temporaryFolder("append-tampered")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (leader, follower) = try Self.pair(folder, blocks: 4)
        let blocks = try leader.blocks(from: 1)
        for block in blocks.prefix(2) { try follower.append(verifying: block) }
        // Block 3 with its transfer's events dropped and its receipts root recomputed: the
        // header is consistent, only replaying the transaction shows the lie.
        let honest = blocks[2]
        let forged = honest.receipts.map { Receipt(transactionHash: $0.transactionHash, sender: $0.sender, module: $0.module, events: []) }
        let header = BlockHeader(
            height: honest.height, parentHash: honest.header.parentHash, timestamp: honest.header.timestamp,
            transactionsRoot: honest.header.transactionsRoot, receiptsRoot: Block.receiptsRoot(forged), extra: honest.header.extra)
        let tampered = Block(header: header, transactions: honest.transactions, receipts: forged)
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
}

extension Block {
    /// This block's contents under header height `height` (so its hash differs).
    fileprivate func withHeight(_ height: UInt64) -> Block {
        Block(
            header: BlockHeader(
                height: height, parentHash: header.parentHash, timestamp: header.timestamp, transactionsRoot: header.transactionsRoot,
                receiptsRoot: header.receiptsRoot, extra: header.extra),
            transactions: transactions, receipts: receipts)
    }
}
