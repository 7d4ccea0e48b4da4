import Foundation
import LedgerCore
import Logging

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
                let outcome = await Task.detached { () -> (applied: [Block], failure: (any Error)?) in
                    var applied: [Block] = []
                    for block in blocks where block.height > chain.height {
                        do { try chain.append(verifying: block) } catch { return (applied, error) }
                        applied.append(block)
                    }
                    return (applied, nil)
                }.value
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
    /// holding it is replicated, or records the leader's refusal.
    func forward(_ transaction: SignedTransaction, sender: Address, to leader: RemoteNode) async throws(NodeError) -> Hash32 {
        let hash = transaction.hash
        let outcome: NodeAPI.TransactionStatusBody
        do { outcome = try await leader.submit(transaction) } catch {
            switch error {
            case .answered(_, let status, let code, let detail):
                switch status {
                case 400: throw .badRequest(detail)
                case 403: throw .forbidden(detail)
                case 413: throw .payloadTooLarge(detail)
                case 422: throw .refused(code: code.isEmpty ? "refused" : code, detail: detail)
                case 429: throw .rateLimited(detail)
                default: throw .unavailable("the leader \(leader.base.absoluteString) answered \(status): \(detail); retry later")
                }
            default:
                throw .unavailable("\(error); this node forwards transactions to its leader, retry when it is back")
            }
        }
        if outcome.status == "refused" {
            refuse(hash, .refused(code: outcome.error ?? "refused", detail: outcome.detail ?? "refused by the leader"))
        } else if included[hash] == nil {
            pending[hash] = Pending(transaction: transaction, sender: sender, arrival: .now)
            // The leader may still refuse it when it builds its block; such a refusal is in
            // no block, so it is asked for.
            Task { [weak self] in await self?.watchForwarded(hash, at: leader) }
        }
        return hash
    }

    /// Asks the leader about a forwarded transaction until it is final there or replicated
    /// here; a refusal there is recorded here.
    private func watchForwarded(_ hash: Hash32, at leader: RemoteNode) async {
        var failures = 0
        while pending[hash] != nil, !Task.isCancelled, failures < 20 {
            let outcome: NodeAPI.TransactionStatusBody?
            do { outcome = try await leader.status(of: hash, waitSeconds: 60) } catch {
                failures += 1
                try? await Task.sleep(for: .milliseconds(250 * failures))
                continue
            }
            guard let outcome else { return }  // the leader lost it (restarted): the stale check will settle it
            switch outcome.status {
            case "refused":
                if pending[hash] != nil {
                    refuse(hash, .refused(code: outcome.error ?? "refused", detail: outcome.detail ?? "refused by the leader"))
                }
                return
            case "included":
                return  // replication brings the block
            default:
                continue
            }
        }
    }

    /// Forwarded transactions whose nonce the replicated chain has passed without including
    /// them will never be included: they are refused here as the leader refused them.
    private func dropStaleForwarded() {
        guard !pending.isEmpty else { return }
        for (hash, p) in pending {
            let expected = chain.nonce(of: p.sender)
            if p.transaction.nonce < expected, included[hash] == nil {
                refuse(hash, .refusal(TransactionError.wrongNonce(account: p.sender, expected: expected, found: p.transaction.nonce)))
            }
        }
    }
}
