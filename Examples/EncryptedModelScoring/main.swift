// EncryptedModelScoring: a model trained in Swift, exported as ONNX, run, and scored on
// encrypted features.
//
//     swift run EncryptedModelScoring [path/to/wine.csv]
//
// A trainer fits the reference softmax learner on `Data/wine.csv` and exports it as ONNX (the
// bytes whose Keccak-256 is the $Model hash). A host loads the model with ONNXKit. A user
// encrypts one row with their own Paillier key; the host computes the model's class scores on
// the ciphertexts without seeing the row; the user decrypts and picks the class, which is the
// class the plaintext model predicts.

import Foundation
import HECore
import LedgerCore
import ModelMarketKit
import ONNXKit

/// The data file: the first argument, else the repository's `Data/` folder.
func dataURL() -> URL {
    if CommandLine.arguments.count > 1 { return URL(fileURLWithPath: CommandLine.arguments[1]) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Data/wine.csv")
}

func run() throws {
    // Trainer: fit and export.
    let wine = try LabeledDataset.load(contentsOf: dataURL())
    let (train, test) = try wine.split(testCount: 45, seed: 3)
    let learner = SoftmaxRegression.train(features: train.features, labels: train.labels, classes: 3)
    let bytes = try learner.onnxModel()
    print("exported ONNX model: \(bytes.count) bytes, $Model hash \(Keccak256.hash(bytes).hex)")

    // Host: load and run in the clear on the published test rows.
    let model = try ONNXModel(serialized: bytes)
    print("operators: \(model.operatorTypes.joined(separator: ", "))")
    let plain = try onnxPredictions(model: bytes, rows: test.features)
    let correct = zip(plain, test.labels).filter { $0 == $1 }.count
    print("plaintext test accuracy: \(correct) of \(test.count)")

    // User: encrypt one row under their own key (a derived demo key; use generate() for real data).
    let key = try Paillier.PrivateKey.derived(bits: 1024, seed: Array("EncryptedModelScoring".utf8))
    let row = test.features[0]
    let encrypted = try Paillier.EncryptedVector.encrypt(row, publicKey: key.publicKey)

    // Host: scores on ciphertexts, with the model's standardisation folded into the layer.
    let layer = try LinearLayer(firstLayerOf: model)
    let encryptedScores = try layer.scores(encryptedFeatures: encrypted)
    print("host computed \(encryptedScores.count) encrypted class scores from \(layer.features) encrypted features")

    // User: decrypt and choose.
    let scores = try encryptedScores.map { try key.decrypt($0).doubleValue }
    let best = scores.indices.max { scores[$0] < scores[$1] } ?? 0
    print("decrypted scores: " + scores.map { String(format: "%.4f", $0) }.joined(separator: " "))
    print("encrypted prediction: class \(best); plaintext model: class \(plain[0]); \(best == plain[0] ? "equal" : "DIFFERENT")")
    guard Int64(best) == plain[0] else { throw ExampleError.mismatch }
    print("EncryptedModelScoring: done")
}

/// The encrypted and plaintext predictions disagree (never expected).
enum ExampleError: Error { case mismatch }

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("EncryptedModelScoring failed: \(error)\n".utf8))
    exit(1)
}
