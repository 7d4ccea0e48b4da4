public import Foundation
public import LedgerCore

/// The chain as a service: a bounded pool of signed transactions from any number of clients,
/// built into blocks at an interval or as soon as enough are ready, with each transaction's
/// fate (pending, included, refused) kept for lookups and waiters, and new blocks announced to
/// followers.
///
/// A node made with ``init(following:chain:configuration:forwardJournal:)`` is a verifying follower: it builds
/// no blocks of its own, replicates its leader's blocks into its own store after checking each
/// one (``startFollowing(source:logger:)``), serves the same reads, and forwards the transactions
/// submitted to it to the leader.
///
/// The node builds blocks only in ``buildBlock()``, one at a time, each under the store's
/// writer lock; blocks another process appends to the same store (a local `dmctl`) are caught
/// up with and indexed like its own. Transactions of one sender are put into a block in nonce order, so a client may send
/// nonces `n`, `n+1`, … concurrently; a transaction whose nonce leaves a gap waits up to
/// ``NodeConfiguration/nonceGapTimeoutMilliseconds`` for the gap to fill.
///
/// ``shutdown()`` ends the node cleanly (a server calls it on SIGTERM): the ready part of the
/// pending pool goes into last blocks, every waiter is answered, every ``heads()`` feed
/// finishes, and later submissions are refused as unavailable.
public actor Node {
    /// The chain the node writes.
    public nonisolated let chain: Chain
    /// Its limits and pacing.
    public nonisolated let configuration: NodeConfiguration
    /// The node this one follows, or nil for a node that builds its own blocks.
    public nonisolated let leader: RemoteNode?

    struct Pending {
        let transaction: SignedTransaction
        let sender: Address
        let arrival: ContinuousClock.Instant
    }

    var pending: [Hash32: Pending] = [:]
    var included: [Hash32: (height: UInt64, index: Int)] = [:]
    private var refused: [Hash32: (code: String, reason: String)] = [:]
    private var refusedOrder: [Hash32] = []
    private var statusWaiters: [Hash32: [UInt64: CheckedContinuation<TransactionStatus, Never>]] = [:]
    private var heightWaiters: [UInt64: (after: UInt64, continuation: CheckedContinuation<UInt64, Never>)] = [:]
    private var nextWaiterID: UInt64 = 0
    private var headFeeds: [UInt64: AsyncStream<UInt64>.Continuation] = [:]
    private var shuttingDown = false
    /// On a follower: the transactions it forwarded that are still pending here, with when
    /// each was last asked about at the leader and how often it was handed over again.
    var forwardChecks: [Hash32: ForwardCheck] = [:]
    /// On a follower: the task that asks the leader about forwarded transactions.
    var forwardKeeper: Task<Void, Never>?
    /// On a follower given one: the file that keeps the forwarded transactions still pending
    /// here across restarts.
    var journal: ForwardJournal?
    private var building = false
    private var builder: Task<Void, Never>?
    /// The task replicating the leader's blocks, on a follower.
    var replicator: Task<Void, Never>?
    /// Where replication stands, on a follower.
    var followState: FollowStatus?
    /// The newest block the node has indexed and announced.
    public private(set) var head: UInt64
    /// The chain's state as of the last block the node built, replicated or indexed: the
    /// nonces admission and batching read. Reading ``LedgerCore/Chain/state`` instead would
    /// wait for the chain's lock, held while a block executes and is written durably, and
    /// stall every submission behind each block.
    var view: ChainState

    private static let refusedMemory = 100_000

    /// A node over `chain`; call ``start()`` to begin building blocks.
    ///
    /// - Throws: a storage error when the stored blocks cannot be read to index them.
    public init(chain: Chain, configuration: NodeConfiguration = NodeConfiguration()) throws {
        try self.init(chain: chain, configuration: configuration, leader: nil)
    }

    /// A verifying follower of `leader` over `chain` (a chain started from the leader's
    /// genesis); call ``startFollowing(source:logger:)`` to begin replicating.
    ///
    /// With `forwardJournal`, the transactions it forwards are recorded in that file (a line
    /// each, flushed to disk) before they are handed to the leader, until a replicated block
    /// holds them or they are refused; a follower restarted over the same file reports the ones not
    /// yet replicated as pending again and asks the leader about them, handing over again any
    /// the leader lost, so each is included once.
    ///
    /// - Throws: a storage error when the stored blocks cannot be read to index them;
    ///   ``ForwardJournalError`` when the journal cannot be read or rewritten.
    public init(
        following leader: RemoteNode, chain: Chain, configuration: NodeConfiguration = NodeConfiguration(), forwardJournal: URL? = nil
    ) throws {
        try self.init(chain: chain, configuration: configuration, leader: leader, forwardJournal: forwardJournal)
    }

    private init(chain: Chain, configuration: NodeConfiguration, leader: RemoteNode?, forwardJournal: URL? = nil) throws {
        self.chain = chain
        self.configuration = configuration
        self.leader = leader
        self.followState = leader.map { FollowStatus(leader: $0.base.absoluteString) }
        try chain.refresh()
        var index: [Hash32: (height: UInt64, index: Int)] = [:]
        var top: UInt64 = 0
        for block in try chain.store.blocks(from: 1) {
            for (i, tx) in block.transactions.enumerated() { index[tx.hash] = (block.height, i) }
            top = block.height
        }
        included = index
        head = top
        view = chain.state
        if let forwardJournal {
            let reloaded = try Self.reloadForwarded(from: forwardJournal, included: index)
            journal = reloaded.journal
            pending = reloaded.pending
            forwardChecks = reloaded.checks
        }
    }

    /// Starts building blocks every ``NodeConfiguration/blockIntervalMilliseconds`` (nothing on
    /// a follower, whose blocks come from its leader).
    public func start() {
        guard builder == nil, leader == nil else { return }
        let interval = configuration.blockIntervalMilliseconds
        builder = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(interval))
                guard let self else { return }
                await self.buildBlock()
            }
        }
    }

    /// Stops building (or replicating) blocks; pending transactions stay pending.
    public func stop() {
        builder?.cancel()
        builder = nil
        replicator?.cancel()
        replicator = nil
        forwardKeeper?.cancel()
        forwardKeeper = nil
    }

    // MARK: - Shutting down

    /// Whether ``shutdown()`` has begun: the node admits nothing more.
    public var isShuttingDown: Bool { shuttingDown }

    /// Ends the node for good, in this order:
    ///
    /// 1. submissions are refused from now on with ``NodeError/unavailable(_:)`` (503: retry
    ///    when the node is back);
    /// 2. block building (or replication) stops; a node that builds its own blocks puts the
    ///    *ready* part of the pending pool (each sender's run of nonces from its chain nonce)
    ///    into last blocks, durably, so what it acknowledged is not lost. Transactions waiting
    ///    behind a nonce gap are not built and are forgotten: their senders resubmit them once
    ///    the node is back. A follower keeps no pool of its own: what it forwarded is in its
    ///    leader's pool;
    /// 3. every `wait` caller is answered with the transaction's status now (included, refused,
    ///    or still pending: a 202 that tells the client to ask again later);
    /// 4. every ``heads()`` feed finishes, so the live streams built on it end and a server can
    ///    close its connections and exit.
    ///
    /// Calling it again does nothing.
    public func shutdown() async {
        guard !shuttingDown else { return }
        shuttingDown = true
        stop()
        if leader == nil {
            while building { try? await Task.sleep(for: .milliseconds(1)) }
            // Each round builds at most maxBlockTransactions; a few rounds empty a full pool.
            var rounds = 0
            while rounds < 1 + configuration.maxPendingTransactions / configuration.maxBlockTransactions {
                rounds += 1
                let before = head
                await build()
                if head == before { break }
            }
        }
        for hash in Array(statusWaiters.keys) { resolveWaiters(hash) }
        for (id, waiter) in heightWaiters {
            heightWaiters[id] = nil
            waiter.continuation.resume(returning: head)
        }
        for feed in headFeeds.values { feed.finish() }
        headFeeds = [:]
    }

    /// The node's head now and then each new head as blocks are built or replicated (heads
    /// several blocks apart may be reported once, as the newest); the sequence finishes when
    /// the node shuts down, which is what lets a live stream served from it end.
    ///
    /// ```swift
    /// for await height in await node.heads() { /* send the blocks up to `height` */ }
    /// ```
    public func heads() -> AsyncStream<UInt64> {
        let (stream, continuation) = AsyncStream.makeStream(of: UInt64.self, bufferingPolicy: .bufferingNewest(1))
        continuation.yield(head)
        guard !shuttingDown else {
            continuation.finish()
            return stream
        }
        let id = nextWaiterID
        nextWaiterID += 1
        headFeeds[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.dropHeadFeed(id) }
        }
        return stream
    }

    private func dropHeadFeed(_ id: UInt64) { headFeeds[id] = nil }

    // MARK: - Submitting

    /// Admits a signed transaction to the pool and returns its hash. Submitting one that is
    /// already known (pending, included or refused) admits nothing and returns the same hash.
    /// A follower hands it to its leader instead and keeps it pending until the leader's block
    /// holding it has been replicated (or the leader refuses it).
    ///
    /// - Throws: ``NodeError/refused(code:detail:)`` when it can never be included (another
    ///   chain, no recoverable signer, an unknown module, a nonce already used);
    ///   ``NodeError/rateLimited(_:)`` when the pool is full; on a follower,
    ///   ``NodeError/unavailable(_:)`` when the leader cannot be reached.
    public func submit(_ transaction: SignedTransaction, sender: Address) async throws(NodeError) -> Hash32 {
        let hash = transaction.hash
        // A transaction reported dropped by a follower may be submitted again (that is what
        // the report asks for); every other refusal stands.
        if refused[hash]?.code == Node.forwardLostCode { refused[hash] = nil }
        if pending[hash] != nil || included[hash] != nil || refused[hash] != nil { return hash }
        guard !shuttingDown else {
            throw .unavailable("this node is shutting down and admits no transaction; resubmit \(hash) when it is back")
        }
        try admissible(transaction, sender: sender)
        if let leader { return try await forward(transaction, sender: sender, to: leader) }
        pending[hash] = Pending(transaction: transaction, sender: sender, arrival: .now)
        if pending.count >= configuration.maxBlockTransactions, !building {
            Task { await self.buildBlock() }
        }
        return hash
    }

    /// The checks a transaction must pass to enter the pool (or be forwarded).
    private func admissible(_ transaction: SignedTransaction, sender: Address) throws(NodeError) {
        guard transaction.chainID == chain.chainID else {
            throw .refusal(TransactionError.wrongChain(expected: chain.chainID, found: transaction.chainID))
        }
        guard chain.registry.names.contains(transaction.module) else { throw .refusal(TransactionError.unknownModule(transaction.module)) }
        let expected = view.nonce(of: sender)
        guard transaction.nonce >= expected else {
            throw .refusal(TransactionError.wrongNonce(account: sender, expected: expected, found: transaction.nonce))
        }
        guard pending.count < configuration.maxPendingTransactions else {
            throw .rateLimited("the pending pool holds \(pending.count) transactions, its limit; retry after the next block")
        }
    }

    /// The next nonce `account` should sign with: its chain nonce plus its pending
    /// transactions that follow on without a gap.
    public func pendingNonce(of account: Address) -> UInt64 {
        var next = view.nonce(of: account)
        let mine = Set(pending.values.lazy.filter { $0.sender == account }.map(\.transaction.nonce))
        while mine.contains(next) { next += 1 }
        return next
    }

    /// How many transactions wait in the pool.
    public var pendingCount: Int { pending.count }

    // MARK: - Status

    /// Where the transaction `hash` stands, or nil when the node has never seen it.
    public func status(of hash: Hash32) throws(NodeError) -> TransactionStatus? {
        if pending[hash] != nil { return .pending }
        if let r = refused[hash] { return .refused(code: r.code, reason: r.reason) }
        guard let at = included[hash] else { return nil }
        let block: Block?
        do { block = try chain.store.block(at: at.height) } catch { throw .internalFailure("reading block \(at.height): \(error)") }
        guard let block, at.index < block.receipts.count else {
            throw .internalFailure("block \(at.height) does not hold transaction \(hash) at index \(at.index)")
        }
        return .included(height: at.height, blockHash: block.hash, index: at.index, receipt: block.receipts[at.index])
    }

    /// The status of `hash` once it is final, or its status after `timeout`, when the calling
    /// task is cancelled or when the node shuts down (then possibly still pending).
    public func waitForOutcome(of hash: Hash32, timeout: Duration) async throws(NodeError) -> TransactionStatus? {
        guard let now = try status(of: hash) else { return nil }
        if now.isFinal || shuttingDown { return now }
        let id = nextWaiterID
        nextWaiterID += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expireStatusWaiter(hash, id)
        }
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: now)
                } else {
                    statusWaiters[hash, default: [:]][id] = continuation
                }
            }
        } onCancel: {
            Task { await self.expireStatusWaiter(hash, id) }
        }
        timer.cancel()
        return outcome
    }

    private func expireStatusWaiter(_ hash: Hash32, _ id: UInt64) {
        guard let continuation = statusWaiters[hash]?.removeValue(forKey: id) else { return }
        if statusWaiters[hash]?.isEmpty == true { statusWaiters[hash] = nil }
        continuation.resume(returning: (try? status(of: hash)).flatMap { $0 } ?? .pending)
    }

    /// Suspends until the node's head is above `height` and returns the head, or returns the
    /// current head after `timeout` (for keep-alives) or as soon as the calling task is
    /// cancelled. On a node that is shutting down it waits out `timeout` (no block will come),
    /// so a caller looping on it does not spin; such a caller should check
    /// ``isShuttingDown``, or follow ``heads()``, which finishes.
    public func waitForHead(above height: UInt64, timeout: Duration) async -> UInt64 {
        if head > height { return head }
        let id = nextWaiterID
        nextWaiterID += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.expireHeightWaiter(id)
        }
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: head)
                } else {
                    heightWaiters[id] = (height, continuation)
                }
            }
        } onCancel: {
            Task { await self.expireHeightWaiter(id) }
        }
        timer.cancel()
        return outcome
    }

    private func expireHeightWaiter(_ id: UInt64) {
        heightWaiters.removeValue(forKey: id)?.continuation.resume(returning: head)
    }

    // MARK: - Building blocks

    /// Builds one block from the ready pending transactions (nothing when none is ready), records
    /// each one's fate and wakes its waiters. Blocks other writers appended are indexed too.
    public func buildBlock() async {
        guard !shuttingDown else { return }
        await build()
    }

    /// ``buildBlock()`` without the shutdown check: ``shutdown()`` builds the last blocks with it.
    private func build() async {
        guard !building, leader == nil else { return }
        building = true
        defer { building = false }
        let ready = readyBatch()
        if !ready.isEmpty {
            let chain = self.chain
            let batch = ready.map(\.transaction)
            // The senders were recovered when the transactions were submitted (concurrently,
            // off this actor); the block builder does not recover them a second time.
            let senders = ready.map(\.sender)
            let result = await Task.detached { () -> Result<Chain.BlockOutcome, any Error> in
                Result { try chain.submit(batch, recoveredSenders: senders) }
            }.value
            switch result {
            case .success(let outcome):
                for rejection in outcome.rejected { refuse(rejection.transactionHash, NodeError.refusal(rejection.error)) }
            case .failure(let error):
                if batch.count == 1, !(error is ChainError) {
                    refuse(batch[0].hash, NodeError.refusal(error))
                } else if case ChainError.noTransactionAccepted = error {
                    // Every one was refused: find each one's reason on its own.
                    for p in ready {
                        let single = await Task.detached { Result { try chain.submit([p.transaction], recoveredSenders: [p.sender]) } }.value
                        if case .failure(let error) = single { refuse(p.transaction.hash, NodeError.refusal(error)) }
                    }
                }
                // A storage failure leaves the batch pending; the next round tries again.
            }
        }
        indexNewBlocks()
    }

    /// The transactions that can go into the next block: per sender, the run of nonces that
    /// starts at the sender's chain nonce, in nonce order. Stale ones (nonce used) and ones
    /// that waited too long behind a gap are refused here.
    private func readyBatch() -> [Pending] {
        var bySender: [Address: [Pending]] = [:]
        for p in pending.values { bySender[p.sender, default: []].append(p) }
        var ready: [(Pending, Int)] = []
        let gapTimeout = Duration.milliseconds(configuration.nonceGapTimeoutMilliseconds)
        for (sender, list) in bySender {
            var next = view.nonce(of: sender)
            var position = 0
            for p in list.sorted(by: { ($0.transaction.nonce, $0.arrival) < ($1.transaction.nonce, $1.arrival) }) {
                let nonce = p.transaction.nonce
                if nonce < next {
                    refuse(p.transaction.hash, .refusal(TransactionError.wrongNonce(account: sender, expected: next, found: nonce)))
                } else if nonce == next {
                    ready.append((p, position))
                    position += 1
                    next += 1
                } else if p.arrival.duration(to: .now) > gapTimeout {
                    refuse(p.transaction.hash, .refusal(TransactionError.wrongNonce(account: sender, expected: next, found: nonce)))
                }
            }
        }
        // Senders interleave by arrival; each sender's transactions stay in nonce order.
        ready.sort { ($0.1, $0.0.arrival) < ($1.1, $1.0.arrival) }
        return ready.prefix(configuration.maxBlockTransactions).map(\.0)
    }

    func refuse(_ hash: Hash32, _ error: NodeError) {
        pending[hash] = nil
        settleForwarded(hash)
        refused[hash] = (error.code, error.detail)
        refusedOrder.append(hash)
        if refusedOrder.count > Node.refusedMemory {
            let drop = refusedOrder.count - Node.refusedMemory
            for old in refusedOrder.prefix(drop) { refused[old] = nil }
            refusedOrder.removeFirst(drop)
        }
        resolveWaiters(hash)
    }

    private func indexNewBlocks() {
        // No block is being written by this node now: the chain's lock is free.
        view = chain.state
        guard view.height > head else { return }
        let blocks: [Block]
        do { blocks = try chain.store.blocks(from: head + 1) } catch { return }
        index(blocks)
    }

    /// Records where each transaction of `blocks` (the ones above the head, in order) is, wakes
    /// its waiters and moves the head.
    func index(_ blocks: [Block]) {
        for block in blocks where block.height == head + 1 {
            for (i, tx) in block.transactions.enumerated() {
                included[tx.hash] = (block.height, i)
                pending[tx.hash] = nil
                settleForwarded(tx.hash)
                // A follower may have reported a forwarded transaction dropped; the block says otherwise.
                refused[tx.hash] = nil
                resolveWaiters(tx.hash)
            }
            head = block.height
        }
        for (id, waiter) in heightWaiters where head > waiter.after {
            heightWaiters[id] = nil
            waiter.continuation.resume(returning: head)
        }
        for feed in headFeeds.values { feed.yield(head) }
    }

    private func resolveWaiters(_ hash: Hash32) {
        guard let waiters = statusWaiters.removeValue(forKey: hash) else { return }
        let outcome = (try? status(of: hash)).flatMap { $0 } ?? .pending
        for continuation in waiters.values { continuation.resume(returning: outcome) }
    }

    // MARK: - Chain time

    /// Moves chain time forward by `seconds` in an empty block; only on a dev node.
    ///
    /// - Throws: ``NodeError/forbidden(_:)`` on a node started without `--dev`.
    public func warp(by seconds: UInt64) async throws(NodeError) -> Block {
        guard leader == nil else {
            throw .forbidden("warp: this node follows \(leader?.base.absoluteString ?? "a leader"); chain time moves on the leader (warp there)")
        }
        guard configuration.dev else {
            throw .forbidden("warp: chain time moves only with the wall clock on this node; warping needs a dev node (dmctl node serve --dev)")
        }
        while building { await Task.yield() }
        building = true
        defer { building = false }
        let chain = self.chain
        let result = await Task.detached { Result { try chain.warp(by: seconds) } }.value
        indexNewBlocks()
        switch result {
        case .success(let block): return block
        case .failure(let error): throw .refusal(error)
        }
    }
}
