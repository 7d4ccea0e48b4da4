/// Per-feature standardisation `(x − mean) / std`, fitted on training rows only. A constant
/// feature keeps scale 1 so it maps to 0 instead of dividing by zero.
public struct Standardizer: Sendable, Equatable, Codable {
    /// The mean of each feature.
    public let means: [Double]
    /// The (population) standard deviation of each feature, 1 where it is 0.
    public let scales: [Double]

    /// Fits means and deviations on `rows`.
    public init(fitting rows: [[Double]]) {
        let d = rows.first?.count ?? 0
        let n = Double(max(rows.count, 1))
        var means = [Double](repeating: 0, count: d)
        for row in rows { for j in 0..<d { means[j] += row[j] } }
        for j in 0..<d { means[j] /= n }
        var variances = [Double](repeating: 0, count: d)
        for row in rows { for j in 0..<d { let c = row[j] - means[j]; variances[j] += c * c } }
        self.means = means
        scales = variances.map { v in let s = (v / n).squareRoot(); return s > 1e-12 ? s : 1 }
    }

    /// One row standardised.
    public func transform(_ row: [Double]) -> [Double] {
        (0..<min(row.count, means.count)).map { (row[$0] - means[$0]) / scales[$0] }
    }

    /// Many rows standardised.
    public func transform(_ rows: [[Double]]) -> [[Double]] { rows.map(transform) }
}
