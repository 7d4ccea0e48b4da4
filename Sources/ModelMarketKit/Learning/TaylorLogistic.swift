/// Logistic-regression gradients with the first-order Taylor approximation of the sigmoid,
/// `σ(z) ≈ ½ + z/4`, as in Sonar and the Hessian demo: the gradient is then linear in the
/// weights, so data owners can compute it on plaintext data and encrypt it, and an aggregator
/// can add the ciphertexts (Paillier) without anyone decrypting an individual gradient.
public enum TaylorLogistic {
    /// `Σᵢ (½ + zᵢ/4 − yᵢ) · [xᵢ, 1]` over the rows, with `zᵢ = w·xᵢ + b` and weights `[w, b]`
    /// (bias last). Summed, not averaged: sums aggregate across owners.
    public static func gradientSum(weights: [Double], features: [[Double]], labels: [Int64]) -> [Double] {
        let d = weights.count - 1
        var g = [Double](repeating: 0, count: weights.count)
        for (row, label) in zip(features, labels) {
            var z = weights[d]
            for j in 0..<min(d, row.count) { z += weights[j] * row[j] }
            let error = 0.5 + z / 4 - (label == 1 ? 1 : 0)
            for j in 0..<min(d, row.count) { g[j] += error * row[j] }
            g[d] += error
        }
        return g
    }

    /// One gradient step: `w ← w − rate · g / n`.
    public static func step(weights: [Double], gradientSum: [Double], count: Int, learningRate: Double) -> [Double] {
        let n = Double(max(count, 1))
        return zip(weights, gradientSum).map { $0 - learningRate * $1 / n }
    }
}
