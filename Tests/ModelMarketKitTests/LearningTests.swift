import Foundation
import Testing
import LedgerCore
import ModelMarketKit

@Suite struct LearningTests {
    @Test func breastCancerFileParsesWithItsHeader() throws {
        #expect(breastCancer.count == 569)
        #expect(breastCancer.featureCount == 30)
        #expect(breastCancer.classNames == ["malignant", "benign"])
        #expect(breastCancer.labels.filter { $0 == 1 }.count == 357)
    }

    @Test func logisticRegressionReachesAtLeast95PercentOnBreastCancer() throws {
        let (train, test) = try breastCancer.split(testCount: 143, seed: 7)
        let model = LogisticRegression.train(features: train.features, labels: train.labels)
        let acc = accuracy(model.predict(test.features), test.labels)
        #expect(acc >= 0.95, "test accuracy \(acc)")
    }

    @Test func logisticRegressionHoldsAcrossSeveralSplits() throws {
        for seed: UInt64 in 1...5 {
            let (train, test) = try breastCancer.split(testFraction: 0.25, seed: seed)
            let model = LogisticRegression.train(features: train.features, labels: train.labels, options: TrainingOptions(seed: seed))
            #expect(accuracy(model.predict(test.features), test.labels) >= 0.95, "split seed \(seed)")
        }
    }

    @Test func softmaxRegressionReachesAtLeast95PercentOnBreastCancer() throws {
        let (train, test) = try breastCancer.split(testCount: 143, seed: 7)
        let model = SoftmaxRegression.train(features: train.features, labels: train.labels, classes: 2)
        #expect(accuracy(model.predict(test.features), test.labels) >= 0.95)
    }

    @Test func trainingIsDeterministicForASeed() throws {
        let (train, _) = try breastCancer.split(testCount: 143, seed: 7)
        let a = LogisticRegression.train(features: train.features, labels: train.labels, options: TrainingOptions(epochs: 20, seed: 3))
        let b = LogisticRegression.train(features: train.features, labels: train.labels, options: TrainingOptions(epochs: 20, seed: 3))
        let c = LogisticRegression.train(features: train.features, labels: train.labels, options: TrainingOptions(epochs: 20, seed: 4))
        #expect(a == b)
        #expect(a != c)
    }

    @Test func seededSplitIsReproducibleAndDisjoint() throws {
        let p1 = try BountyPublication(dataset: breastCancer, testCount: 100, seed: 11)
        let p2 = try BountyPublication(dataset: breastCancer, testCount: 100, seed: 11)
        let p3 = try BountyPublication(dataset: breastCancer, testCount: 100, seed: 12)
        #expect(p1 == p2)
        #expect(p1.testFeaturesHash != p3.testFeaturesHash)
        #expect(p1.train.count == 469 && p1.test.count == 100)
        // Published test file carries no labels: one field fewer than the training file.
        let testFields = p1.testFeaturesCSV.split(separator: "\n")[0].split(separator: ",").count
        let trainFields = p1.trainingCSV.split(separator: "\n")[0].split(separator: ",").count
        #expect(testFields == 30 && trainFields == 31)
        // The published training file parses back to the same rows.
        #expect(try LabeledDataset.parse(csv: p1.trainingCSV) == LabeledDataset(features: p1.train.features, labels: p1.train.labels))
    }

    @Test func malformedCSVIsRefusedWithLineAndColumn() {
        #expect(throws: DatasetError.notANumber(line: 2, column: 2, text: "x")) { try LabeledDataset.parse(csv: "1,2,0\n3,x,1\n") }
        #expect(throws: DatasetError.fieldCount(line: 2, expected: 3, found: 2)) { try LabeledDataset.parse(csv: "1,2,0\n3,1\n") }
        #expect(throws: DatasetError.invalidLabel(line: 1, text: "0.5")) { try LabeledDataset.parse(csv: "1,2,0.5\n") }
        #expect(throws: DatasetError.headerMismatch(field: "n_rows", header: 3, found: 2)) { try LabeledDataset.parse(csv: "3,2,a,b\n1,2,0\n3,4,1\n") }
        #expect(throws: DatasetError.empty) { try LabeledDataset.parse(csv: "\n") }
        #expect(throws: DatasetError.invalidSplit(reason: "test size 0, expected 1 to 568 of 569 rows")) { try breastCancer.split(testCount: 0, seed: 1) }
    }

    @Test func regressionLabelsBecomeFixedPoint() throws {
        let d = try LabeledDataset.parse(csv: "1,2,0.125\n3,4,-2.5\n", labelScale: 1000)
        #expect(d.labels == [125, -2500])
    }
}

@Suite struct ScoringTests {
    @Test func accuracyIsFlooredBasisPoints() throws {
        #expect(try Scoring.score(predictions: [1, 0, 1], truth: [1, 1, 1], metric: .accuracy(classes: 2)) == 6666)
        #expect(try Scoring.score(predictions: [1, 1, 1], truth: [1, 1, 1], metric: .accuracy(classes: 2)) == 10_000)
        // Out-of-range predictions count as wrong, even if equal to an out-of-range label.
        #expect(Scoring.accuracyBasisPoints(predictions: [5, 1], truth: [5, 1], classes: 2) == 5000)
    }

    @Test func meanAbsoluteErrorIsNegatedSoHigherIsBetter() throws {
        let good = try Scoring.score(predictions: [100, 200], truth: [110, 190], metric: .meanAbsoluteError)
        let bad = try Scoring.score(predictions: [100, 200], truth: [150, 150], metric: .meanAbsoluteError)
        #expect(good == -10 && bad == -50 && good > bad)
        #expect(try Scoring.score(predictions: [0, 0, 0], truth: [1, 1, 0], metric: .meanAbsoluteError) == 0)  // ⌊2/3⌋
    }

    @Test func scoringRefusesBadShapesAndOverflow() {
        #expect(throws: ScoringError.lengthMismatch(predictions: 1, truth: 2)) { try Scoring.score(predictions: [1], truth: [1, 1], metric: .meanAbsoluteError) }
        #expect(throws: ScoringError.empty) { try Scoring.score(predictions: [], truth: [], metric: .accuracy(classes: 2)) }
        #expect(throws: ScoringError.errorTooLarge) { try Scoring.score(predictions: [.max, .max], truth: [.min, .min], metric: .meanAbsoluteError) }
    }

    @Test func commitmentIsBoundToCommitterBountyAndSalt() throws {
        let a = key(1).address, b = key(2).address
        let payload = Commitment.predictionPayloadHash(predictions: [1, 0, 1], modelHash: Keccak256.hash("m"))
        let s1 = Salt.deterministic(seed: 1), s2 = Salt.deterministic(seed: 2)
        let base = Commitment.make(.submission, bountyID: 1, committer: a, salt: s1, payloadHash: payload)
        #expect(base != Commitment.make(.submission, bountyID: 1, committer: b, salt: s1, payloadHash: payload))
        #expect(base != Commitment.make(.submission, bountyID: 2, committer: a, salt: s1, payloadHash: payload))
        #expect(base != Commitment.make(.submission, bountyID: 1, committer: a, salt: s2, payloadHash: payload))
        #expect(base != Commitment.make(.truth, bountyID: 1, committer: a, salt: s1, payloadHash: payload))
        // Negative values encode distinctly (fixed-width two's complement).
        #expect(Commitment.truthPayloadHash(labels: [-1]) != Commitment.truthPayloadHash(labels: [255]))
        #expect(throws: CommitmentError.wrongSaltLength(found: 31)) { try Salt(bytes: [UInt8](repeating: 0, count: 31)) }
        #expect(Salt.random() != Salt.random())
    }
}
