public import LedgerCore

/// Why the model-bounty module refused a call. A refused call changes nothing.
public enum ModelBountyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The windows of a model bounty, named in refusals.
    public enum Window: String, Sendable, Equatable, CustomStringConvertible {
        /// Submissions, until the submission deadline.
        case submission
        /// The requester's truth reveal, from the deadline for one response window.
        case truth
        /// Score claims, for one response window after the truth.
        case claims
        /// The current candidate's reveal, for one response window after its selection.
        case candidate

        /// The window's name as quoted in an error message, e.g. `truth`.
        public var description: String { rawValue }
    }

    /// No bounty has this id.
    case unknownBounty(UInt64)
    /// A create named an id other than the next one.
    case wrongBountyID(requested: UInt64, next: UInt64)
    /// A term is out of range.
    case invalidTerms(field: String, reason: String)
    /// Only the requester may do this.
    case notRequester(bounty: UInt64, caller: Address, requester: Address)
    /// The requester tried to submit to its own bounty.
    case requesterMayNotSubmit(bounty: UInt64, requester: Address)
    /// The call needs another phase.
    case wrongPhase(bounty: UInt64, action: String, phase: ModelBounty.Phase, expected: [ModelBounty.Phase])
    /// The window this call needs has not opened yet.
    case windowNotOpen(bounty: UInt64, window: Window, opensAt: UInt64, now: UInt64)
    /// The window this call needs has closed.
    case windowClosed(bounty: UInt64, window: Window, closedAt: UInt64, now: UInt64)
    /// `timeout` was called while a window is still running.
    case windowStillOpen(bounty: UInt64, window: Window, closesAt: UInt64, now: UInt64)
    /// The trainer already has a submission here.
    case alreadySubmitted(bounty: UInt64, trainer: Address)
    /// The bounty reached its submission limit.
    case tooManySubmissions(bounty: UInt64, limit: Int)
    /// The caller has no submission here.
    case noSubmission(bounty: UInt64, trainer: Address)
    /// The submission is not in a status that allows this.
    case submissionStatus(bounty: UInt64, trainer: Address, action: String, status: ModelBounty.Submission.Status, expected: [ModelBounty.Submission.Status])
    /// The current candidate may not withdraw: it must reveal or be timed out.
    case candidateMayNotWithdraw(bounty: UInt64, trainer: Address, deadline: UInt64)
    /// Only the current candidate may reveal.
    case notCandidate(bounty: UInt64, caller: Address, candidate: Address)
    /// The revealed truth has the wrong number of labels.
    case truthLength(bounty: UInt64, expected: UInt32, found: Int)
    /// A revealed label is outside the metric's classes.
    case invalidLabel(bounty: UInt64, index: Int, value: Int64, classes: UInt32)
    /// The revealed truth does not match the commitment.
    case truthMismatch(bounty: UInt64, committed: Hash32, computed: Hash32)
    /// A ledger operation failed (balance, escrow).
    case ledger(LedgerError)
    /// An amount overflowed.
    case arithmetic(ArithmeticError)

    /// What the model bounty refused and what was expected, prefixed by the field or step concerned.
    public var description: String {
        switch self {
        case .unknownBounty(let id): "bounty: no bounty with id \(id)"
        case .wrongBountyID(let r, let n): "id: the create names bounty \(r), but the next id is \(n); recompute the truth commitment for id \(n)"
        case .invalidTerms(let f, let r): "\(f): \(r)"
        case .notRequester(let b, let c, let r): "bounty \(b): only the requester \(r) may do this, not \(c)"
        case .requesterMayNotSubmit(let b, let r): "bounty \(b): the requester \(r) may not submit to its own bounty"
        case .wrongPhase(let b, let a, let p, let e):
            "bounty \(b): cannot \(a) in phase \(p); expected phase \(e.map(\.rawValue).joined(separator: " or "))"
        case .windowNotOpen(let b, let w, let o, let n): "bounty \(b): \(w) window opens at \(o), now \(n)"
        case .windowClosed(let b, let w, let c, let n): "bounty \(b): \(w) window closed at \(c), now \(n)"
        case .windowStillOpen(let b, let w, let c, let n): "bounty \(b): nothing to time out: the \(w) window is open until \(c), now \(n)"
        case .alreadySubmitted(let b, let t): "bounty \(b): \(t) has already submitted; one submission per trainer"
        case .tooManySubmissions(let b, let l): "bounty \(b): submission limit of \(l) reached"
        case .noSubmission(let b, let t): "bounty \(b): \(t) has no submission"
        case .submissionStatus(let b, let t, let a, let s, let e):
            "bounty \(b): submission of \(t) cannot \(a) in status \(s); expected \(e.map(\.rawValue).joined(separator: " or "))"
        case .candidateMayNotWithdraw(let b, let t, let d): "bounty \(b): \(t) is the current candidate and must reveal before \(d) (or be timed out); it may not withdraw"
        case .notCandidate(let b, let c, let cand): "bounty \(b): only the current candidate \(cand) may reveal, not \(c)"
        case .truthLength(let b, let e, let f): "bounty \(b): truth has \(f) labels, expected test size \(e)"
        case .invalidLabel(let b, let i, let v, let k): "bounty \(b): truth label \(i) is \(v), expected a class in 0..<\(k)"
        case .truthMismatch(let b, let c, let h): "bounty \(b): revealed truth and salt hash to \(h), expected the committed \(c)"
        case .ledger(let e): "ledger: \(e)"
        case .arithmetic(let e): "amount: \(e)"
        }
    }
}
