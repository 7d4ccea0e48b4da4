import Foundation
import LedgerCore

/// Multinomial (softmax) logistic regression on standardised features, trained by seeded
/// mini-batch gradient descent: the reference learner for more than two classes.
public struct SoftmaxRegression: Sendable, Equatable, Codable {
    /// The standardisation fitted on the training rows.
    public let standardizer: Standardizer
    /// `weights[c][j]`: class `c`, feature `j`.
    public internal(set) var weights: [[Double]]
    /// One intercept per class.
    public internal(set) var biases: [Double]

    /// Trains on `features` with labels `0..<classes` (labels outside are ignored).
    public static func train(features: [[Double]], labels: [Int64], classes: Int, options: TrainingOptions = TrainingOptions()) -> SoftmaxRegression {
        let standardizer = Standardizer(fitting: features)
        let x = standardizer.transform(features)
        let d = standardizer.means.count
        let k = max(1, classes)
        var model = SoftmaxRegression(
            standardizer: standardizer, weights: [[Double]](repeating: [Double](repeating: 0, count: d), count: k),
            biases: [Double](repeating: 0, count: k))
        let rows = (0..<x.count).filter { labels[$0] >= 0 && labels[$0] < Int64(k) }
        guard !rows.isEmpty else { return model }
        options.forEachBatch(of: rows) { batch in
            var gradient = [[Double]](repeating: [Double](repeating: 0, count: d), count: k)
            var gradientBias = [Double](repeating: 0, count: k)
            for i in batch {
                let p = model.probabilities(standardized: x[i])
                for c in 0..<k {
                    let error = p[c] - (labels[i] == Int64(c) ? 1 : 0)
                    for j in 0..<d { gradient[c][j] += error * x[i][j] }
                    gradientBias[c] += error
                }
            }
            let m = Double(batch.count)
            for c in 0..<k {
                for j in 0..<d { model.weights[c][j] -= options.learningRate * (gradient[c][j] / m + options.l2 * model.weights[c][j]) }
                model.biases[c] -= options.learningRate * gradientBias[c] / m
            }
        }
        return model
    }

    /// Class probabilities for an already standardised row (max-shifted for stability).
    public func probabilities(standardized row: [Double]) -> [Double] {
        var logits: [Double] = []
        logits.reserveCapacity(biases.count)
        for c in 0..<biases.count {
            var z: Double = biases[c]
            for j in 0..<min(row.count, weights[c].count) { z += weights[c][j] * row[j] }
            logits.append(z)
        }
        let top = logits.max() ?? 0
        let e = logits.map { exp($0 - top) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    /// The most probable class of each raw row (ties: the lowest class).
    public func predict(_ rows: [[Double]]) -> [Int64] {
        rows.map { row in
            let p = probabilities(standardized: standardizer.transform(row))
            var best = 0
            for c in 1..<max(1, p.count) where p[c] > p[best] { best = c }
            return Int64(best)
        }
    }
}
