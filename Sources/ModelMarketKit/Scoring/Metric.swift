/// How a model bounty scores predictions against the ground truth. Scores are integers, and a
/// higher score is always better, so the "highest claim wins" rule holds for every metric.
public enum Metric: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Classification into `classes` labels `0..<classes`; the score is the accuracy in basis
    /// points, `⌊correct · 10000 / n⌋` (0…10000).
    case accuracy(classes: UInt32)
    /// Regression on fixed-point integer labels; the score is minus the mean absolute error in
    /// the labels' fixed-point units, `−⌊Σ|pᵢ − tᵢ| / n⌋` (≤ 0; closer to 0 is better).
    case meanAbsoluteError

    /// The metric in words with its unit, e.g. `accuracy over 2 classes (basis points)`.
    public var description: String {
        switch self {
        case .accuracy(let k): "accuracy over \(k) classes (basis points)"
        case .meanAbsoluteError: "negated mean absolute error (fixed-point units)"
        }
    }
}
