public import LedgerCore

/// One model bounty (seed 002, ModelMarket): a requester escrows a reward for the best model on
/// a hidden test set; trainers stake and commit; the truth is revealed; the best verified
/// claim is paid. See the `ModelBounty` article in the documentation catalogue for the rules.
public struct ModelBounty: Sendable, Codable, Equatable {
    /// What the requester asks for, as posted in ``ModelBountyModule/Call/create(_:)``.
    public struct Terms: Sendable, Codable, Equatable {
        /// The id the bounty will get: must equal the module's `nextID` (the truth commitment
        /// is bound to it, so a create that raced another one is refused, not mis-bound).
        public var id: UInt64
        /// The token of the reward and the stakes.
        public var token: TokenID
        /// The reward, escrowed at creation.
        public var reward: UInt256
        /// What each trainer stakes when it submits.
        public var stake: UInt256
        /// Submissions close at this block time (seconds).
        public var submissionDeadline: UInt64
        /// The length of the truth, claims and per-candidate windows, in seconds (seed: 900).
        public var responseWindow: UInt64
        /// How predictions are scored.
        public var metric: Metric
        /// The number of test rows (and of labels and predictions).
        public var testSize: UInt32
        /// Keccak-256 of the published training file.
        public var trainingDataHash: Hash32
        /// Keccak-256 of the published, unlabelled test-features file.
        public var testFeaturesHash: Hash32
        /// ``Commitment/make(_:bountyID:committer:salt:payloadHash:)`` with domain `.truth`,
        /// this id, the requester, a salt and ``Commitment/truthPayloadHash(labels:)``.
        public var truthCommitment: Hash32

        /// The seed's response window: 15 minutes.
        public static let defaultResponseWindow: UInt64 = 900

        /// Bounty terms.
        public init(
            id: UInt64, token: TokenID, reward: UInt256, stake: UInt256, submissionDeadline: UInt64,
            responseWindow: UInt64 = Terms.defaultResponseWindow, metric: Metric, testSize: UInt32,
            trainingDataHash: Hash32, testFeaturesHash: Hash32, truthCommitment: Hash32
        ) {
            self.id = id
            self.token = token
            self.reward = reward
            self.stake = stake
            self.submissionDeadline = submissionDeadline
            self.responseWindow = responseWindow
            self.metric = metric
            self.testSize = testSize
            self.trainingDataHash = trainingDataHash
            self.testFeaturesHash = testFeaturesHash
            self.truthCommitment = truthCommitment
        }
    }

    /// Where a bounty stands at a given time.
    public enum Phase: String, Sendable, Codable, Equatable, CustomStringConvertible {
        /// Before the submission deadline: trainers submit or withdraw.
        case open
        /// After the deadline, before the truth is revealed: the requester must reveal within
        /// the response window, or anyone may cancel (reward to the trainers).
        case awaitingTruth
        /// Truth revealed; each trainer may claim its score once, within the response window.
        case claims
        /// Claims closed, no candidate selected yet: anyone may `pick` (or `timeout`).
        case selection
        /// A candidate must reveal within its window, or anyone may `timeout` it.
        case verification
        /// A verified winner was paid. Terminal.
        case paid
        /// No honest candidate remained; the requester was refunded. Terminal.
        case refunded
        /// Cancelled by the requester or for want of the truth; the reward went to the
        /// trainers (or back to the requester when there were none). Terminal.
        case cancelled

        /// The phase's name as shown in a bounty's state, e.g. `open`.
        public var description: String { rawValue }

        /// Whether no call can change the bounty any more.
        public var isTerminal: Bool { self == .paid || self == .refunded || self == .cancelled }
    }

    /// A trainer's submission.
    public struct Submission: Sendable, Codable, Equatable {
        /// The trainer.
        public let trainer: Address
        /// Its position in submission order (0 first): ties between equal claims go to the lower.
        public let sequence: UInt32
        /// The salted, address-bound commitment to predictions and model hash.
        public let commitment: Hash32
        /// When it was submitted.
        public let submittedAt: UInt64
        /// Where it stands.
        public internal(set) var status: Status
        /// The claimed score, once claimed.
        public internal(set) var claim: Int64?
        /// Whether its stake has left the escrow (returned, paid on, or distributed); set once,
        /// so no stake is ever paid twice.
        public internal(set) var stakeSettled: Bool

        /// The states of a submission.
        public enum Status: String, Sendable, Codable, Equatable, CustomStringConvertible {
            /// Staked and committed; no claim yet.
            case committed
            /// Withdrawn before the deadline; stake returned.
            case withdrawn
            /// Stake lost: withdrawn after the deadline, or no claim in the claims window.
            case forfeited
            /// Score claimed; awaiting (or never needing) verification.
            case claimed
            /// Failed verification or timed out as candidate; stake lost.
            case slashed
            /// Verified winner.
            case verified

            /// The status's name as shown in a bounty's state, e.g. `committed`.
            public var description: String { rawValue }
        }
    }

    /// Why a candidate was slashed.
    public enum SlashReason: String, Sendable, Codable, Equatable {
        /// Did not reveal within its candidate window.
        case timeout
        /// Revealed data that does not hash to its commitment (wrong salt, or a copied commitment).
        case commitmentMismatch
        /// The revealed predictions cannot be scored (wrong length, out of range).
        case invalidPredictions
        /// The recomputed score differs from the claim.
        case scoreMismatch
    }

    /// The bounty's id.
    public let id: UInt64
    /// Who posted it.
    public let requester: Address
    /// The posted terms.
    public let terms: Terms
    /// The escrow holding the reward and every stake.
    public let escrow: UInt64
    /// When it was created.
    public let createdAt: UInt64
    /// Submissions in submission order.
    public internal(set) var submissions: [Submission] = []
    /// The revealed labels.
    public internal(set) var truth: [Int64]?
    /// When the truth was revealed.
    public internal(set) var truthRevealedAt: UInt64?
    /// Index into ``submissions`` of the current candidate.
    public internal(set) var candidate: Int?
    /// The end of the current candidate's reveal window.
    public internal(set) var candidateDeadline: UInt64?
    /// Whether the reward has left the escrow.
    public internal(set) var rewardSettled = false
    /// The terminal phase, once reached.
    public internal(set) var outcome: Phase?
    /// The verified winner.
    public internal(set) var winner: Address?
    /// The winner's revealed model hash, published.
    public internal(set) var modelHash: Hash32?
    /// The winner's verified score.
    public internal(set) var winningScore: Int64?

    /// The most submissions one bounty accepts, so that settling stays bounded.
    public static let maximumSubmissions = 256

    // MARK: - Derived

    /// The phase at block time `now`.
    public func phase(at now: UInt64) -> Phase {
        if let outcome { return outcome }
        guard let revealedAt = truthRevealedAt else {
            return now < terms.submissionDeadline ? .open : .awaitingTruth
        }
        if now < later(revealedAt, terms.responseWindow) { return .claims }
        return candidate == nil ? .selection : .verification
    }

    /// The end of the truth window: deadline + response window.
    public var truthDeadline: UInt64 { later(terms.submissionDeadline, terms.responseWindow) }

    /// The end of the claims window, once the truth is revealed.
    public var claimsDeadline: UInt64? { truthRevealedAt.map { later($0, terms.responseWindow) } }

    /// The submission of `trainer`, if any.
    public func submission(of trainer: Address) -> Submission? { submissions.first { $0.trainer == trainer } }

    /// What the escrow must hold: the reward until settled plus every stake not yet settled.
    /// The chain keeps `escrow.held` equal to this after every transaction.
    public func expectedEscrowHeld() throws(ArithmeticError) -> UInt256 {
        var total: UInt256 = rewardSettled ? .zero : terms.reward
        for s in submissions where !s.stakeSettled { total = try total + terms.stake }
        return total
    }
}

/// `t + d`, saturating at the end of time instead of trapping.
func later(_ t: UInt64, _ d: UInt64) -> UInt64 {
    let (sum, overflow) = t.addingReportingOverflow(d)
    return overflow ? .max : sum
}
