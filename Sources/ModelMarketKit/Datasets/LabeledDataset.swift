public import Foundation
import LedgerCore

/// A table of real-valued features with one integer label per row, as in the project's data
/// files (`Data/README.md`): an optional header `n_rows,n_features,class_0,class_1,...`, then
/// lines `f_1,...,f_n,label`.
///
/// Off-chain tooling: floating point is fine here, nothing of it reaches protocol state.
public struct LabeledDataset: Sendable, Equatable {
    /// One row of features per example.
    public var features: [[Double]]
    /// One label per example: a class index, or a fixed-point regression value.
    public var labels: [Int64]
    /// Class names from the header (empty without a header).
    public var classNames: [String]

    /// A dataset from parallel arrays.
    public init(features: [[Double]], labels: [Int64], classNames: [String] = []) {
        self.features = features
        self.labels = labels
        self.classNames = classNames
    }

    /// The number of rows.
    public var count: Int { labels.count }

    /// The number of features per row.
    public var featureCount: Int { features.first?.count ?? 0 }

    /// The number of classes: from the header, else one more than the largest label.
    public var classCount: Int { classNames.isEmpty ? Int((labels.max() ?? 0) + 1) : classNames.count }

    // MARK: - Reading

    /// Parses CSV text in the project's format.
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - labelScale: Labels are multiplied by this and must then be integers (1 for classes;
    ///     e.g. 1000 for a regression target with three decimals).
    /// - Throws: ``DatasetError`` naming the line and column of the first problem.
    public static func parse(csv text: String, labelScale: Double = 1) throws(DatasetError) -> LabeledDataset {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw .empty }
        var classNames: [String] = []
        var headerRows: Int?
        var headerFeatures: Int?
        var firstData = 0
        let firstFields = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        if lines.count > 1 {
            let secondCount = lines[1].split(separator: ",", omittingEmptySubsequences: false).count
            // A header is `n_rows,n_features` followed by at least two class names (not numbers).
            let names = firstFields.dropFirst(2)
            if firstFields.count != secondCount, names.count >= 2, names.allSatisfy({ Double($0) == nil }),
               let rows = Int(firstFields[0]), let feats = Int(firstFields[1]) {
                headerRows = rows
                headerFeatures = feats
                classNames = firstFields.dropFirst(2).map(String.init)
                firstData = 1
            }
        }
        var features: [[Double]] = []
        var labels: [Int64] = []
        var width: Int?
        for lineIndex in firstData..<lines.count {
            let lineNumber = lineIndex + 1
            let fields = lines[lineIndex].split(separator: ",", omittingEmptySubsequences: false)
            if let width, fields.count != width { throw .fieldCount(line: lineNumber, expected: width, found: fields.count) }
            guard fields.count >= 2 else { throw .fieldCount(line: lineNumber, expected: max(2, width ?? 2), found: fields.count) }
            width = fields.count
            var row: [Double] = []
            row.reserveCapacity(fields.count - 1)
            for (column, field) in fields.dropLast().enumerated() {
                guard let v = Double(field.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                    throw .notANumber(line: lineNumber, column: column + 1, text: String(field))
                }
                row.append(v)
            }
            let labelText = String(fields[fields.count - 1]).trimmingCharacters(in: .whitespaces)
            guard let raw = Double(labelText), raw.isFinite else { throw .invalidLabel(line: lineNumber, text: labelText) }
            let scaled = (raw * labelScale).rounded()
            guard abs(scaled) < 9.0e15, labelScale != 1 || scaled == raw else { throw .invalidLabel(line: lineNumber, text: labelText) }
            features.append(row)
            labels.append(Int64(scaled))
        }
        guard !labels.isEmpty else { throw .empty }
        if let headerRows, headerRows != labels.count { throw .headerMismatch(field: "n_rows", header: headerRows, found: labels.count) }
        if let headerFeatures, headerFeatures != features[0].count {
            throw .headerMismatch(field: "n_features", header: headerFeatures, found: features[0].count)
        }
        return LabeledDataset(features: features, labels: labels, classNames: classNames)
    }

    /// Reads and parses a CSV file.
    public static func load(contentsOf url: URL, labelScale: Double = 1) throws(DatasetError) -> LabeledDataset {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try parse(csv: text, labelScale: labelScale)
    }

    // MARK: - Splitting

    /// The rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledDataset {
        LabeledDataset(features: indices.map { features[$0] }, labels: indices.map { labels[$0] }, classNames: classNames)
    }

    /// A seeded shuffle split: the first `testCount` shuffled rows are the test set.
    /// - Throws: ``DatasetError/invalidSplit(reason:)`` unless `0 < testCount < count`.
    public func split(testCount: Int, seed: UInt64) throws(DatasetError) -> (train: LabeledDataset, test: LabeledDataset) {
        guard testCount > 0, testCount < count else {
            throw .invalidSplit(reason: "test size \(testCount), expected 1 to \(count - 1) of \(count) rows")
        }
        var order = Array(0..<count)
        var rng = SplitMix64(seed: seed)
        rng.shuffle(&order)
        return (subset(Array(order[testCount...])), subset(Array(order[..<testCount])))
    }

    /// A seeded split with `⌊count · testFraction⌋` test rows (at least one).
    public func split(testFraction: Double, seed: UInt64) throws(DatasetError) -> (train: LabeledDataset, test: LabeledDataset) {
        guard testFraction > 0, testFraction < 1 else { throw .invalidSplit(reason: "test fraction \(testFraction), expected strictly between 0 and 1") }
        return try split(testCount: max(1, Int((Double(count) * testFraction).rounded(.down))), seed: seed)
    }

    /// `parts` disjoint shards of (nearly) equal size after a seeded shuffle.
    public func shards(_ parts: Int, seed: UInt64) throws(DatasetError) -> [LabeledDataset] {
        guard parts > 0, parts <= count else { throw .invalidSplit(reason: "\(parts) shards, expected 1 to \(count)") }
        var order = Array(0..<count)
        var rng = SplitMix64(seed: seed)
        rng.shuffle(&order)
        return (0..<parts).map { p in subset(stride(from: p, to: count, by: parts).map { order[$0] }) }
    }

    // MARK: - Writing

    /// CSV lines `f_1,...,f_n[,label]` without a header (the digits.csv form), each number in
    /// Swift's shortest round-trip form so parsing gives back the same doubles.
    public func csv(includeLabels: Bool) -> String {
        var out = ""
        for i in 0..<count {
            out += features[i].map { "\($0)" }.joined(separator: ",")
            if includeLabels { out += ",\(labels[i])" }
            out += "\n"
        }
        return out
    }
}
