import Testing
@testable import LedgerCore

/// Blocks: header hash, roots, links, time, genesis, and replay checks.
@Suite struct BlockTests {
    let alice = Fixture.alice, bob = Fixture.bob, dmt = Fixture.dmt

    func chainWithBlocks() throws -> (Chain, ManualClock) {
        let clock = ManualClock(Fixture.start)
        let chain = try Fixture.chain(clock: clock)
        try chain.send(.transfer(token: dmt, to: bob.address, amount: 1), to: LedgerModule.self, from: alice)
        try chain.warp(by: 900)
        try chain.send(.transfer(token: dmt, to: alice.address, amount: 2), to: LedgerModule.self, from: bob)
        return (chain, clock)
    }

    @Test func headersLinkByHashAndTimeNeverGoesBack() throws {
        let (chain, _) = try chainWithBlocks()
        let blocks = try chain.blocks()
        #expect(blocks.map(\.height) == [0, 1, 2, 3])
        for (parent, child) in zip(blocks, blocks.dropFirst()) {
            #expect(child.header.parentHash == parent.hash)
            #expect(child.header.timestamp >= parent.header.timestamp)
        }
        #expect(blocks[2].transactions.isEmpty)  // the warp block
        #expect(blocks[2].header.timestamp == Fixture.start + 900)
        #expect(blocks[3].header.timestamp == Fixture.start + 900)
        #expect(chain.state.lastBlockHash == blocks[3].hash)
        #expect(blocks[1].hash == Keccak256.hash(blocks[1].header.rlp.encoded))
        #expect(blocks[1].header.transactionsRoot == Keccak256.hash(RLP.list([.bytes(blocks[1].transactions[0].hash.bytes)]).encoded))
    }

    @Test func aBlockRoundTripsThroughItsEncoding() throws {
        let (chain, _) = try chainWithBlocks()
        for block in try chain.blocks() {
            #expect(try Block(encoded: block.encoded) == block)
        }
    }

    @Test func rootsCommitToTransactionsAndReceipts() throws {
        let (chain, _) = try chainWithBlocks()
        let block = try chain.blocks()[1]
        var receipts = block.receipts
        receipts[0] = Receipt(transactionHash: receipts[0].transactionHash, sender: receipts[0].sender, module: "ledger", events: [])
        let tampered = Block(header: block.header, transactions: block.transactions, receipts: receipts)
        #expect(throws: ChainError.hashMismatch(height: 1, what: "receipts root")) { try tampered.verifyRoots() }
        #expect(throws: ChainError.self) { try Block(encoded: tampered.encoded) }
        let other = Block(header: block.header, transactions: try chain.blocks()[3].transactions, receipts: block.receipts)
        #expect(throws: ChainError.hashMismatch(height: 1, what: "transactions root")) { try other.verifyRoots() }
    }

    @Test func replayChecksHeightParentTimeAndReceipts() throws {
        let (chain, _) = try chainWithBlocks()
        let blocks = try chain.blocks()
        let registry = chain.registry
        var (state, _) = try Fixture.genesis().build()
        #expect(throws: ChainError.heightMismatch(expected: 1, found: 2)) { try Chain.replay(blocks[2], on: &state, registry: registry, chainID: 7) }

        func rebuilt(_ b: Block, parent: Hash32? = nil, timestamp: UInt64? = nil, receipts: [Receipt]? = nil) -> Block {
            let r = receipts ?? b.receipts
            let header = BlockHeader(height: b.height, parentHash: parent ?? b.header.parentHash, timestamp: timestamp ?? b.header.timestamp,
                                     transactionsRoot: b.header.transactionsRoot, receiptsRoot: Block.receiptsRoot(r))
            return Block(header: header, transactions: b.transactions, receipts: r)
        }
        let wrongParent = rebuilt(blocks[1], parent: .zero)
        #expect(throws: ChainError.parentMismatch(height: 1, expected: blocks[0].hash, found: .zero)) {
            try Chain.replay(wrongParent, on: &state, registry: registry, chainID: 7)
        }
        let early = rebuilt(blocks[1], timestamp: Fixture.start - 1)
        #expect(throws: ChainError.timestampBeforeParent(height: 1, parent: Fixture.start, found: Fixture.start - 1)) {
            try Chain.replay(early, on: &state, registry: registry, chainID: 7)
        }
        let lying = rebuilt(blocks[1], receipts: [Receipt(transactionHash: blocks[1].receipts[0].transactionHash, sender: bob.address, module: "ledger", events: [])])
        #expect(throws: ChainError.hashMismatch(height: 1, what: "receipt 0")) { try Chain.replay(lying, on: &state, registry: registry, chainID: 7) }
        #expect(throws: ChainError.self) { try Chain.replay(blocks[1], on: &state, registry: registry, chainID: 8) }  // other chain id
        #expect(state.height == 0)  // nothing of the refused replays stuck
        try Chain.replay(blocks[1], on: &state, registry: registry, chainID: 7)
        #expect(state.height == 1)
    }

    @Test func genesisCommitsToItsConfigurationAndEvents() throws {
        let (state, block) = try Fixture.genesis().build()
        #expect(block.height == 0)
        #expect(block.header.parentHash == .zero)
        #expect(block.header.extra == (try Fixture.genesis().hash()).bytes)
        #expect(block.receipts.count == 1)
        #expect(block.receipts[0].events.map(\.kind) == ["TokenCreated", "Mint", "Mint"])
        #expect(state.ledger.balance(of: alice.address, in: dmt) == 1_000_000)
        var other = Fixture.genesis()
        other.chainID = 8
        #expect(try other.build().block.hash != block.hash)
        #expect(try Block(encoded: block.encoded) == block)
    }

    @Test func warpMovesProtocolTimeAndTheClockCannotOverflow() throws {
        let clock = ManualClock(.max - 10)
        #expect(throws: ChainError.clock("warp of 11 s overflows the clock")) { try clock.warp(by: 11) }
        try clock.warp(by: 10)
        #expect(clock.now() == .max)
    }

    @Test func aClockThatGoesBackStillGivesNonDecreasingTimestamps() throws {
        let (chain, _) = try chainWithBlocks()
        // A chain sharing this store with a clock far behind.
        let late = try Chain.open(store: chain.store, modules: [VaultModule.self, IntruderModule.self], clock: ManualClock(Fixture.start))
        let block = try late.warp(by: 0)
        #expect(block.header.timestamp == Fixture.start + 900)
    }

    @Test func eventsAreQueryableByHeightAccountAndKind() throws {
        let (chain, _) = try chainWithBlocks()
        #expect(try chain.events(kind: "Transfer").map(\.height) == [1, 3])
        #expect(try chain.events(from: 2, kind: "Transfer").map(\.height) == [3])
        #expect(try chain.events(account: bob.address).map(\.event.kind) == ["Mint", "Transfer", "Transfer"])
        #expect(try chain.events(from: 0, to: 0).count == 3)
    }
}
