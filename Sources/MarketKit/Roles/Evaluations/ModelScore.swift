public import LedgerCore

/// A model's rating, weighted by its evaluators' standing (integers only).
///
/// ```
/// w_e   = 1 + max(0, helpful_e − unhelpful_e)   summed over ALL evaluations by e's author
/// score = floor(100 · Σ rating_e · w_e / Σ w_e) (hundredths of a star, 100...500)
/// ```
///
/// A model without evaluations has no score. The weight is the author's standing at query
/// time, so a helpful review raises the weight of every rating its author has given.
public struct ModelScore: Sendable, Equatable {
    /// The score in hundredths of a star (100...500), floored.
    public let hundredths: UInt64
    /// The number of evaluations.
    public let evaluations: Int
    /// `Σ w_e`.
    public let totalWeight: UInt256

    /// Computes the score of `(rating, weight)` pairs, or nil when there are none.
    public static func compute(_ ratings: [(rating: UInt8, weight: UInt64)]) -> ModelScore? {
        guard !ratings.isEmpty else { return nil }
        var num = UInt256.zero
        var den = UInt256.zero
        for (r, w) in ratings {
            // Σ w ≤ count · 2^64 and Σ r·w ≤ 5 · that: far below 2^256.
            num = (try? num.adding((try? UInt256(UInt64(r)).multiplied(by: UInt256(w))) ?? .max)) ?? .max
            den = (try? den.adding(UInt256(w))) ?? .max
        }
        let scaled = (try? UInt256.multiplyThenDivide(num, 100, den).quotient) ?? .zero
        return ModelScore(hundredths: scaled.uint64Value ?? 0, evaluations: ratings.count, totalWeight: den)
    }
}
