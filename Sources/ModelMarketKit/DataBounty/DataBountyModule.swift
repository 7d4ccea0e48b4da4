public import LedgerCore

/// The encrypted data-bounty protocol (seed 004, Hessian/Sonar) as a chain module named
/// `databounty`.
///
/// The chain never sees data, gradients or the Paillier key: it records the key's
/// fingerprint, hashes of the encrypted gradients and of their sum, the posted weights'
/// hashes and errors, and pays out of one escrow (bounty + sponsor bond + owner stakes).
/// At the end the sponsor reveals the validation set so that anyone can have the chain
/// recompute any posted error (``Call/challengeError(bounty:round:weights:)``).
public enum DataBountyModule: ChainModule {
    /// Every data bounty, by id, and the id the next one gets.
    public typealias State = BountyBook<DataBounty>

    /// The calls people sign.
    public enum Call: Codable, Sendable, Equatable {
        /// Sponsor: escrows bounty and bond, posts the terms.
        case create(DataBounty.Terms)
        /// Owner: stakes and registers, optionally in attribution mode.
        case join(bounty: UInt64, declaredSamples: UInt64, attribution: Bool)
        /// Owner: commits to the hash of its encrypted gradient for the current round.
        case commitGradient(bounty: UInt64, round: UInt64, gradientHash: Hash32)
        /// Aggregator (rotating owner): commits to the hash of the summed ciphertexts.
        case commitAggregate(bounty: UInt64, round: UInt64, aggregateHash: Hash32)
        /// Sponsor: posts the new weights' hash, the new validation error and (attribution
        /// mode) contribution scores; pays the round.
        case postRound(bounty: UInt64, round: UInt64, weightsHash: Hash32, error: UInt64, contributions: [DataBounty.Contribution])
        /// Sponsor: after the end, reveals the validation set and the final weights.
        case reveal(bounty: UInt64, features: [[Int64]], labels: [Int64], salt: Salt, finalWeights: [Int64])
        /// Anyone: shows round `round`'s weights; the chain recomputes its error and slashes the
        /// sponsor's bond to the owners on a mismatch.
        case challengeError(bounty: UInt64, round: UInt64, weights: [Int64])
        /// Anyone: after the challenge window (or a missed reveal), settles everything.
        case finalize(bounty: UInt64)
    }

    /// The module's name on the chain, `databounty`.
    public static let name = "databounty"

    /// The state before any call.
    public static func makeInitialState() -> State { State() }

    /// Runs one call; a thrown error refuses the transaction and reverts everything it did.
    public static func execute(_ call: Call, state: inout State, context: inout ExecutionContext) throws(DataBountyError) {
        if case .create(let terms) = call {
            return try state.create(id: \.id) { nextID throws(DataBountyError) in try DataBounty.create(terms, nextID: nextID, context: &context) }
        }
        try state.update(call.bountyID, unknown: DataBountyError.unknownBounty) { bounty throws(DataBountyError) in
            switch call {
            case .create: return
            case .join(_, let samples, let attribution): try bounty.join(declaredSamples: samples, attribution: attribution, context: &context)
            case .commitGradient(_, let round, let hash): try bounty.commitGradient(round: round, hash: hash, context: &context)
            case .commitAggregate(_, let round, let hash): try bounty.commitAggregate(round: round, hash: hash, context: &context)
            case .postRound(_, let round, let weightsHash, let error, let contributions):
                try bounty.postRound(round: round, weightsHash: weightsHash, error: error, contributions: contributions, context: &context)
            case .reveal(_, let features, let labels, let salt, let finalWeights):
                try bounty.reveal(features: features, labels: labels, salt: salt, finalWeights: finalWeights, context: &context)
            case .challengeError(_, let round, let weights): try bounty.challenge(round: round, weights: weights, context: &context)
            case .finalize: try bounty.finalize(context: &context)
            }
        }
    }
}

extension DataBountyModule.Call {
    /// The data bounty a call addresses (the new id for `create`).
    public var bountyID: UInt64 {
        switch self {
        case .create(let t): t.id
        case .join(let b, _, _), .commitGradient(let b, _, _), .commitAggregate(let b, _, _), .postRound(let b, _, _, _, _),
            .reveal(let b, _, _, _, _), .challengeError(let b, _, _), .finalize(let b):
            b
        }
    }
}
