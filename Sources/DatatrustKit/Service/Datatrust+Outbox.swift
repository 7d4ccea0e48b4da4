import LedgerCore
import Logging

/// Submitting the outbox: the datatrust's own transactions (attestations, usage reports) that the
/// store queued in the same commit as the fact they report.
///
/// An entry is settled when the chain includes it, or when the chain refuses it as already done
/// (``DatatrustError/conflict(_:)`` from the market view: every listing attested already, a job
/// already reported or refunded); that refusal is how a submission that reached the chain just
/// before a crash is recognised after the restart, so each fact is reported exactly once. Any
/// other failure postpones the entry with an exponential back-off, up to
/// ``DatatrustConfiguration/outboxMaxBackoff``.
extension Datatrust {
    /// What one pass over the outbox did.
    public struct OutboxPass: Sendable, Equatable {
        /// Entries included on chain now.
        public var included = 0
        /// Entries the chain refused as already done (settled too).
        public var alreadyDone = 0
        /// Entries that failed and were postponed.
        public var postponed = 0
        /// Entries still owed after the pass (due later, or just postponed).
        public var pending = 0
    }

    enum Delivery: Sendable, Equatable {
        case included(String)
        case alreadyDone(String)
        case postponed(String)
        case settledBefore
    }

    /// Submits every entry that is due now, oldest first, one at a time (never concurrently
    /// with another submission of this datatrust).
    /// - Parameter overridingClaims: also take over entries another submitter claimed less than
    ///   ``outboxClaimLease`` seconds ago; only when no other process can be submitting (every
    ///   server sharing the index stopped, as `dmctl datatrust housekeep` requires).
    @discardableResult
    public func flushOutbox(overridingClaims: Bool = false) async -> OutboxPass {
        await outboxGate.enter()
        var pass = OutboxPass()
        do {
            for entry in try await store.pendingOutbox(dueAt: clock()) {
                switch await deliverHoldingGate(entry, overridingClaims: overridingClaims) {
                case .included: pass.included += 1
                case .alreadyDone: pass.alreadyDone += 1
                case .postponed: pass.postponed += 1
                case .settledBefore: break
                }
            }
            pass.pending = try await store.pendingOutbox(dueAt: nil).count
        } catch {
            logger.error("outbox unreadable", metadata: ["error": "\(error)"])
        }
        await outboxGate.leave()
        return pass
    }

    /// Submits `entry` now, ignoring its back-off (the request that queued it is waiting);
    /// returns the including transaction's hash, or nil when it stays queued or was done already.
    func deliverNow(_ entry: OutboxEntry) async -> String? {
        await outboxGate.enter()
        let outcome = await deliverHoldingGate(entry)
        await outboxGate.leave()
        if case .included(let tx) = outcome { return tx }
        return nil
    }

    /// How long, seconds, a claim on an outbox entry keeps other submitters (other datatrust
    /// processes sharing the store) away from it: long enough for one submission, short enough
    /// that an entry whose submitter died (kill -9) is taken over soon. Exactly-once does not
    /// rest on it: a second submission of a fact is refused by the chain and settled as done.
    public static let outboxClaimLease: Int64 = 30

    private func deliverHoldingGate(_ queued: OutboxEntry, overridingClaims: Bool = false) async -> Delivery {
        // Claim under the gate: another pass, or another process on the same store, may have
        // settled it or be submitting it.
        guard let entry = try? await store.claimOutbox(id: queued.id, now: clock(), lease: Self.outboxClaimLease, overriding: overridingClaims) else { return .settledBefore }
        let what: String
        let outcome: Delivery
        do {
            switch entry.action {
            case .attest(let hash):
                what = "attestation of \(hash.hex)"
                outcome = .included(try await chain.attestHolding(market: entry.market, dataHash: hash))
            case .reportUsage(let job, _, let listings):
                what = "usage report of job \(job)"
                outcome = .included(try await chain.reportUsage(market: entry.market, job: job, listings: listings))
            }
        } catch DatatrustError.conflict(let detail) {
            return await settle(entry, .alreadyDone(detail))
        } catch {
            let now = clock()
            let delay = min(configuration.outboxMaxBackoff, Int64(1) << min(entry.attempts, 20))
            logger.warning("outbox submission failed; retrying later", metadata: [
                "entry": "\(entry.id)", "market": "\(entry.market)", "attempts": "\(entry.attempts + 1)",
                "retryAt": "\(now + delay)", "error": "\(error)"])
            do { try await store.postponeOutbox(id: entry.id, error: "\(error)", notBefore: now + delay) } catch {
                logger.error("outbox entry not postponed", metadata: ["entry": "\(entry.id)", "error": "\(error)"])
            }
            return .postponed("\(error)")
        }
        logger.info("outbox entry included", metadata: ["entry": "\(entry.id)", "what": "\(what)"])
        return await settle(entry, outcome)
    }

    private func settle(_ entry: OutboxEntry, _ outcome: Delivery) async -> Delivery {
        var transaction: String?
        switch outcome {
        case .included(let tx): transaction = tx
        case .alreadyDone(let detail):
            logger.info("outbox entry already done on chain", metadata: ["entry": "\(entry.id)", "market": "\(entry.market)", "chain": "\(detail)"])
        default: break
        }
        do { try await store.settleOutbox(id: entry.id, transaction: transaction, at: clock()) } catch {
            // The chain has it; the next pass finds it done and settles it then.
            logger.error("outbox entry not settled", metadata: ["entry": "\(entry.id)", "error": "\(error)"])
        }
        return outcome
    }
}
