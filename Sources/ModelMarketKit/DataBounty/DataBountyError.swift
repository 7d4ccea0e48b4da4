public import LedgerCore

/// Why the data-bounty module refused a call. A refused call changes nothing.
public enum DataBountyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The windows of a data bounty, named in refusals.
    public enum Window: String, Sendable, Equatable, CustomStringConvertible {
        /// Joining and rounds, until the deadline (or the target).
        case training
        /// The sponsor's reveal, after the end.
        case reveal
        /// Challenges, after the reveal.
        case challenge

        /// The window's name as quoted in an error message, e.g. `reveal`.
        public var description: String { rawValue }
    }

    /// No bounty has this id.
    case unknownBounty(UInt64)
    /// A create named an id other than the next one.
    case wrongBountyID(requested: UInt64, next: UInt64)
    /// A term is out of range.
    case invalidTerms(field: String, reason: String)
    /// Only the sponsor may do this.
    case notSponsor(bounty: UInt64, caller: Address, sponsor: Address)
    /// The sponsor may not join as a data owner.
    case sponsorMayNotJoin(bounty: UInt64)
    /// The caller already joined.
    case alreadyJoined(bounty: UInt64, owner: Address)
    /// The caller is not a registered owner.
    case notOwner(bounty: UInt64, caller: Address)
    /// The owner was slashed and takes no further part.
    case ownerSlashed(bounty: UInt64, owner: Address)
    /// A contribution-split bounty needs every owner in attribution mode.
    case attributionRequired(bounty: UInt64)
    /// The call needs another phase.
    case wrongPhase(bounty: UInt64, action: String, phase: DataBounty.Phase, expected: [DataBounty.Phase])
    /// The window this call needs has closed.
    case windowClosed(bounty: UInt64, window: Window, closedAt: UInt64, now: UInt64)
    /// A window is still running.
    case windowStillOpen(bounty: UInt64, window: Window, closesAt: UInt64, now: UInt64)
    /// The call names a round other than the current one.
    case wrongRound(bounty: UInt64, round: UInt64, current: UInt64)
    /// The owner already committed a gradient this round.
    case alreadyCommitted(bounty: UInt64, round: UInt64, owner: Address)
    /// The round's aggregate is committed; gradients are closed.
    case aggregateCommitted(bounty: UInt64, round: UInt64)
    /// No gradient was committed this round.
    case noGradients(bounty: UInt64, round: UInt64)
    /// Only the round's rotating aggregator may commit the aggregate.
    case notAggregator(bounty: UInt64, round: UInt64, caller: Address, aggregator: Address)
    /// The round has no committed aggregate yet.
    case aggregateMissing(bounty: UInt64, round: UInt64)
    /// A contribution score that is not allowed.
    case contributionNotAllowed(bounty: UInt64, owner: Address, reason: String)
    /// A contribution split needs a score for every participant.
    case missingContribution(bounty: UInt64, round: UInt64, owner: Address)
    /// The revealed validation set does not match the commitment.
    case validationMismatch(bounty: UInt64, committed: Hash32, computed: Hash32)
    /// The revealed validation set has the wrong shape.
    case validationShape(bounty: UInt64, reason: String)
    /// Weights do not hash to what was posted for that round.
    case weightsMismatch(bounty: UInt64, round: UInt64, posted: Hash32, computed: Hash32)
    /// The challenged round's error is correct.
    case errorMatches(bounty: UInt64, round: UInt64, posted: UInt64, recomputed: UInt64)
    /// The sponsor's bond was already slashed.
    case sponsorAlreadySlashed(bounty: UInt64)
    /// No round with this number was posted.
    case unknownRound(bounty: UInt64, round: UInt64, posted: UInt64)
    /// The integer model could not be evaluated.
    case model(IntegerModelError)
    /// A ledger operation failed.
    case ledger(LedgerError)
    /// An amount overflowed.
    case arithmetic(ArithmeticError)

    /// What the data bounty refused and what was expected, prefixed by the field or step concerned.
    public var description: String {
        switch self {
        case .unknownBounty(let id): "databounty: no data bounty with id \(id)"
        case .wrongBountyID(let r, let n): "id: the create names data bounty \(r), but the next id is \(n); recompute the validation commitment for id \(n)"
        case .invalidTerms(let f, let r): "\(f): \(r)"
        case .notSponsor(let b, let c, let s): "data bounty \(b): only the sponsor \(s) may do this, not \(c)"
        case .sponsorMayNotJoin(let b): "data bounty \(b): the sponsor may not join as a data owner"
        case .alreadyJoined(let b, let o): "data bounty \(b): \(o) has already joined"
        case .notOwner(let b, let c): "data bounty \(b): \(c) is not a registered data owner"
        case .ownerSlashed(let b, let o): "data bounty \(b): \(o) was slashed for a negative contribution and takes no further part"
        case .attributionRequired(let b): "data bounty \(b): the split rule is contribution, so owners must join in attribution mode"
        case .wrongPhase(let b, let a, let p, let e):
            "data bounty \(b): cannot \(a) in phase \(p); expected phase \(e.map(\.rawValue).joined(separator: " or "))"
        case .windowClosed(let b, let w, let c, let n): "data bounty \(b): \(w) window closed at \(c), now \(n)"
        case .windowStillOpen(let b, let w, let c, let n): "data bounty \(b): the \(w) window is open until \(c), now \(n)"
        case .wrongRound(let b, let r, let c): "data bounty \(b): round \(r) is not the current round \(c)"
        case .alreadyCommitted(let b, let r, let o): "data bounty \(b): \(o) already committed a gradient in round \(r)"
        case .aggregateCommitted(let b, let r): "data bounty \(b): round \(r)'s aggregate is committed; gradients for it are closed"
        case .noGradients(let b, let r): "data bounty \(b): round \(r) has no committed gradient to aggregate"
        case .notAggregator(let b, let r, let c, let a): "data bounty \(b): round \(r)'s aggregator is \(a) (rotation over its committers), not \(c)"
        case .aggregateMissing(let b, let r): "data bounty \(b): round \(r) has no committed aggregate; the aggregator must commit first"
        case .contributionNotAllowed(let b, let o, let r): "data bounty \(b): contribution for \(o) refused: \(r)"
        case .missingContribution(let b, let r, let o): "data bounty \(b): round \(r) splits by contribution but has no score for participant \(o)"
        case .validationMismatch(let b, let c, let h): "data bounty \(b): revealed validation set and salt hash to \(h), expected the committed \(c)"
        case .validationShape(let b, let r): "data bounty \(b): validation set: \(r)"
        case .weightsMismatch(let b, let r, let p, let c): "data bounty \(b): weights hash to \(c), but round \(r) posted \(p)"
        case .errorMatches(let b, let r, let p, let c): "data bounty \(b): round \(r) posted error \(p) and the chain recomputes \(c): nothing to challenge"
        case .sponsorAlreadySlashed(let b): "data bounty \(b): the sponsor's bond was already slashed"
        case .unknownRound(let b, let r, let p): "data bounty \(b): round \(r) was not posted; rounds 0 to \(p) exist"
        case .model(let e): "\(e)"
        case .ledger(let e): "ledger: \(e)"
        case .arithmetic(let e): "amount: \(e)"
        }
    }
}
