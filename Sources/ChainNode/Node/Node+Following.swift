import Foundation
public import LedgerCore
public import Logging

/// Where a follower's replication stands, as `GET /head` shows it.
public struct FollowStatus: Sendable, Equatable {
    /// The leader's base URL.
    public let leader: String
    /// The height of the leader's block that did not verify, once one did not; replication
    /// stops there for good (the operator must look at the leader).
    public internal(set) var refusedHeight: UInt64?
    /// Why that block was refused.
    public internal(set) var refusal: String?
    /// The last passing failure (the leader unreachable, a broken stream), cleared by the next
    /// block replicated.
    public internal(set) var lastError: String?
    /// Blocks replicated and verified since this process started.
    public internal(set) var replicated: UInt64 = 0

    /// A status for a follower of `leader` that has replicated nothing yet.
    public init(leader: String) { self.leader = leader }
}

extension Node {
    /// Where replication stands; nil on a node that builds its own blocks.
    public var followStatus: FollowStatus? { followState }

    /// Starts replicating the leader's blocks from `source` (a ``NodeBlockSource`` over the
    /// leader by default): each page of blocks is checked and appended with
    /// `Chain.append(verifying:)` (the chain's own replay: hash chain, roots, every
    /// signature, receipts), then indexed and announced like a block built here.
    ///
    /// A block that does not verify is refused: its height and reason go to
    /// ``followStatus`` and the log, and the follower stops advancing (it keeps serving what it
    /// has verified). A passing failure (the leader down, a broken stream) is retried with a
    /// back-off from 100 ms to 5 s. Nothing happens on a node that has no leader.
    public func startFollowing(source: (any BlockSource)? = nil, logger: Logger = Logger(label: "datamarket.node.follower")) {
        guard let leader, replicator == nil else { return }
        let source = source ?? NodeBlockSource(node: leader)
        replicator = Task { [weak self] in
            await self?.replicate(from: source, logger: logger)
        }
        // Forwarded transactions reloaded from the journal are asked about at once.
        if !forwardChecks.isEmpty, forwardKeeper == nil, !isShuttingDown {
            forwardKeeper = Task { [weak self] in await self?.keepForwarded(at: leader) }
        }
    }

    /// Suspends until the follower has replicated block `height` (true), or its replication
    /// stopped at a refused block below it, or `timeout` passed (false).
    public func waitForReplication(of height: UInt64, timeout: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while head < height {
            if followState?.refusedHeight != nil { return false }
            let left = clock.now.duration(to: deadline)
            guard left > .zero else { return false }
            _ = await waitForHead(above: head, timeout: min(left, .milliseconds(200)))
        }
        return true
    }

    private func replicate(from source: any BlockSource, logger: Logger) async {
        var delay = Duration.milliseconds(100)
        let chain = self.chain
        while !Task.isCancelled {
            do {
                let from = chain.height + 1
                let blocks = try await source.blocks(from: from)
                guard !blocks.isEmpty else {
                    try await source.waitForBlocks(after: from - 1, timeout: .seconds(5))
                    continue
                }
                // Verified and appended off the actor: the replay is the expensive part.
                // One page is made durable with one sync (`Chain.append(verifying:)` of the
                // page); the blocks before one that does not verify are still kept.
                let outcome = await Task.detached { () -> (applied: [Block], failure: (any Error)?) in
                    let fresh = blocks.filter { $0.height > chain.height }
                    do { try chain.append(verifying: fresh) } catch {
                        let reached = chain.height
                        return (fresh.filter { $0.height <= reached }, error)
                    }
                    return (fresh, nil)
                }.value
                view = chain.state
                index(outcome.applied)
                followState?.replicated += UInt64(outcome.applied.count)
                if !outcome.applied.isEmpty { followState?.lastError = nil }
                dropStaleForwarded()
                if let failure = outcome.failure { throw failure }
                delay = .milliseconds(100)
            } catch is CancellationError {
                return
            } catch {
                if let refusal = Self.refusal(error, next: chain.height + 1) {
                    let (height, reason) = refusal
                    followState?.refusedHeight = height
                    followState?.refusal = reason
                    logger.error(
                        "refused the leader's block; replication stopped",
                        metadata: ["height": "\(height)", "reason": "\(reason)", "leader": "\(leader?.base.absoluteString ?? "")"])
                    return
                }
                if followState?.lastError == nil {
                    logger.warning("replication paused; retrying", metadata: ["error": "\(error)"])
                }
                followState?.lastError = "\(error)"
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// The height and reason when `error` says the leader's block does not verify (as opposed
    /// to a passing failure of the network or the local disk).
    static func refusal(_ error: any Error, next: UInt64) -> (UInt64, String)? {
        switch error {
        case let e as ChainError:
            switch e {
            case .heightMismatch: return (next, "\(e)")
            case .parentMismatch(let h, _, _), .timestampBeforeParent(let h, _, _), .hashMismatch(let h, _), .replayFailed(let h, _, _):
                return (h, "\(e)")
            case .genesisMismatch: return (0, "\(e)")
            default: return nil
            }
        case RemoteNodeError.badBlock(let h, let reason):
            return (h, reason)
        default:
            return nil
        }
    }

    // MARK: - Forwarding

    /// Hands `transaction` to the leader and tracks it as pending here until the leader's block
    /// holding it is replicated, or records the leader's refusal. What happens when the leader
    /// refuses it later or loses it: see ``keepForwarded(at:)``.
    func forward(_ transaction: SignedTransaction, sender: Address, to leader: RemoteNode) async throws(NodeError) -> Hash32 {
        let hash = transaction.hash
        // Written ahead: a follower killed once the leader has it still knows of it.
        do { try await journal?.add(transaction).run() } catch {
            throw .unavailable("\(error); this follower records what it forwards before forwarding it, retry when the file is writable")
        }
        let outcome: NodeAPI.TransactionStatusBody
        do { outcome = try await leader.submit(transaction) } catch {
            let failure = Self.forwardingFailure(error, leader: leader)
            // A refusal is this transaction's fate: a later lookup here says so too.
            if case .refused = failure { refuse(hash, failure) }
            // Not taken: the client is told so and resubmits; nothing to track.
            if pending[hash] == nil { settleForwarded(hash) }
            throw failure
        }
        if outcome.status == "refused" {
            refuse(hash, .refused(code: outcome.error ?? "refused", detail: outcome.detail ?? "refused by the leader"))
        } else if included[hash] != nil {
            settleForwarded(hash)
        } else if pending[hash] == nil {
            pending[hash] = Pending(transaction: transaction, sender: sender, arrival: .now)
            forwardChecks[hash] = ForwardCheck(lastAsked: .now)
            if forwardKeeper == nil, !isShuttingDown {
                forwardKeeper = Task { [weak self] in await self?.keepForwarded(at: leader) }
            }
        }
        return hash
    }

    /// What the client of a follower is told when the leader turns a forwarded transaction
    /// away or cannot be reached: the leader's own status and typed reason.
    static func forwardingFailure(_ error: RemoteNodeError, leader: RemoteNode) -> NodeError {
        switch error {
        case .answered(_, let status, let code, let detail):
            switch status {
            case 400: .badRequest(detail)
            case 403: .forbidden(detail)
            case 413: .payloadTooLarge(detail)
            case 422: .refused(code: code.isEmpty ? "refused" : code, detail: detail)
            case 429: .rateLimited(detail)
            default: .unavailable("the leader \(leader.base.absoluteString) answered \(status): \(detail); retry later")
            }
        default:
            .unavailable("\(error); this node forwards transactions to its leader, retry when it is back")
        }
    }

    /// The refusal code of a forwarded transaction this follower reports dropped.
    static let forwardLostCode = "NodeError.forwardLost"
    /// The most times a follower hands the same transaction to a leader that lost it.
    static let maxReforwards = 5
    /// A forwarded transaction still pending here is asked about at the leader this often.
    static let forwardCheckInterval = Duration.milliseconds(500)
    /// The most forwarded transactions asked about in one round.
    static let forwardChecksPerRound = 64

    /// Keeps the status of forwarded transactions truthful, for as long as any is pending here.
    /// Every ``forwardCheckInterval`` each one not yet replicated is asked about at the leader
    /// (a plain lookup, not a long poll, so a few connections serve any number of them; lowest
    /// nonces first, so one the leader lost is handed over again before those behind it):
    /// - refused by the leader (when it built its block): refused here with the leader's code
    ///   and reason;
    /// - included or pending there: nothing to do; replication brings the block;
    /// - unknown to the leader (it restarted without it: killed before building its block):
    ///   handed over again at once, at most ``maxReforwards`` times; the leader's refusal of the
    ///   new copy (its nonce used meanwhile) is recorded here as above;
    /// - the leader unreachable: asked again next round; once it has been unreachable for
    ///   ``NodeConfiguration/forwardRetryMilliseconds``, every forwarded transaction still
    ///   pending here is reported dropped (refused with code `NodeError.forwardLost` and the
    ///   reason), since it may be in no pool; it may then be submitted again, and should a block
    ///   include it after all, that block's status replaces the report.
    ///
    /// The same transaction is never included twice whatever happens: its nonce admits it once.
    func keepForwarded(at leader: RemoteNode) async {
        let clock = ContinuousClock()
        let patience = Duration.milliseconds(configuration.forwardRetryMilliseconds)
        var unreachableSince: ContinuousClock.Instant?
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            forwardChecks = forwardChecks.filter { pending[$0.key] != nil }
            let now = clock.now
            let due = forwardChecks.filter { $0.value.lastAsked.duration(to: now) >= Self.forwardCheckInterval }
                .compactMap { hash, _ in pending[hash].map { (hash, $0) } }
                .sorted { ($0.1.transaction.nonce, $0.1.arrival) < ($1.1.transaction.nonce, $1.1.arrival) }
                .prefix(Self.forwardChecksPerRound)
            for (hash, p) in due where pending[hash] != nil && !Task.isCancelled {
                forwardChecks[hash]?.lastAsked = clock.now
                guard let failure = await ask(about: p.transaction, at: leader) else {
                    unreachableSince = nil
                    continue
                }
                let since = unreachableSince ?? now
                unreachableSince = since
                if since.duration(to: clock.now) >= patience {
                    let detail = "forwardLost: the leader \(leader.base.absoluteString) could not be reached for \(configuration.forwardRetryMilliseconds / 1000) s (\(failure)); the transaction may be in no pool and was not included as far as this follower knows; submit it again"
                    for lost in forwardChecks.keys where pending[lost] != nil { refuse(lost, .refused(code: Self.forwardLostCode, detail: detail)) }
                    forwardChecks = [:]
                    unreachableSince = nil
                }
                break  // the leader is down: the next round asks again
            }
        }
    }

    /// Asks the leader about a forwarded transaction and settles what the answer settles;
    /// returns why the leader could not be reached, or nil.
    private func ask(about transaction: SignedTransaction, at leader: RemoteNode) async -> String? {
        let hash = transaction.hash
        let outcome: NodeAPI.TransactionStatusBody?
        do { outcome = try await leader.status(of: hash) } catch {
            if case .unreachable(let reason) = error { return reason }
            return nil  // an answer, if not a useful one: ask again next round
        }
        guard pending[hash] != nil else { return nil }
        if let outcome {
            if outcome.status == "refused" {
                refuse(hash, .refused(code: outcome.error ?? "refused", detail: outcome.detail ?? "refused by the leader"))
            }
            return nil
        }
        // The leader does not know it: it restarted without it. Hand it over again.
        let count = (forwardChecks[hash]?.reforwards ?? 0) + 1
        guard count <= Self.maxReforwards else {
            refuse(hash, .refused(code: Self.forwardLostCode, detail: "forwardLost: the leader \(leader.base.absoluteString) lost \(hash) \(count) times; submit it again"))
            return nil
        }
        forwardChecks[hash]?.reforwards = count
        do {
            let again = try await leader.submit(transaction)
            if again.status == "refused", pending[hash] != nil {
                refuse(hash, .refused(code: again.error ?? "refused", detail: again.detail ?? "refused by the leader"))
            }
        } catch {
            let failure = Self.forwardingFailure(error, leader: leader)
            if case .refused = failure, pending[hash] != nil { refuse(hash, failure) }
            if case .unreachable(let reason) = error { return reason }
        }
        return nil
    }

    /// Reads the journal at `url` and takes up its transactions: the ones a stored block already
    /// holds (`included`; or whose signer cannot be recovered) are settled; the others are
    /// returned as pending here again and due to be asked about at the leader
    /// (``startFollowing(source:logger:)`` starts asking).
    static func reloadForwarded(from url: URL, included: [Hash32: (height: UInt64, index: Int)]) throws
        -> (journal: ForwardJournal, pending: [Hash32: Pending], checks: [Hash32: ForwardCheck])
    {
        let journal = try ForwardJournal(url: url)
        let due = ContinuousClock.now.advanced(by: .zero - forwardCheckInterval)
        var pending: [Hash32: Pending] = [:]
        var checks: [Hash32: ForwardCheck] = [:]
        for tx in journal.transactions {
            let hash = tx.hash
            guard included[hash] == nil, let sender = try? tx.recoverSender() else {
                // Settled now; a failed write leaves it for the next start, which settles it again.
                try? journal.settle(hash)
                continue
            }
            pending[hash] = Pending(transaction: tx, sender: sender, arrival: .now)
            checks[hash] = ForwardCheck(lastAsked: due)
        }
        return (journal, pending, checks)
    }

    /// Takes `hash` off the journal of forwarded transactions (a follower's; nothing elsewhere).
    func settleForwarded(_ hash: Hash32) {
        // A failed write leaves the entry live on disk; after a restart it is asked about at
        // the leader (or found in a block) and settled then, so nothing is lost or doubled.
        try? journal?.settle(hash)
    }

    /// Forwarded transactions whose nonce the replicated chain has passed without including
    /// them will never be included: they are refused here as the leader refused them.
    private func dropStaleForwarded() {
        guard !pending.isEmpty else { return }
        for (hash, p) in pending {
            let expected = view.nonce(of: p.sender)
            if p.transaction.nonce < expected, included[hash] == nil {
                refuse(hash, .refusal(TransactionError.wrongNonce(account: p.sender, expected: expected, found: p.transaction.nonce)))
            }
        }
    }
}

/// On a follower: where a forwarded transaction's check at the leader stands.
struct ForwardCheck: Sendable {
    /// When the leader was last asked about it (or it was forwarded).
    var lastAsked: ContinuousClock.Instant
    /// How many times it was handed to the leader again after the leader lost it.
    var reforwards = 0
}
