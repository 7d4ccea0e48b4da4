/// Integer, deterministic scoring: the chain recomputes a score from revealed predictions and
/// the revealed ground truth and gets the same number on every machine.
public enum Scoring {
    /// The score of `predictions` against `truth` under `metric` (higher is better).
    ///
    /// - Accuracy: `⌊correct · 10000 / n⌋` basis points; a prediction outside `0..<classes`
    ///   counts as wrong.
    /// - Mean absolute error: `−⌊Σ|pᵢ − tᵢ| / n⌋`, the floor taken on the (non-negative) error
    ///   before negation.
    ///
    /// - Throws: ``ScoringError/lengthMismatch(predictions:truth:)`` when the vectors differ in
    ///   length, ``ScoringError/empty`` for no labels, ``ScoringError/errorTooLarge`` when the
    ///   summed absolute error does not fit 64 bits.
    public static func score(predictions: [Int64], truth: [Int64], metric: Metric) throws(ScoringError) -> Int64 {
        guard predictions.count == truth.count else { throw .lengthMismatch(predictions: predictions.count, truth: truth.count) }
        guard !truth.isEmpty else { throw .empty }
        switch metric {
        case .accuracy(let classes):
            return Int64(accuracyBasisPoints(predictions: predictions, truth: truth, classes: classes))
        case .meanAbsoluteError:
            let mae = try meanAbsoluteError(predictions: predictions, truth: truth)
            guard mae <= UInt64(Int64.max) else { throw .errorTooLarge }
            return -Int64(mae)
        }
    }

    /// `⌊correct · 10000 / n⌋` for equal-length, non-empty vectors (0 for empty ones).
    public static func accuracyBasisPoints(predictions: [Int64], truth: [Int64], classes: UInt32) -> UInt64 {
        let n = min(predictions.count, truth.count)
        guard n > 0 else { return 0 }
        var correct: UInt64 = 0
        for i in 0..<n where predictions[i] == truth[i] && predictions[i] >= 0 && predictions[i] < Int64(classes) {
            correct += 1
        }
        return correct * 10_000 / UInt64(n)
    }

    /// `⌊Σ|pᵢ − tᵢ| / n⌋` in the labels' fixed-point units.
    /// - Throws: ``ScoringError/errorTooLarge`` when the sum does not fit 64 bits.
    public static func meanAbsoluteError(predictions: [Int64], truth: [Int64]) throws(ScoringError) -> UInt64 {
        let n = min(predictions.count, truth.count)
        guard n > 0 else { throw .empty }
        var sum: UInt64 = 0
        for i in 0..<n {
            let (p, t) = (predictions[i], truth[i])
            // |p − t| always fits UInt64: the magnitude of a difference of two Int64 is < 2^64.
            let difference = p >= t ? UInt64(bitPattern: p &- t) : UInt64(bitPattern: t &- p)
            let (s, overflow) = sum.addingReportingOverflow(difference)
            guard !overflow else { throw .errorTooLarge }
            sum = s
        }
        return sum / UInt64(n)
    }
}

/// Why predictions could not be scored.
public enum ScoringError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The predictions and the truth differ in length.
    case lengthMismatch(predictions: Int, truth: Int)
    /// There is nothing to score.
    case empty
    /// The summed absolute error exceeds 2^64 − 1 (or the mean exceeds 2^63 − 1).
    case errorTooLarge

    /// What prevented scoring (a length mismatch, no labels, an overflow) and what was expected.
    public var description: String {
        switch self {
        case .lengthMismatch(let p, let t): "predictions: \(p) values, expected one per test row (\(t))"
        case .empty: "truth: no labels to score against; expected at least one"
        case .errorTooLarge: "predictions: absolute error too large to score in 64 bits; expected values in the labels' fixed-point range"
        }
    }
}
