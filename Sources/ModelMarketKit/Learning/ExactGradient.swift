import Foundation

/// The exact gradients of the default data-bounty mode, exact secure aggregation: the sponsor
/// publishes the weights in plaintext each round, each owner computes the true gradient of the
/// logistic (or softmax) loss on its own standardised rows, and only the sum over all owners is
/// ever decrypted. Sums, not means, so that owners' contributions add.
///
/// The loss and its regularisation are those of scikit-learn's `LogisticRegression` with
/// inverse strength C: Σᵢ logloss(xᵢ, yᵢ) + ‖w‖² / (2C), the intercepts unpenalised. The
/// sponsor adds the penalty's gradient w / C itself (it knows w), so owners send only data
/// terms. See the `DataBountyModes` article for what each party learns.
public enum ExactGradient {
    /// Σᵢ (σ(w·xᵢ + b) − yᵢ) · [xᵢ, 1] over `features` (standardised rows), with `weights` =
    /// [w, b] (bias last) and labels 0/1 (any label other than 1 counts as 0).
    public static func logisticSum(weights: [Double], features: [[Double]], labels: [Int64]) -> [Double] {
        let d = weights.count - 1
        var g = [Double](repeating: 0, count: weights.count)
        guard d >= 0 else { return g }
        for (row, label) in zip(features, labels) {
            var z = weights[d]
            for j in 0..<min(d, row.count) { z += weights[j] * row[j] }
            let error = sigmoid(z) - (label == 1 ? 1 : 0)
            for j in 0..<min(d, row.count) { g[j] += error * row[j] }
            g[d] += error
        }
        return g
    }

    /// Σᵢ (softmax(W·xᵢ + b)_c − [yᵢ = c]) · [xᵢ, 1] for every class c, flattened class by
    /// class: `weights[c·(d+1) + j]` is class c's weight of feature j, `j = d` its bias; the
    /// result has the same layout. Labels outside `0..<classes` contribute nothing.
    public static func softmaxSum(weights: [Double], classes: Int, features: [[Double]], labels: [Int64]) -> [Double] {
        var g = [Double](repeating: 0, count: weights.count)
        guard classes >= 1, weights.count % classes == 0, weights.count >= classes else { return g }
        let stride = weights.count / classes
        let d = stride - 1
        for (row, label) in zip(features, labels) where label >= 0 && label < Int64(classes) {
            var logits = [Double](repeating: 0, count: classes)
            for c in 0..<classes {
                var z = weights[c * stride + d]
                for j in 0..<min(d, row.count) { z += weights[c * stride + j] * row[j] }
                logits[c] = z
            }
            let top = logits.max() ?? 0
            let e = logits.map { exp($0 - top) }
            let total = e.reduce(0, +)
            for c in 0..<classes {
                let error = e[c] / total - (label == Int64(c) ? 1 : 0)
                for j in 0..<min(d, row.count) { g[c * stride + j] += error * row[j] }
                g[c * stride + d] += error
            }
        }
        return g
    }

    /// A bound on every component of an owner's gradient sum, from its rows alone: the
    /// error terms lie in [−1, 1], so |gⱼ| ≤ Σᵢ |xᵢⱼ| and |g_bias| ≤ the row count. An owner
    /// checks it against the published packing range before encrypting.
    public static func bound(features: [[Double]]) -> Double {
        var columns = [Double](repeating: 0, count: features.first?.count ?? 0)
        for row in features { for j in 0..<min(row.count, columns.count) { columns[j] += abs(row[j]) } }
        return max(columns.max() ?? 0, Double(features.count))
    }

    /// The sponsor's gradient step on the sum of all owners' gradients over `count` rows:
    /// w ← w − rate · (g + w / C) / count, with the penalty skipped for the intercepts (every
    /// `stride`-th value, the last of each class block; `stride` = features + 1).
    ///
    /// - Parameters:
    ///   - weights: the current weights, class block after class block.
    ///   - gradientSum: the decrypted sum of every owner's gradient, laid out as `weights`.
    ///   - count: the number of rows the sum covers.
    ///   - learningRate: the step size.
    ///   - inverseRegularization: C as in scikit-learn (nil: no penalty).
    ///   - stride: features + 1; every `stride`-th value is an intercept.
    public static func step(
        weights: [Double], gradientSum: [Double], count: Int, learningRate: Double, inverseRegularization: Double?,
        stride: Int
    ) -> [Double] {
        let n = Double(max(count, 1))
        let blocks = max(stride, 1)
        var out = weights
        for i in 0..<min(weights.count, gradientSum.count) {
            let isBias = (i + 1) % blocks == 0
            let penalty = (isBias || inverseRegularization == nil) ? 0 : weights[i] / (inverseRegularization ?? 1)
            out[i] = weights[i] - learningRate * (gradientSum[i] + penalty) / n
        }
        return out
    }

    /// The fraction of `labels` a logistic model [w, b] (bias last) classifies right on
    /// standardised rows (predict 1 iff w·x + b ≥ 0).
    public static func logisticAccuracy(weights: [Double], features: [[Double]], labels: [Int64]) -> Double {
        guard let d = weights.indices.last, !labels.isEmpty else { return 0 }
        var right = 0
        for (row, label) in zip(features, labels) {
            var z = weights[d]
            for j in 0..<min(d, row.count) { z += weights[j] * row[j] }
            if (z >= 0 ? 1 : 0) == (label == 1 ? 1 : 0) { right += 1 }
        }
        return Double(right) / Double(labels.count)
    }
}
