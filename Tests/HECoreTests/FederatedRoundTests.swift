import Foundation
import LedgerCore
import Testing
import HECore

/// The breast-cancer data set from the repository's `Data/` folder, standardised with the
/// training split's statistics, with a leading constant 1 column for the bias.
struct BreastCancerSplit {
    var trainRows: [[Double]] = []
    var trainLabels: [Double] = []
    var testRows: [[Double]] = []
    var testLabels: [Double] = []

    /// Loads `Data/breast_cancer.csv` and makes a seeded 75/25 split.
    static func load(seed: UInt64) throws -> BreastCancerSplit {
        let url = Fixtures.packageRoot.appendingPathComponent("Data/breast_cancer.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        var rows: [[Double]] = []
        var labels: [Double] = []
        for line in lines {
            let fields = line.split(separator: ",").compactMap { Double($0) }
            guard fields.count == 31 else { continue }
            rows.append(Array(fields.dropLast()))
            labels.append(fields[30])
        }
        var order = Array(rows.indices)
        var rng = SplitMix64(seed: seed)
        order.shuffle(using: &rng)
        let trainCount = rows.count * 3 / 4
        let train = order.prefix(trainCount), test = order.dropFirst(trainCount)
        let width = rows[0].count
        var mean = [Double](repeating: 0, count: width), deviation = mean
        for i in train { for j in 0..<width { mean[j] += rows[i][j] / Double(trainCount) } }
        for i in train { for j in 0..<width { deviation[j] += pow(rows[i][j] - mean[j], 2) / Double(trainCount) } }
        deviation = deviation.map { max($0.squareRoot(), 1e-12) }
        func standardised(_ row: [Double]) -> [Double] { [1] + row.indices.map { (row[$0] - mean[$0]) / deviation[$0] } }
        var split = BreastCancerSplit()
        for i in train { split.trainRows.append(standardised(rows[i])); split.trainLabels.append(labels[i]) }
        for i in test { split.testRows.append(standardised(rows[i])); split.testLabels.append(labels[i]) }
        return split
    }

    func accuracy(_ weights: [Double]) -> Double {
        let correct = zip(testRows, testLabels).filter { row, label in
            (zip(weights, row).reduce(0) { $0 + $1.0 * $1.1 } > 0) == (label == 1)
        }.count
        return Double(correct) / Double(testRows.count)
    }
}

/// Gradient descent shared by the plaintext and the encrypted runs: only the gradient oracle
/// differs. Weights are clipped to ±weightBound, the bound the data owners rely on.
func trainLogistic(
    width: Int, rowCount: Int, iterations: Int, learningRate: Double, weightBound: Double,
    gradient: ([Double]) throws -> [Double]
) rethrows -> [Double] {
    var weights = [Double](repeating: 0, count: width)
    for _ in 0..<iterations {
        let g = try gradient(weights)
        for j in weights.indices {
            weights[j] = min(weightBound, max(-weightBound, weights[j] - learningRate * g[j] / Double(rowCount)))
        }
    }
    return weights
}

@Suite struct FederatedRoundTests {
    /// Five data owners, one trainer that only ever decrypts the aggregate, 1024-bit keys:
    /// 2048-bit keys make this round take several minutes in a debug build (the benchmark
    /// measures 2048-bit operations instead).
    @Test func fiveOwnersTrainALogisticModelWithinThreePointsOfPlaintext() throws {
        let split = try BreastCancerSplit.load(seed: 7)
        #expect(split.trainRows.count == 426 && split.testRows.count == 143)
        let owners = 5
        let shards = (0..<owners).map { k in
            (rows: stride(from: k, to: split.trainRows.count, by: owners).map { split.trainRows[$0] },
             labels: stride(from: k, to: split.trainRows.count, by: owners).map { split.trainLabels[$0] })
        }
        let trainer = try #require(SharedKeys.generated)
        let key = trainer.publicKey
        let layout = Paillier.FixedPointLayout(weightExponent: -8, featureExponent: -4)
        let weightBound = 10.0
        let aggregation = try Paillier.SecureAggregation(
            publicKey: key, exponent: layout.gradientExponent(for: .logisticTaylor),
            perPartyBound: 1e7, maxParties: owners)
        let (iterations, rate, width) = (10, 0.5, split.trainRows[0].count)

        var decryptedGradients: [[Double]] = []
        let encrypted = try trainLogistic(
            width: width, rowCount: split.trainRows.count, iterations: iterations, learningRate: rate,
            weightBound: weightBound
        ) { weights in
            // Trainer: encrypt the weights at the agreed exponent (CRT, all cores).
            let encodings = try weights.map { w throws(HEError) in
                try Paillier.EncodedNumber.encode(w, atExponent: layout.weightExponent, publicKey: key)
            }
            let encryptedWeights = try Paillier.EncryptedVector(trainer.encryptBatch(encodings))
            // Owners: encrypted gradients over their own rows.
            let gradients = try shards.map { shard in
                try Paillier.Gradient.compute(
                    model: .logisticTaylor, encryptedWeights: encryptedWeights, rows: shard.rows,
                    labels: shard.labels, layout: layout, weightBound: weightBound, aggregation: aggregation)
            }
            // One owner aggregates; the trainer decrypts only the sum.
            let sum = try aggregation.aggregate(gradients)
            let g = try trainer.decrypt(sum).map(\.doubleValue)
            decryptedGradients.append(g)
            return g
        }
        // The decrypted aggregate is the Taylor gradient of the fixed-point data.
        let plainTaylor = trainLogistic(
            width: width, rowCount: split.trainRows.count, iterations: 1, learningRate: rate,
            weightBound: weightBound
        ) { weights in
            var g = [Double](repeating: 0, count: width)
            for (row, label) in zip(split.trainRows, split.trainLabels) {
                let z = zip(weights, row).reduce(0) { $0 + $1.0 * $1.1 }
                for j in 0..<width { g[j] += (0.5 + z / 4 - label) * row[j] }
            }
            let firstEncrypted = decryptedGradients.first ?? []
            for j in 0..<width { #expect(abs(firstEncrypted[j] - g[j]) < 1e-2, "component \(j)") }
            return g
        }
        _ = plainTaylor

        let plaintext = trainLogistic(
            width: width, rowCount: split.trainRows.count, iterations: iterations, learningRate: rate,
            weightBound: weightBound
        ) { weights in
            var g = [Double](repeating: 0, count: width)
            for (row, label) in zip(split.trainRows, split.trainLabels) {
                let z = zip(weights, row).reduce(0) { $0 + $1.0 * $1.1 }
                for j in 0..<width { g[j] += (1 / (1 + exp(-z)) - label) * row[j] }
            }
            return g
        }
        let encryptedAccuracy = split.accuracy(encrypted)
        let plaintextAccuracy = split.accuracy(plaintext)
        #expect(plaintextAccuracy > 0.9)
        #expect(abs(encryptedAccuracy - plaintextAccuracy) <= 0.03,
                "encrypted \(encryptedAccuracy) vs plaintext \(plaintextAccuracy)")
    }
}
