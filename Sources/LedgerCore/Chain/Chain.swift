import Foundation

/// A deterministic chain of signed transactions over a ``BlockStore``.
///
/// Transactions are grouped into blocks; each runs against a copy of the state and is kept
/// only if its call succeeds, so a refused transaction changes nothing. The same blocks give
/// the same state and receipts on every machine. Several `Chain` values (even in several
/// processes) may share one store: before building a block each catches up with the blocks
/// the others appended.
///
/// ```swift
/// let chain = try Chain.create(genesis: genesis, modules: [MarketModule.self])
/// let receipt = try chain.send(.transfer(token: dmt, to: bob, amount: 5), to: LedgerModule.self, from: alice)
/// try chain.warp(by: 900)   // a 15-minute window passes in a blink
/// ```
public final class Chain: @unchecked Sendable {
    // @unchecked: `current` is only read or written while holding `lock`; the other stored
    // properties are immutable, and `store` and `clock` are Sendable.
    private let lock = NSRecursiveLock()
    private var current: ChainState
    private var snapshotFailure: String?

    /// Why the most recent snapshot could not be saved, if it could not (the chain itself is
    /// unaffected; reopening replays more blocks).
    public var lastSnapshotFailure: String? { lock.withLock { snapshotFailure } }

    /// The configuration the chain started from.
    public let genesis: GenesisConfig
    /// The hosted modules.
    public let registry: ModuleRegistry
    /// Where blocks are kept.
    public let store: any BlockStore
    /// Where block timestamps come from.
    public let clock: any ChainClock
    /// A snapshot is saved every this many blocks (0: never).
    public let snapshotInterval: UInt64

    /// The chain id transactions must name.
    public var chainID: UInt64 { genesis.chainID }

    private init(genesis: GenesisConfig, registry: ModuleRegistry, store: any BlockStore, clock: any ChainClock, snapshotInterval: UInt64, state: ChainState) {
        self.genesis = genesis
        self.registry = registry
        self.store = store
        self.clock = clock
        self.snapshotInterval = snapshotInterval
        self.current = state
    }

    // MARK: - Creating and opening

    /// Starts a new chain from `genesis` in an empty store.
    public static func create(
        genesis: GenesisConfig, modules: [any ChainModule.Type] = [], store: any BlockStore = InMemoryBlockStore(),
        clock: (any ChainClock)? = nil, snapshotInterval: UInt64 = 1000
    ) throws -> Chain {
        let (state, block) = try genesis.build()
        try store.initialize(genesis: genesis, block: block)
        return Chain(
            genesis: genesis, registry: ModuleRegistry(modules), store: store,
            clock: clock ?? ManualClock(genesis.timestamp), snapshotInterval: snapshotInterval, state: state)
    }

    /// Opens the chain held by `store`: loads the newest snapshot, replays the blocks after it
    /// and checks each against its header.
    public static func open(
        store: any BlockStore, modules: [any ChainModule.Type] = [], clock: any ChainClock = WallClock(),
        snapshotInterval: UInt64 = 1000
    ) throws -> Chain {
        guard let genesis = try store.genesis() else { throw ChainError.notInitialized }
        let registry = ModuleRegistry(modules)
        let state = try loadState(store: store, genesis: genesis, registry: registry)
        return Chain(genesis: genesis, registry: registry, store: store, clock: clock, snapshotInterval: snapshotInterval, state: state)
    }

    /// The state at the store's tip: the newest snapshot, then the blocks after it replayed and
    /// checked against their headers. Shared by ``open(store:modules:clock:snapshotInterval:)``
    /// and ``ChainFollower``.
    static func loadState(store: any BlockStore, genesis: GenesisConfig, registry: ModuleRegistry) throws -> ChainState {
        var (state, genesisBlock) = try genesis.build()
        // One block read, not the whole log: reopening costs the store's scan, a snapshot load
        // and the replay of the blocks after it.
        guard let storedGenesis = try store.block(at: 0) else { throw ChainError.notInitialized }
        guard storedGenesis.hash == genesisBlock.hash else {
            throw ChainError.genesisMismatch("stored genesis block \(storedGenesis.hash) differs from the configuration's \(genesisBlock.hash)")
        }
        // A snapshot is only a shortcut: one that is whole but no longer decodes (written by a
        // build whose module state had other fields) is passed over, and the blocks, which are
        // the truth, are replayed from genesis instead.
        if let snapshot = try store.latestSnapshot(), snapshot.height > 0,
           let restored = try? ChainState.decode(canonical: snapshot.state, registry: registry) {
            guard let block = try store.block(at: snapshot.height), block.hash == restored.lastBlockHash else {
                throw ChainError.corrupt(height: snapshot.height, reason: "snapshot does not match the stored block at its height")
            }
            state = restored
        }
        for block in try store.blocks(from: state.height + 1) {
            try replay(block, on: &state, registry: registry, chainID: genesis.chainID)
        }
        genesisBlock = storedGenesis
        return state
    }

    // MARK: - Reading

    /// The state after the newest block this chain has applied.
    public var state: ChainState { lock.withLock { current } }

    /// The height of the newest applied block.
    public var height: UInt64 { state.height }

    /// The next nonce `account` must use.
    public func nonce(of account: Address) -> UInt64 { state.nonce(of: account) }

    /// The state of module `M`.
    public func state<M: ChainModule>(of module: M.Type) -> M.State { state.state(of: module) }

    /// Keccak-256 of the entire current state.
    public func stateHash() throws -> Hash32 { try state.stateHash(registry: registry) }

    /// Applies blocks other writers appended to the store since this chain last looked.
    public func refresh() throws {
        try lock.withLock { try catchUp() }
    }

    /// Stored blocks from `height` on.
    public func blocks(from height: UInt64 = 0) throws -> [Block] { try store.blocks(from: height) }

    // MARK: - Writing

    /// What happened to a batch of transactions.
    public struct BlockOutcome: Sendable {
        /// The block built from the accepted transactions.
        public let block: Block
        /// The transactions left out, with the reason each was refused.
        public let rejected: [Rejection]
    }

    /// A transaction left out of a block and why.
    public struct Rejection: Sendable {
        /// Its position in the submitted batch.
        public let index: Int
        /// Its hash.
        public let transactionHash: Hash32
        /// Why it was refused: a ``TransactionError`` or the module's own error.
        public let error: any Error
    }

    /// Builds one block from `transactions`, leaving out (and reporting) each one that is
    /// refused, and appends it durably. An empty batch makes an empty block (time passes).
    ///
    /// - Throws: ``ChainError/noTransactionAccepted(count:)`` if every transaction was refused
    ///   (then no block is made), or a storage error.
    @discardableResult
    public func submit(_ transactions: [SignedTransaction]) throws -> BlockOutcome {
        try submit(transactions, prepared: Chain.prepare(transactions, registry: registry))
    }

    /// ``submit(_:)`` for transactions whose signers the caller has already recovered from these
    /// very transactions: a node recovers each one when it is submitted, concurrently on every
    /// core, so its block builder need not recover them again. `senders[i]` must be
    /// `transactions[i].recoverSender()`; package-only, because a wrong sender would run a call
    /// as someone else (a replay of the block, as `chain verify` does, would refuse it).
    @discardableResult
    package func submit(_ transactions: [SignedTransaction], recoveredSenders senders: [Address]) throws -> BlockOutcome {
        guard senders.count == transactions.count else {
            return try submit(transactions)
        }
        let prepared = zip(transactions, senders).map { tx, sender in PreparedTransaction(tx, sender: sender, registry: registry) }
        return try submit(transactions, prepared: prepared)
    }

    private func submit(_ transactions: [SignedTransaction], prepared: [PreparedTransaction]) throws -> BlockOutcome {
        try lock.withLock {
            try store.exclusively {
                try catchUp()
                var state = current
                let height = state.height + 1
                let timestamp = max(state.timestamp, clock.now())
                var included: [SignedTransaction] = []
                var receipts: [Receipt] = []
                var rejected: [Rejection] = []
                included.reserveCapacity(transactions.count)
                receipts.reserveCapacity(transactions.count)
                for (i, tx) in transactions.enumerated() {
                    do {
                        receipts.append(try Chain.execute(tx, prepared[i], state: &state, registry: registry, chainID: chainID, height: height, timestamp: timestamp))
                        included.append(tx)
                    } catch {
                        rejected.append(Rejection(index: i, transactionHash: tx.hash, error: error))
                    }
                }
                if included.isEmpty, !transactions.isEmpty {
                    throw rejected.count == 1 ? rejected[0].error : ChainError.noTransactionAccepted(count: transactions.count)
                }
                let header = BlockHeader(
                    height: height, parentHash: state.lastBlockHash, timestamp: timestamp,
                    transactionsRoot: Block.transactionsRoot(included), receiptsRoot: Block.receiptsRoot(receipts))
                let block = Block(header: header, transactions: included, receipts: receipts)
                state.height = height
                state.lastBlockHash = block.hash
                state.timestamp = timestamp
                try store.append(block)
                current = state
                saveSnapshotIfDue(state)
                return BlockOutcome(block: block, rejected: rejected)
            }
        }
    }

    /// Submits one transaction in a block of its own and returns its receipt.
    ///
    /// - Throws: the reason it was refused (a ``TransactionError`` or the module's error);
    ///   then no block is made and nothing changes.
    @discardableResult
    public func submit(_ transaction: SignedTransaction) throws -> Receipt {
        let outcome = try submit([transaction])
        guard let receipt = outcome.block.receipts.first else { throw ChainError.noTransactionAccepted(count: 1) }
        return receipt
    }

    /// Signs `call` to module `M` with `key` at the key's next nonce and submits it.
    @discardableResult
    public func send<M: ChainModule>(_ call: M.Call, to module: M.Type, from key: PrivateKey) throws -> Receipt {
        try lock.withLock {
            try catchUp()
            let tx = try SignedTransaction.sign(call, for: module, chainID: chainID, nonce: nonce(of: key.address), with: key)
            return try submit(tx)
        }
    }

    /// Moves the clock forward by `seconds` and records the new time in an empty block.
    @discardableResult
    public func warp(by seconds: UInt64) throws -> Block {
        try clock.warp(by: seconds)
        return try submit([]).block
    }

    /// Appends `block`, built by another node of the same chain, after checking it exactly as
    /// reopening does (height, parent hash, timestamp, roots, every signature, and a replay
    /// that must give the same receipts); a follower replicates its leader through this.
    ///
    /// A block at or below the current height that is already stored (same hash) is accepted
    /// again and changes nothing, so a follower that was killed between appending and
    /// recording may safely be given it twice.
    /// - Throws: the ``ChainError`` saying why the block does not follow or does not replay
    ///   (then nothing is stored and the state stays as it was), or a storage error.
    public func append(verifying block: Block) throws {
        try append(verifying: [block])
    }

    /// Appends `blocks`, a page of consecutive blocks built by another node of the same chain,
    /// checking each as reopening does (see the single-block form), and makes the ones that
    /// verify durable together (one sync for the page on a file store), so a follower catching
    /// up does not wait on the disk once per block.
    ///
    /// Blocks already stored (same hash) are skipped. When a block does not verify, the blocks
    /// before it are still appended, then its error is thrown: ``height`` tells how far the
    /// chain got.
    /// - Throws: the ``ChainError`` of the first block that does not follow or does not
    ///   replay, or a storage error (then none of the page's new blocks is recorded).
    public func append(verifying blocks: [Block]) throws {
        try lock.withLock {
            try store.exclusively {
                try catchUp()
                var state = current
                var verified: [Block] = []
                var snapshotDue = false
                var failure: (any Error)?
                for block in blocks {
                    if block.height <= state.height {
                        let stored = block.height <= current.height ? try store.block(at: block.height) : nil
                        guard let stored, stored.hash == block.hash else {
                            failure = ChainError.hashMismatch(
                                height: block.height,
                                what: "the given block \(block.hash), not the stored \(stored?.hash.description ?? "(none)"),")
                            break
                        }
                        continue
                    }
                    do { try Chain.replay(block, on: &state, registry: registry, chainID: chainID) } catch {
                        failure = error
                        break
                    }
                    verified.append(block)
                    if snapshotInterval > 0, block.height % snapshotInterval == 0 { snapshotDue = true }
                }
                if !verified.isEmpty {
                    try store.append(contentsOf: verified)
                    current = state
                    if snapshotDue { saveSnapshot(state) }
                }
                if let failure { throw failure }
            }
        }
    }

    private func saveSnapshotIfDue(_ state: ChainState) {
        guard snapshotInterval > 0, state.height % snapshotInterval == 0 else { return }
        saveSnapshot(state)
    }

    private func saveSnapshot(_ state: ChainState) {
        let height = state.height
        // The block is already durable: a snapshot is only a cache for reopening, so
        // failing to write one must not report the block as failed.
        do {
            try store.saveSnapshot(height: height, state: try state.canonicalEncoding(registry: registry))
            snapshotFailure = nil
        } catch {
            snapshotFailure = "snapshot at height \(height) was not saved: \(error)"
        }
    }

    // MARK: - Verifying

    /// What ``Chain/verify(progress:)`` checked.
    public struct Verification: Sendable, Equatable {
        /// Blocks replayed, genesis included.
        public let blocks: UInt64
        /// Transactions re-executed.
        public let transactions: Int
        /// The state hash reached by the replay, equal to the current state's.
        public let stateHash: Hash32
    }

    /// Replays every stored block from genesis, re-checking each hash, signature and receipt,
    /// and checks that the replay reaches exactly the current state.
    ///
    /// - Parameter progress: called after every 1,000th replayed block and after the last one
    ///   with the number of blocks checked so far and the total (genesis included), for a
    ///   progress display.
    public func verify(progress: ((_ checked: UInt64, _ total: UInt64) -> Void)? = nil) throws -> Verification {
        try refresh()
        var (state, genesisBlock) = try genesis.build()
        let blocks = try store.blocks(from: 0)
        guard let first = blocks.first, first.hash == genesisBlock.hash else {
            throw ChainError.genesisMismatch("stored genesis block does not match the genesis configuration")
        }
        genesisBlock = first
        var count = 0
        let total = UInt64(blocks.count)
        for block in blocks.dropFirst() {
            try Chain.replay(block, on: &state, registry: registry, chainID: chainID)
            count += block.transactions.count
            let checked = block.height + 1
            if checked % 1000 == 0, checked < total { progress?(checked, total) }
        }
        progress?(total, total)
        let replayed = try state.stateHash(registry: registry)
        let live = try stateHash()
        guard replayed == live else {
            throw ChainError.hashMismatch(height: state.height, what: "state after replay (\(replayed) vs \(live))")
        }
        return Verification(blocks: UInt64(blocks.count), transactions: count, stateHash: replayed)
    }

    // MARK: - Queries

    /// An event with where it happened.
    public struct EventRecord: Sendable, Equatable {
        /// The block height.
        public let height: UInt64
        /// The block time.
        public let timestamp: UInt64
        /// The emitting transaction (zero for genesis).
        public let transactionHash: Hash32
        /// The event.
        public let event: Event
    }

    /// Events in blocks `from...to`, optionally only those naming `account` or of `kind`.
    public func events(from: UInt64 = 0, to: UInt64 = .max, account: Address? = nil, kind: String? = nil) throws -> [EventRecord] {
        var out: [EventRecord] = []
        for block in try store.blocks(from: from) where block.height <= to {
            for receipt in block.receipts {
                for event in receipt.events {
                    if let account, !event.accounts.contains(account), receipt.sender != account { continue }
                    if let kind, event.kind != kind { continue }
                    out.append(EventRecord(height: block.height, timestamp: block.header.timestamp, transactionHash: receipt.transactionHash, event: event))
                }
            }
        }
        return out
    }

    // MARK: - Execution

    private func catchUp() throws {
        var state = current
        for block in try store.blocks(from: state.height + 1) {
            try Chain.replay(block, on: &state, registry: registry, chainID: chainID)
        }
        current = state
    }

    /// Runs one transaction against `state`, which changes only if the call succeeds.
    static func execute(
        _ tx: SignedTransaction, _ prepared: PreparedTransaction, state: inout ChainState, registry: ModuleRegistry,
        chainID: UInt64, height: UInt64, timestamp: UInt64
    ) throws -> Receipt {
        let sender = try prepared.sender.get()
        guard tx.chainID == chainID else { throw TransactionError.wrongChain(expected: chainID, found: tx.chainID) }
        let expected = state.nonce(of: sender)
        guard tx.nonce == expected else { throw TransactionError.wrongNonce(account: sender, expected: expected, found: tx.nonce) }
        guard let module = registry[tx.module], let decoded = prepared.call else {
            throw TransactionError.unknownModule(tx.module)
        }
        let call = try decoded.get()
        var context = ExecutionContext(world: state, sender: sender, module: tx.module, height: height, timestamp: timestamp, transactionHash: tx.hash)
        try module.run(call, &context)
        context.world.nonces[sender] = expected + 1
        state = context.world
        return Receipt(transactionHash: tx.hash, sender: sender, module: tx.module, events: context.events)
    }

    /// Applies a stored block, checking its links, roots, signatures and receipts.
    static func replay(_ block: Block, on state: inout ChainState, registry: ModuleRegistry, chainID: UInt64) throws {
        let h = block.height
        guard h == state.height + 1 else { throw ChainError.heightMismatch(expected: state.height + 1, found: h) }
        guard block.header.parentHash == state.lastBlockHash else {
            throw ChainError.parentMismatch(height: h, expected: state.lastBlockHash, found: block.header.parentHash)
        }
        guard block.header.timestamp >= state.timestamp else {
            throw ChainError.timestampBeforeParent(height: h, parent: state.timestamp, found: block.header.timestamp)
        }
        try block.verifyRoots()
        let prepared = prepare(block.transactions, registry: registry)
        var next = state
        for (i, tx) in block.transactions.enumerated() {
            let receipt: Receipt
            do {
                receipt = try execute(tx, prepared[i], state: &next, registry: registry, chainID: chainID, height: h, timestamp: block.header.timestamp)
            } catch {
                throw ChainError.replayFailed(height: h, index: i, reason: "\(error)")
            }
            guard receipt == block.receipts[i] else { throw ChainError.hashMismatch(height: h, what: "receipt \(i)") }
        }
        next.height = h
        next.lastBlockHash = block.hash
        next.timestamp = block.header.timestamp
        state = next
    }

    /// A transaction's signer and decoded call, worked out ahead of execution. Both depend
    /// only on the transaction's bytes, so a batch is prepared in parallel on all cores and
    /// execution (which must be sequential) does only the state work.
    struct PreparedTransaction: Sendable {
        /// The recovered signer, or why there is none.
        let sender: Result<Address, TransactionError>
        /// The decoded call, or why it does not decode; nil when the module is unknown.
        let call: Result<any Sendable, any Error>?

        init(_ tx: SignedTransaction, registry: ModuleRegistry) {
            sender = Result { () throws(TransactionError) in try tx.recoverSender() }
            call = registry[tx.module].map { module in Result { try module.decodeCall(tx.call) } }
        }

        /// A transaction whose signer the caller recovered already.
        init(_ tx: SignedTransaction, sender: Address, registry: ModuleRegistry) {
            self.sender = .success(sender)
            call = registry[tx.module].map { module in Result { try module.decodeCall(tx.call) } }
        }
    }

    /// Prepares every transaction, in parallel on all cores for large batches.
    static func prepare(_ txs: [SignedTransaction], registry: ModuleRegistry) -> [PreparedTransaction] {
        if txs.count < 64 {
            return txs.map { PreparedTransaction($0, registry: registry) }
        }
        let results = UnsafeMutableBufferPointer<PreparedTransaction?>.allocate(capacity: txs.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let chunks = max(1, ProcessInfo.processInfo.activeProcessorCount) * 4
        let chunkSize = (txs.count + chunks - 1) / chunks
        let shared = SendableBuffer(base: results)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * chunkSize
            let end = min(txs.count, start + chunkSize)
            guard start < end else { return }
            for i in start..<end {
                shared.base[i] = PreparedTransaction(txs[i], registry: registry)
            }
        }
        return results.enumerated().map { i, p in p ?? PreparedTransaction(txs[i], registry: registry) }
    }
}

/// A buffer written by disjoint index ranges from concurrent workers.
private struct SendableBuffer<T>: @unchecked Sendable {
    // @unchecked: each worker writes only its own index range, and the buffer outlives the
    // `concurrentPerform` call that uses it.
    let base: UnsafeMutableBufferPointer<T>
}
