public import LedgerCore

/// The integer model evaluation the chain runs to check a data bounty's posted errors.
///
/// Every value is fixed point with ``scale`` = 10 000 (four decimals): features `x`, weights
/// `w` (one per feature, then the bias `b` last) and, for linear models, labels `y`. With
/// `|value| ≤ 2^27` and at most 256 features every sum fits in 64 bits, so the result is the
/// same on every machine.
///
/// - logistic: `z = Σ wⱼxⱼ + b·scale`; predict 1 iff `z ≥ 0` (σ(z) ≥ ½); the error is the
///   misclassification rate in basis points, `⌊wrong · 10000 / n⌋`.
/// - linear: `ŷ = z / scale` (truncated toward zero, in label units × scale); the error is the
///   mean squared error in scale² units, `⌊Σ(ŷ − y)² / n⌋`, saturating at 2^64 − 1.
public enum IntegerModel {
    /// The model family of a data bounty.
    public enum Kind: String, Sendable, Codable, Equatable, CustomStringConvertible {
        /// Linear regression; error = fixed-point MSE.
        case linear
        /// Logistic regression; error = misclassification in basis points.
        case logistic

        /// The model kind's name, `linear` or `logistic`.
        public var description: String { rawValue }
    }

    /// The fixed-point scale of features, weights and linear labels.
    public static let scale: Int64 = 10_000
    /// The largest magnitude any fixed-point value may have.
    public static let maximumMagnitude: Int64 = 1 << 27
    /// The most features a model may have.
    public static let maximumFeatures = 256

    /// The error of `weights` on the validation set, as defined above.
    /// - Throws: ``IntegerModelError`` for wrong shapes or out-of-range values.
    public static func error(_ kind: Kind, weights: [Int64], features: [[Int64]], labels: [Int64]) throws(IntegerModelError) -> UInt64 {
        guard !labels.isEmpty, labels.count == features.count else { throw .shape(reason: "\(features.count) rows and \(labels.count) labels; expected the same non-zero number") }
        let d = weights.count - 1
        guard d >= 1, d <= maximumFeatures else { throw .shape(reason: "\(weights.count) weights; expected features + 1 (bias last), at most \(maximumFeatures + 1)") }
        try checkRange(weights, field: "weights")
        var wrong: UInt64 = 0
        var squares = UInt256.zero
        for (i, row) in features.enumerated() {
            guard row.count == d else { throw .shape(reason: "row \(i) has \(row.count) features, expected \(d)") }
            try checkRange(row, field: "features[\(i)]")
            // Bounds: |wⱼxⱼ| ≤ 2^54, ≤ 256 terms, bias·scale ≤ 2^41: the sum stays below 2^63.
            var z = weights[d] * scale
            for j in 0..<d { z += weights[j] * row[j] }
            switch kind {
            case .logistic:
                guard labels[i] == 0 || labels[i] == 1 else { throw .label(index: i, value: labels[i], reason: "expected 0 or 1") }
                if (z >= 0 ? 1 : 0) != labels[i] { wrong += 1 }
            case .linear:
                guard abs(labels[i]) <= maximumMagnitude else { throw .label(index: i, value: labels[i], reason: "magnitude above 2^27") }
                let difference = (z / scale) - labels[i]
                let magnitude = UInt256(difference.magnitude)
                let square = (try? magnitude * magnitude) ?? .max
                squares = (try? squares + square) ?? .max
            }
        }
        let n = UInt64(labels.count)
        switch kind {
        case .logistic: return wrong * 10_000 / n
        case .linear:
            let mean = (try? squares / UInt256(n)) ?? .max
            return mean.uint64Value ?? .max
        }
    }

    static func checkRange(_ values: [Int64], field: String) throws(IntegerModelError) {
        if let bad = values.firstIndex(where: { $0 > maximumMagnitude || $0 < -maximumMagnitude }) {
            throw .outOfRange(field: field, index: bad, value: values[bad])
        }
    }

    /// Keccak-256 of `RLP(weights)` (fixed-width integers), the hash a sponsor posts per round.
    public static func weightsHash(_ weights: [Int64]) -> Hash32 { Keccak256.hash(Commitment.integers(weights).encoded) }

    /// Keccak-256 of `RLP([[row…]…, labels])`: the payload of a validation-set commitment.
    public static func validationPayloadHash(features: [[Int64]], labels: [Int64]) -> Hash32 {
        Keccak256.hash(RLP.list([.list(features.map(Commitment.integers)), Commitment.integers(labels)]).encoded)
    }

    /// Real weights (bias last) in fixed point, or nil if any is out of range.
    public static func quantize(_ values: [Double]) -> [Int64]? {
        var out: [Int64] = []
        for v in values {
            guard let q = FixedPoint.encode(v, scale: scale), abs(q) <= maximumMagnitude else { return nil }
            out.append(q)
        }
        return out
    }
}

/// Why the integer model could not be evaluated.
public enum IntegerModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Rows, labels and weights do not fit together.
    case shape(reason: String)
    /// A fixed-point value exceeds ±2^27.
    case outOfRange(field: String, index: Int, value: Int64)
    /// A label is invalid for the model.
    case label(index: Int, value: Int64, reason: String)

    /// What was wrong with the model, the features or the labels, and what was expected.
    public var description: String {
        switch self {
        case .shape(let r): "model: \(r)"
        case .outOfRange(let f, let i, let v): "\(f)[\(i)] = \(v), expected a fixed-point value within ±\(IntegerModel.maximumMagnitude)"
        case .label(let i, let v, let r): "labels[\(i)] = \(v): \(r)"
        }
    }
}
