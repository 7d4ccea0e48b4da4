import Foundation
import LedgerCore
import ONNXKit
import Testing
import ModelMarketKit

@Suite struct ONNXExportTests {
    @Test func exportedLogisticModelPredictsLikeTheSwiftModel() throws {
        let (train, test) = try breastCancer.split(testCount: 143, seed: 7)
        let model = LogisticRegression.train(features: train.features, labels: train.labels)
        let bytes = try model.onnxModel()
        #expect(try onnxPredictions(model: bytes, rows: test.features) == model.predict(test.features))
        // Probabilities agree to float precision.
        let onnx = try ONNXModel(serialized: bytes)
        let out = try onnx.run(["X": try Tensor(rows: test.features.map { $0.map { Float($0) } })])
        let p = try #require(out["probabilities"]?.tensor?.floats)
        for (i, row) in test.features.enumerated() { #expect(abs(Double(p[2 * i + 1]) - model.probability(row)) < 1e-5) }
        // Deterministic bytes: the content hash is stable.
        #expect(try model.onnxModel() == bytes)
    }

    @Test func exportedSoftmaxModelPredictsLikeTheSwiftModelOnWine() throws {
        let text = try String(contentsOf: dataFile("wine.csv"), encoding: .utf8)
        let wine = try LabeledDataset.parse(csv: text)
        let (train, test) = try wine.split(testCount: 45, seed: 3)
        let model = SoftmaxRegression.train(features: train.features, labels: train.labels, classes: 3)
        let bytes = try model.onnxModel()
        let predictions = try onnxPredictions(model: bytes, rows: test.features)
        #expect(predictions == model.predict(test.features))
        #expect(accuracy(predictions, test.labels) >= 0.9)
    }

    /// A whole bounty round where the entry is a real model: the trainer commits to the
    /// Keccak-256 of its ONNX bytes and to the predictions that model makes; after winning,
    /// anyone can run the revealed bytes and get exactly the committed predictions.
    @Test func bountyWinnerRevealsARunnableModelWhosePredictionsAreTheCommittedOnes() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        let trainer = f.trainer(1)
        let (entry, onnxBytes) = try f.exportedReferenceEntry()
        let predictions = entry.predictions
        #expect(try f.score(entry) >= 9500)
        let paid = try f.winAlone(entry, by: trainer)
        #expect(paid.events.contains { $0.kind == "Paid" })
        let bounty = try #require(f.bounty)
        #expect(bounty.outcome == .paid && bounty.winner == trainer.address)
        // Verification by a third party holding only the revealed file and the public test set.
        #expect(bounty.modelHash == Keccak256.hash(onnxBytes))
        #expect(try onnxPredictions(model: onnxBytes, rows: f.publication.test.features) == predictions)
        // A different model does not hash to the committed one.
        let other = LogisticRegression.train(features: f.publication.train.features, labels: f.publication.train.labels,
                                             options: TrainingOptions(epochs: 20, seed: 9))
        #expect(Keccak256.hash(try other.onnxModel()) != bounty.modelHash)
    }
}
