public import LedgerCore

/// One data bounty (seed 004, Hessian/Sonar): a sponsor pays data owners for rounds of
/// encrypted gradients that lower a model's validation error towards a target. See the
/// `DataBounty` article for the formulas, the aggregator rule and the privacy trade-offs.
public struct DataBounty: Sendable, Codable, Equatable {
    /// How a round's payout is divided among its participants.
    public enum SplitRule: String, Sendable, Codable, Equatable, CustomStringConvertible {
        /// Equal shares.
        case equal
        /// In proportion to the sample counts declared at registration.
        case declaredSamples
        /// In proportion to the positive contribution scores the sponsor posts (attribution
        /// mode required of every owner).
        case contribution

        /// The rule's name as written in a bounty's terms, e.g. `contribution`.
        public var description: String { rawValue }
    }

    /// The sponsor's terms, posted in ``DataBountyModule/Call/create(_:)``.
    public struct Terms: Sendable, Codable, Equatable {
        /// The id the bounty will get (must equal `nextID`; the validation commitment is bound to it).
        public var id: UInt64
        /// The token of bounty, bond and stakes.
        public var token: TokenID
        /// The bounty paid out for lowering the error from initial to target.
        public var bounty: UInt256
        /// The sponsor's bond, slashed to the owners if a posted error proves false or the
        /// validation set is not revealed.
        public var sponsorBond: UInt256
        /// What each data owner stakes when it joins.
        public var ownerStake: UInt256
        /// Linear or logistic.
        public var model: IntegerModel.Kind
        /// The number of features (weights are one more: the bias).
        public var featureCount: UInt32
        /// The error of the initial weights on the validation set (see ``IntegerModel``).
        public var initialError: UInt64
        /// The error to reach; must be below the initial error.
        public var targetError: UInt64
        /// ``IntegerModel/weightsHash(_:)`` of the initial weights (round 0).
        public var initialWeightsHash: Hash32
        /// Rounds end at this block time.
        public var deadline: UInt64
        /// Seconds the sponsor has, after the end, to reveal the validation set.
        public var revealWindow: UInt64
        /// Seconds after the reveal in which anyone may challenge a posted error.
        public var challengeWindow: UInt64
        /// Keccak-256 of the Paillier public key's JSON (pheutil form): the chain only records
        /// which key the owners encrypt to.
        public var keyFingerprint: Hash32
        /// ``Commitment`` (domain `.validation`) to ``IntegerModel/validationPayloadHash(features:labels:)``.
        public var validationCommitment: Hash32
        /// The number of validation rows.
        public var validationSize: UInt32
        /// How round payouts are divided.
        public var split: SplitRule

        /// Bounty terms.
        public init(
            id: UInt64, token: TokenID, bounty: UInt256, sponsorBond: UInt256, ownerStake: UInt256, model: IntegerModel.Kind,
            featureCount: UInt32, initialError: UInt64, targetError: UInt64, initialWeightsHash: Hash32, deadline: UInt64,
            revealWindow: UInt64 = 3600, challengeWindow: UInt64 = 3600, keyFingerprint: Hash32, validationCommitment: Hash32,
            validationSize: UInt32, split: SplitRule
        ) {
            self.id = id
            self.token = token
            self.bounty = bounty
            self.sponsorBond = sponsorBond
            self.ownerStake = ownerStake
            self.model = model
            self.featureCount = featureCount
            self.initialError = initialError
            self.targetError = targetError
            self.initialWeightsHash = initialWeightsHash
            self.deadline = deadline
            self.revealWindow = revealWindow
            self.challengeWindow = challengeWindow
            self.keyFingerprint = keyFingerprint
            self.validationCommitment = validationCommitment
            self.validationSize = validationSize
            self.split = split
        }
    }

    /// A registered data owner.
    public struct Owner: Sendable, Codable, Equatable {
        /// Its address.
        public let address: Address
        /// Its position in join order (the aggregator rotation uses it).
        public let index: UInt32
        /// The sample count it declared (not verifiable on chain).
        public let declaredSamples: UInt64
        /// Whether it opted in to attribution mode (the sponsor sees its individual gradient).
        public let attribution: Bool
        /// Slashed for a negative contribution: no more payouts, stake lost.
        public internal(set) var slashed: Bool
        /// Whether its stake has left the escrow.
        public internal(set) var stakeSettled: Bool
        /// Everything it has been paid from the bounty.
        public internal(set) var earned: UInt256
    }

    /// A sponsor-posted contribution score of one owner in one round.
    public struct Contribution: Sendable, Codable, Equatable {
        /// The owner.
        public var owner: Address
        /// Its Data-Shapley value, in any fixed unit (only signs and ratios matter).
        public var score: Int64
        /// A score.
        public init(owner: Address, score: Int64) {
            self.owner = owner
            self.score = score
        }
    }

    /// One training round.
    public struct Round: Sendable, Codable, Equatable {
        /// Its number (1, 2, …).
        public let number: UInt64
        /// Owners who committed an encrypted gradient, in commit order, with the hashes.
        public internal(set) var gradients: [Gradient] = []
        /// The owner who committed the aggregate.
        public internal(set) var aggregator: Address?
        /// Hash of the summed ciphertexts.
        public internal(set) var aggregateHash: Hash32?
        /// The new weights' hash, once posted.
        public internal(set) var weightsHash: Hash32?
        /// The new validation error, once posted.
        public internal(set) var error: UInt64?
        /// What the round paid out.
        public internal(set) var payout: UInt256 = .zero
        /// The posted contribution scores.
        public internal(set) var contributions: [Contribution] = []

        /// One owner's committed gradient.
        public struct Gradient: Sendable, Codable, Equatable {
            /// The owner.
            public let owner: Address
            /// Keccak-256 of its encrypted gradient as delivered off chain.
            public let hash: Hash32
        }
    }

    /// Where a data bounty stands.
    public enum Phase: String, Sendable, Codable, Equatable, CustomStringConvertible {
        /// Owners join; rounds run until the target or the deadline.
        case training
        /// Ended; the sponsor must reveal the validation set and final weights.
        case awaitingReveal
        /// Revealed; anyone may challenge a posted error.
        case challenge
        /// Anyone may finalize (challenge window over, or the reveal was missed).
        case finalizable
        /// Settled. Terminal.
        case closed

        /// The phase's name as shown in a bounty's state, e.g. `training`.
        public var description: String { rawValue }
    }

    /// The bounty's id.
    public let id: UInt64
    /// The sponsor.
    public let sponsor: Address
    /// The terms.
    public let terms: Terms
    /// The escrow holding bounty, bond and stakes.
    public let escrow: UInt64
    /// Registered owners in join order.
    public internal(set) var owners: [Owner] = []
    /// Rounds so far (index 0 is round 1).
    public internal(set) var rounds: [Round] = []
    /// The lowest error posted so far (the initial error before any round).
    public internal(set) var bestError: UInt64
    /// Total bounty paid to owners.
    public internal(set) var paid: UInt256 = .zero
    /// When the target was reached, if it was.
    public internal(set) var targetReachedAt: UInt64?
    /// When the validation set was revealed.
    public internal(set) var revealedAt: UInt64?
    /// The revealed validation features (fixed point).
    public internal(set) var validationFeatures: [[Int64]]?
    /// The revealed validation labels.
    public internal(set) var validationLabels: [Int64]?
    /// The revealed final weights.
    public internal(set) var finalWeights: [Int64]?
    /// Whether the sponsor's bond was slashed to the owners.
    public internal(set) var sponsorSlashed = false
    /// Whether the unpaid bounty and the bond have left the escrow.
    public internal(set) var finalized = false

    // MARK: - Derived

    /// The round now accepting gradients (the one after the last posted).
    public var currentRound: UInt64 {
        if let last = rounds.last, last.error == nil { return last.number }
        return UInt64(rounds.count) + 1
    }

    /// When training ended: the target time, else the deadline.
    public var endTime: UInt64 { targetReachedAt ?? terms.deadline }

    /// The end of the reveal window.
    public var revealDeadline: UInt64 { later(endTime, terms.revealWindow) }

    /// The end of the challenge window, once revealed.
    public var challengeDeadline: UInt64? { revealedAt.map { later($0, terms.challengeWindow) } }

    /// The phase at `now`.
    public func phase(at now: UInt64) -> Phase {
        if finalized { return .closed }
        if let c = challengeDeadline { return now < c ? .challenge : .finalizable }
        if targetReachedAt == nil && now < terms.deadline { return .training }
        return now < revealDeadline ? .awaitingReveal : .finalizable
    }

    /// The owner record of `address`.
    public func owner(_ address: Address) -> Owner? { owners.first { $0.address == address } }

    /// The aggregator of `round` given its gradient committers: the committers sorted by join
    /// order, taken in rotation, `sorted[(round − 1) mod count]`.
    public func aggregator(of round: Round) -> Address? {
        let committed = round.gradients.compactMap { g in owners.first { $0.address == g.owner } }.sorted { $0.index < $1.index }
        guard !committed.isEmpty else { return nil }
        return committed[Int((round.number - 1) % UInt64(committed.count))].address
    }

    /// What the escrow must hold: unpaid bounty and bond until finalized, plus unsettled stakes.
    public func expectedEscrowHeld() throws(ArithmeticError) -> UInt256 {
        var total = UInt256.zero
        if !finalized {
            total = try terms.bounty - paid
            if !sponsorSlashed { total = try total + terms.sponsorBond }
        }
        for o in owners where !o.stakeSettled { total = try total + terms.ownerStake }
        return total
    }
}
