import Foundation
import ONNXKit

/// ONNX inference in Swift (ONNXKit) on the committed fixture models, beside a direct Swift
/// loop for the same logistic model and, when `python3` with onnxruntime is installed, ONNX
/// Runtime itself on one thread (scripts/onnxruntime-bench.py), all in the same run.
enum ModelsBench {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func rows() throws -> [[Float]] {
        let text = try String(contentsOf: root.appendingPathComponent("Data/breast_cancer.csv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in line.split(separator: ",").dropLast().map { Float(Double($0) ?? 0) } }
    }

    /// Nanosecond latencies of `count` single-row runs; returns (p50, p99) in seconds.
    static func latency(_ count: Int, _ body: (Int) throws -> Void) rethrows -> (Double, Double) {
        var samples: [UInt64] = []
        samples.reserveCapacity(count)
        for i in 0..<count {
            let start = Bench.now()
            try body(i)
            samples.append(Bench.now() - start)
        }
        samples.sort()
        return (Double(samples[count / 2]) / 1e9, Double(samples[min(count - 1, count * 99 / 100)]) / 1e9)
    }

    /// onnxruntime's figures from the helper script, by model file name, or nil.
    static func onnxRuntimeFigures() -> [String: [String: Double]]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/onnxruntime-bench.py").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return try? JSONDecoder().decode([String: [String: Double]].self, from: data)
    }

    static func run() throws {
        Bench.section("models (ONNX inference, float32, one thread)")
        let data = try rows()
        let batch = try Tensor(rows: data)
        let ort = onnxRuntimeFigures()
        if ort == nil { print("(onnxruntime baseline skipped: python3 with onnxruntime not available)") }
        for (file, title) in [("breast_cancer_logistic.onnx", "30-feature logistic"), ("breast_cancer_mlp.onnx", "2-layer MLP 30-16-1")] {
            let model = try ONNXModel(contentsOf: root.appendingPathComponent("Tests/ONNXKitTests/Fixtures/\(file)"))
            let name = model.inputs[0].name
            let perRow = try Bench.secondsPerOp(operations: data.count * 20) {
                for _ in 0..<20 { _ = try model.run([name: batch]) }
            }
            let singles = try data.map { try Tensor(rows: [$0]) }
            let (p50, p99) = try latency(5000) { i in _ = try model.run([name: singles[i % singles.count]]) }
            if let o = ort?[file], let ortRows = o["batch_rows_per_s"], let ortP50 = o["p50_s"], let ortP99 = o["p99_s"] {
                Bench.row("\(title): batch rows/s", value: Bench.rate(perRow, unit: " rows/s"), baseline: String(format: "onnxruntime %.1f k rows/s", ortRows / 1e3),
                          ratio: (1 / perRow) / ortRows, target: "≥ 0.5x onnxruntime")
                Bench.row("\(title): 1-row latency p50", value: Bench.duration(p50), baseline: "onnxruntime " + Bench.duration(ortP50),
                          ratio: ortP50 / p50, target: "in-process, no loopback")
                Bench.row("\(title): 1-row latency p99", value: Bench.duration(p99), baseline: "onnxruntime " + Bench.duration(ortP99),
                          ratio: ortP99 / p99, target: "p99 < 5 ms")
            } else {
                Bench.row("\(title): batch rows/s", value: Bench.rate(perRow, unit: " rows/s"), baseline: "-", ratio: nil, target: "≥ 0.5x onnxruntime")
                Bench.row("\(title): 1-row latency p50 / p99", value: Bench.duration(p50) + " / " + Bench.duration(p99), baseline: "-", ratio: nil, target: "p99 < 5 ms")
            }
        }
        // The same logistic model as a hand-written loop: what the graph interpreter costs.
        let layer = try LinearLayer(firstLayerOf: try ONNXModel(contentsOf: root.appendingPathComponent("Tests/ONNXKitTests/Fixtures/breast_cancer_logistic.onnx")))
        let w = layer.weights.map { $0.map { Float($0) } }, b = layer.biases.map { Float($0) }
        var sink: Float = 0
        let direct = Bench.secondsPerOp(operations: data.count * 20) {
            for _ in 0..<20 {
                for row in data {
                    var z0 = b[0], z1 = b[1]
                    for j in 0..<row.count { z0 += w[0][j] * row[j]; z1 += w[1][j] * row[j] }
                    sink += 1 / (1 + exp(z0 - z1))
                }
            }
        }
        let graph = try Bench.secondsPerOp(operations: data.count * 20) {
            let model = try ONNXModel(contentsOf: root.appendingPathComponent("Tests/ONNXKitTests/Fixtures/breast_cancer_logistic.onnx"))
            for _ in 0..<20 { _ = try model.run(["X": batch]) }
        }
        Bench.row("logistic: graph vs hand-written loop", value: Bench.rate(graph, unit: " rows/s"), baseline: "loop " + Bench.rate(direct, unit: " rows/s"),
                  ratio: direct / graph, target: "interpreter overhead (\(sink > 0 ? "ok" : "-"))")
    }
}
