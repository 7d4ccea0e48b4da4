import Foundation
import LedgerCore

/// Binary logistic regression on standardised features, trained by seeded mini-batch
/// gradient descent: the reference learner trainers use in tests and the demo.
public struct LogisticRegression: Sendable, Equatable, Codable {
    /// The standardisation fitted on the training rows.
    public let standardizer: Standardizer
    /// One weight per (standardised) feature.
    public internal(set) var weights: [Double]
    /// The intercept.
    public internal(set) var bias: Double

    /// Trains on `features` with labels 0/1 (any label other than 1 counts as 0).
    public static func train(features: [[Double]], labels: [Int64], options: TrainingOptions = TrainingOptions()) -> LogisticRegression {
        let standardizer = Standardizer(fitting: features)
        let x = standardizer.transform(features)
        let d = standardizer.means.count
        var model = LogisticRegression(standardizer: standardizer, weights: [Double](repeating: 0, count: d), bias: 0)
        guard !x.isEmpty else { return model }
        options.forEachBatch(of: Array(0..<x.count)) { batch in
            var gradient = [Double](repeating: 0, count: d)
            var gradientBias = 0.0
            for i in batch {
                let error = sigmoid(model.logit(standardized: x[i])) - (labels[i] == 1 ? 1 : 0)
                for j in 0..<d { gradient[j] += error * x[i][j] }
                gradientBias += error
            }
            let m = Double(batch.count)
            for j in 0..<d { model.weights[j] -= options.learningRate * (gradient[j] / m + options.l2 * model.weights[j]) }
            model.bias -= options.learningRate * gradientBias / m
        }
        return model
    }

    /// `w · x + b` for an already standardised row.
    public func logit(standardized row: [Double]) -> Double {
        var z = bias
        for j in 0..<min(row.count, weights.count) { z += weights[j] * row[j] }
        return z
    }

    /// The probability of class 1 for a raw row.
    public func probability(_ row: [Double]) -> Double { sigmoid(logit(standardized: standardizer.transform(row))) }

    /// Class predictions (0/1) for raw rows.
    public func predict(_ rows: [[Double]]) -> [Int64] { rows.map { probability($0) >= 0.5 ? 1 : 0 } }
}

/// The logistic function, computed without overflow for large |z|.
func sigmoid(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
}

/// The fraction of equal entries.
public func accuracy(_ predictions: [Int64], _ labels: [Int64]) -> Double {
    guard !labels.isEmpty, predictions.count == labels.count else { return 0 }
    return Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(labels.count)
}
