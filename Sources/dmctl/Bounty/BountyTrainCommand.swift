import ArgumentParser
import Foundation
import LedgerCore
import ModelMarketKit
import ONNXKit

extension BountyCommand {
    /// `dmctl bounty train`: the trainer's local step with ModelMarketKit's reference learner.
    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trainer: fit the reference learner on a split's train.csv; write its ONNX model and its predictions on test-features.csv.",
            discussion: """
                Two classes train a logistic regression, more a softmax regression, both exported as ONNX (Scaler, then \
                LinearClassifier). The predictions written are the ONNX model's own labels for test-features.csv, so \
                a host that serves the published file answers exactly what the trainer commits to. Submit them with \
                --model-file (or --model-hash set to the printed model hash); after winning, publish the same file with \
                `dmctl model publish --bounty ID`.

                Example:
                  dmctl bounty train --dir bounty1 --model-out alice.onnx --predictions-out alice-preds.json
                  dmctl bounty submit --key alice --bounty 1 --predictions alice-preds.json --model-file alice.onnx --secret alice.secret.json
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "Folder written by `dmctl dataset split` (reads train.csv and test-features.csv).") var dir: String
        @Option(help: "Where to write the ONNX model.") var modelOut: String
        @Option(help: "Where to write the predictions, JSON {\"values\": [...]} as `bounty submit` reads them.") var predictionsOut: String
        @Option(help: "Passes over the training rows.") var epochs = TrainingOptions().epochs
        @Option(help: "Seed of the mini-batch shuffles.") var seed = TrainingOptions().seed

        func run() async throws {
            let base = URL(fileURLWithPath: dir, isDirectory: true)
            let train: LabeledDataset
            do { train = try LabeledDataset.load(contentsOf: base.appendingPathComponent("train.csv")) } catch {
                if case .unreadable(let path, let reason) = error {
                    throw CLIError.storage("--dir: cannot read \(path): \(reason); expected a folder written by dmctl dataset split")
                }
                throw CLIError.usage("--dir \(dir): train.csv: \(error)")
            }
            let testPath = base.appendingPathComponent("test-features.csv").path
            let test = try Self.featureRows(try ChainCall.readText(testPath), width: train.featureCount, path: testPath)
            guard epochs > 0 else { throw CLIError.usage("--epochs: \(epochs), expected at least 1") }
            let options = TrainingOptions(epochs: epochs, seed: seed)
            let classes = train.classCount
            guard classes >= 2 else { throw CLIError.usage("--dir \(dir): train.csv has \(classes) class, expected at least 2") }
            let bytes: Data
            do {
                bytes = classes == 2
                    ? try LogisticRegression.train(features: train.features, labels: train.labels, options: options).onnxModel()
                    : try SoftmaxRegression.train(features: train.features, labels: train.labels, classes: classes, options: options).onnxModel()
            } catch { throw CLIError.refused("exporting the trained model: \(error)") }
            let predictions: [Int64]
            do { predictions = try onnxPredictions(model: bytes, rows: test) } catch { throw CLIError.refused("running the exported model: \(error)") }
            do { try bytes.write(to: URL(fileURLWithPath: modelOut), options: .atomic) } catch {
                throw CLIError.storage("cannot write --model-out \(modelOut): \(error.localizedDescription)")
            }
            try ChainCall.writeJSON(IntegerVector(values: predictions), to: predictionsOut)
            struct Out: Encodable { let modelHash: Hash32; let modelFile: String; let predictions: Int; let classes: Int; let trainRows: Int }
            let out = Out(modelHash: Keccak256.hash(Array(bytes)), modelFile: modelOut, predictions: predictions.count, classes: classes, trainRows: train.count)
            if global.json { return try Output.json(out) }
            Output.fields([("model hash", out.modelHash.hex), ("model file", modelOut), ("predictions", "\(out.predictions)"),
                           ("classes", "\(classes)"), ("train rows", "\(train.count)")])
        }

        /// The rows of an unlabelled features file, each `width` numbers.
        static func featureRows(_ text: String, width: Int, path: String) throws -> [[Double]] {
            var rows: [[Double]] = []
            for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() where !line.allSatisfy(\.isWhitespace) {
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                guard cells.count == width else { throw CLIError.usage("\(path) line \(n + 1): \(cells.count) values, expected \(width) features") }
                rows.append(try cells.enumerated().map { j, cell in
                    guard let v = Double(cell.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                        throw CLIError.usage("\(path) line \(n + 1), column \(j + 1): '\(cell)' is not a number")
                    }
                    return v
                })
            }
            guard !rows.isEmpty else { throw CLIError.usage("\(path): no rows, expected one line of \(width) numbers per test row") }
            return rows
        }
    }
}
