import DataMarketTesting
import Foundation
import LedgerCore
import Testing

/// `dmctl model run` through the built binary, in its own process.
@Suite struct ModelRunCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func fixture(_ name: String) -> String { root.appendingPathComponent("Tests/ONNXKitTests/Fixtures/\(name)").path }
    static func data(_ name: String) -> String { root.appendingPathComponent("Data/\(name)").path }

    @Test func runPrintsOnnxRuntimesLabelsAndTheModelHashAsJSON() async throws {
        let r = try await CLIRunner().runAsync(["model", "run", "--model", Self.fixture("wine_logistic.onnx"), "--input", Self.data("wine.csv"), "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["rows"] as? Int == 178)
        #expect(json["labelOutput"] as? String == "output_label")
        #expect(json["scoreOutput"] as? String == "output_probability")
        let modelBytes = try Data(contentsOf: URL(fileURLWithPath: Self.fixture("wine_logistic.onnx")))
        #expect(json["modelHash"] as? String == Keccak256.hash(modelBytes).hex)
        // The labels are the ones onnxruntime produced (recorded by scripts/make-onnx-fixtures.py).
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.fixture("wine_logistic.expected.json")))) as? [String: Any])
        let outputs = try #require(expected["outputs"] as? [String: Any])
        let label = try #require(outputs["output_label"] as? [String: Any])
        let want = try #require(label["data"] as? [Int])
        let rows = try #require(json["predictions"] as? [[String: Any]])
        #expect(rows.compactMap { $0["label"] as? String } == want.map(String.init))
        let correct = try #require(json["correct"] as? Int)
        #expect(correct >= 170, "the wine pipeline fits its training data: \(correct) of 178")
        let scores = try #require(rows.first?["scores"] as? [Double])
        #expect(scores.count == 3 && abs(scores.reduce(0, +) - 1) < 1e-5)
    }

    @Test func helpExampleRunsFromTheRepository() async throws {
        let help = try await CLIRunner().runAsync(["model", "run", "--help"])
        #expect(help.status == 0)
        let flat = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        // The example runs up to the USAGE section (help text may wrap it over lines).
        let start = try #require(flat.range(of: "Example: dmctl "))
        let end = flat.range(of: " USAGE:", range: start.upperBound..<flat.endIndex)?.lowerBound ?? flat.endIndex
        let example = String(flat[start.upperBound..<end])
        let args = example.split(separator: " ").map(String.init)
        let r = try await CLIRunner(workingDirectory: Self.root).runAsync(args)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        #expect(r.stdout.contains("model hash") && r.stdout.contains("accuracy"))
    }

    @Test func regressionModelsPrintScoresAndNoAccuracy() async throws {
        let r = try await CLIRunner().runAsync(["model", "run", "--model", Self.fixture("wine_linear_regression.onnx"), "--input", Self.data("wine.csv"), "--limit", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("accuracy"))
        #expect(r.stdout.contains("row  label  variable"))
        #expect(r.stderr.contains("176 more rows"))
    }

    @Test func badModelsAndInputsExitWithUsageErrors() async throws {
        let dir = CLIRunner.temporaryFolder("model-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let garbage = dir.appendingPathComponent("garbage.onnx")
        try Data("this is not protobuf".utf8).write(to: garbage)
        let bad = try await CLIRunner().runAsync(["model", "run", "--model", garbage.path, "--input", Self.data("wine.csv")])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("not an ONNX model"), "\(bad.stderr)")
        let narrow = dir.appendingPathComponent("narrow.csv")
        try "1,2,3\n4,5,6\n".write(to: narrow, atomically: true, encoding: .utf8)
        let wrong = try await CLIRunner().runAsync(["model", "run", "--model", Self.fixture("wine_logistic.onnx"), "--input", narrow.path])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("line 1: 3 values, expected 13 features"), "\(wrong.stderr)")
        let mint = try await CLIRunner().runAsync(["model", "mint", "--model-file", garbage.path, "--portfolio", "1", "--token", "DMT", "--key", "nobody",
                                        "--home", dir.path])
        #expect(mint.status == 2, "\(mint.stderr)")
        #expect(mint.stderr.contains("not an ONNX model"), "\(mint.stderr)")
    }
}
