import PropertyBased
import Testing
import ModelMarketKit

/// Properties of the seeded dataset splitter (`split(testCount:seed:)`, `shards(_:seed:)`) on
/// generated datasets whose single feature is the row's index, so every row can be traced.
/// A failure prints the shrunk dataset size, cut and seed, and a `.fixedSeed` that replays it.
@Suite struct DatasetSplitPropertyTests {
    /// `rows` rows: feature = index, label = one of `labels` (cycled), so each row's label is
    /// known from its feature.
    static func dataset(rows: Int, labels: [Int64]) -> LabeledDataset {
        LabeledDataset(
            features: (0..<rows).map { [Double($0)] },
            labels: (0..<rows).map { labels.isEmpty ? 0 : labels[$0 % labels.count] })
    }

    static let rows = Gen.int(in: 2...80)
    static let labels = Gen.int64(in: 0...3).array(of: 1...5)

    @Test func splitPartitionsTheRowsWithTheRequestedTestSize() async {
        await propertyCheck(count: 300, input: Self.rows, Gen.int(in: 0...1_000), Gen.uint64(), Self.labels) { rows, cut, seed, labels throws in
            let data = Self.dataset(rows: rows, labels: labels)
            let testCount = 1 + cut % (rows - 1)
            let (train, test) = try data.split(testCount: testCount, seed: seed)
            #expect(test.count == testCount && train.count == rows - testCount)
            let ids = (train.features + test.features).map { Int($0[0]) }
            #expect(ids.sorted() == Array(0..<rows), "every row exactly once")
            for part in [train, test] {
                for (row, label) in zip(part.features, part.labels) {
                    #expect(label == data.labels[Int(row[0])], "row \(row[0]) kept its label")
                }
            }
            let again = try data.split(testCount: testCount, seed: seed)
            #expect(again.train == train && again.test == test, "the same seed gives the same split")
        }
    }

    @Test func splitRefusesATestSizeOutsideOneToCountMinusOne() async {
        await propertyCheck(count: 200, input: Self.rows, Gen.int(in: 0...1_000), Gen.uint64()) { rows, extra, seed throws in
            let data = Self.dataset(rows: rows, labels: [0, 1])
            for testCount in [-extra, 0, rows, rows + extra] {
                #expect(throws: DatasetError.invalidSplit(reason: "test size \(testCount), expected 1 to \(rows - 1) of \(rows) rows")) {
                    try data.split(testCount: testCount, seed: seed)
                }
            }
        }
    }

    @Test func shardsPartitionTheRowsIntoNearlyEqualParts() async {
        await propertyCheck(count: 300, input: Self.rows, Gen.int(in: 1...80), Gen.uint64()) { rows, wanted, seed throws in
            let parts = min(wanted, rows)
            let shards = try Self.dataset(rows: rows, labels: [0, 1, 2]).shards(parts, seed: seed)
            #expect(shards.count == parts)
            let sizes = shards.map(\.count)
            #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1, "sizes \(sizes)")
            #expect(shards.flatMap { $0.features.map { Int($0[0]) } }.sorted() == Array(0..<rows))
        }
    }
}
