public import LedgerCore

/// The model-bounty protocol (seed 002, ModelMarket) as a chain module named `bounty`.
///
/// ```swift
/// let chain = try Chain.create(genesis: genesis, modules: [ModelBountyModule.self])
/// try chain.send(.create(terms), to: ModelBountyModule.self, from: requester)
/// try chain.send(.submit(bounty: 1, commitment: c), to: ModelBountyModule.self, from: trainer)
/// ```
///
/// The reward and every stake sit in one escrow per bounty; each leaves it exactly once, by
/// `ExecutionContext.release`. See the `ModelBounty` article for the windows and payouts.
public enum ModelBountyModule: ChainModule {
    /// Every bounty, by id, and the id the next one gets.
    public typealias State = BountyBook<ModelBounty>

    /// The calls people sign.
    public enum Call: Codable, Sendable, Equatable {
        /// Requester: escrows the reward and posts the terms.
        case create(ModelBounty.Terms)
        /// Trainer: stakes and commits to predictions and model hash, before the deadline.
        case submit(bounty: UInt64, commitment: Hash32)
        /// Trainer: cancels its submission; before the deadline the stake is returned, after it
        /// the stake is lost.
        case withdraw(bounty: UInt64)
        /// Requester: cancels the bounty at any time; with no live submissions the reward is
        /// refunded, otherwise it is shared among the trainers.
        case cancel(bounty: UInt64)
        /// Requester: reveals the labels and salt, within the truth window.
        case revealTruth(bounty: UInt64, labels: [Int64], salt: Salt)
        /// Trainer: claims its score, once, within the claims window.
        case claim(bounty: UInt64, score: Int64)
        /// Anyone: after the claims window, selects the highest claim as candidate.
        case pick(bounty: UInt64)
        /// Candidate: reveals predictions, model hash and salt within its window.
        case reveal(bounty: UInt64, predictions: [Int64], modelHash: Hash32, salt: Salt)
        /// Anyone: applies the outcome of whichever window has expired.
        case timeout(bounty: UInt64)
    }

    /// The module's name on the chain, `bounty`.
    public static let name = "bounty"

    /// The state before any call.
    public static func makeInitialState() -> State { State() }

    /// Runs one call; a thrown error refuses the transaction and reverts everything it did.
    public static func execute(_ call: Call, state: inout State, context: inout ExecutionContext) throws(ModelBountyError) {
        if case .create(let terms) = call {
            return try state.create(id: \.id) { nextID throws(ModelBountyError) in try ModelBounty.create(terms, nextID: nextID, context: &context) }
        }
        try state.update(call.bountyID, unknown: ModelBountyError.unknownBounty) { bounty throws(ModelBountyError) in
            switch call {
            case .create: return
            case .submit(_, let commitment): try bounty.submit(commitment: commitment, context: &context)
            case .withdraw: try bounty.withdraw(context: &context)
            case .cancel: try bounty.cancel(context: &context)
            case .revealTruth(_, let labels, let salt): try bounty.revealTruth(labels: labels, salt: salt, context: &context)
            case .claim(_, let score): try bounty.claim(score: score, context: &context)
            case .pick: try bounty.pick(context: &context)
            case .reveal(_, let predictions, let modelHash, let salt):
                try bounty.reveal(predictions: predictions, modelHash: modelHash, salt: salt, context: &context)
            case .timeout: try bounty.timeout(context: &context)
            }
        }
    }
}

extension ModelBountyModule.Call {
    /// The bounty a call addresses (the new id for `create`).
    public var bountyID: UInt64 {
        switch self {
        case .create(let t): t.id
        case .submit(let b, _), .withdraw(let b), .cancel(let b), .revealTruth(let b, _, _), .claim(let b, _),
            .pick(let b), .reveal(let b, _, _, _), .timeout(let b):
            b
        }
    }
}
