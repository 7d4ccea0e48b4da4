public import LedgerCore

/// A paying user's evaluation of a model: a rating plus commitments to example inputs and
/// outputs and to the text (all kept off chain).
public struct Evaluation: Codable, Sendable, Equatable {
    /// Its id.
    public let id: UInt64
    /// The model evaluated.
    public let model: UInt64
    /// Who wrote it.
    public let evaluator: Address
    /// The rating, 1...5.
    public let rating: UInt8
    /// Keccak-256 of the example inputs.
    public let inputsHash: Hash32
    /// Keccak-256 of the model's outputs on them.
    public let outputsHash: Hash32
    /// Keccak-256 of the evaluation text.
    public let textHash: Hash32
    /// When it was posted.
    public let postedAt: UInt64
    /// Reviews marking it helpful.
    public internal(set) var helpful: UInt64 = 0
    /// Reviews marking it unhelpful.
    public internal(set) var unhelpful: UInt64 = 0
}

/// An evaluator's standing: the reviews their evaluations received, over all models.
public struct Standing: Codable, Sendable, Equatable {
    /// Helpful reviews received.
    public internal(set) var helpful: UInt64 = 0
    /// Unhelpful reviews received.
    public internal(set) var unhelpful: UInt64 = 0

    /// The weight of this evaluator's ratings: `1 + max(0, helpful − unhelpful)`. Unhelpful
    /// reviews cancel helpful ones but never push the weight below 1.
    public var weight: UInt64 {
        let net = helpful > unhelpful ? helpful - unhelpful : 0
        return net == .max ? .max : net + 1
    }
}
