import ArgumentParser
import Foundation
import LedgerCore
import ONNXKit

extension ModelCommand {
    /// `dmctl model run`: local predictions of an ONNX model on a CSV file.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an ONNX model locally on the rows of a CSV file and print its predictions.",
            discussion: """
                The CSV holds one row of numbers per line. A first line that is not all numbers (a header, like \
                the Data/ files') is skipped. A row with one value more than the model's features carries a label \
                in its last column; then the accuracy of the predicted labels is printed too. The model's content \
                hash (Keccak-256 of the file, the $Model hash) is printed with the results.

                Example: dmctl model run --model Tests/ONNXKitTests/Fixtures/wine_logistic.onnx --input Data/wine.csv
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The ONNX model file.") var model: String
        @Option(help: "The CSV file of input rows.") var input: String
        @Option(help: "Print at most this many rows of predictions (all are computed; 0: all).") var limit = 0

        func run() async throws {
            try WholeNumberRule.check(limit, in: 0...Int.max, field: "--limit")
            let modelURL = URL(fileURLWithPath: model)
            let bytes: Data
            do { bytes = try Data(contentsOf: modelURL) } catch { throw CLIError.storage("cannot read --model \(model): \(error.localizedDescription)") }
            let onnx = try ONNXModel(serialized: bytes)
            guard onnx.inputs.count == 1, case .tensor(.float, let shape?)? = onnx.inputs[0].type, shape.count == 2,
                  let features = shape[1].value else {
                throw CLIError.usage("--model: expected one float input of shape [N, F]; the model has \(onnx.inputs.map { "\($0.name): \($0.type.map(\.description) ?? "untyped")" }.joined(separator: ", "))")
            }
            let text: String
            do { text = try String(contentsOf: URL(fileURLWithPath: input), encoding: .utf8) } catch {
                throw CLIError.storage("cannot read --input \(input): \(error.localizedDescription)")
            }
            let table = try CSVRows.parse(text, features: features, field: "--input")
            let outputs = try onnx.run([onnx.inputs[0].name: try Tensor(rows: table.rows)])
            let summary = Predictions(model: onnx, outputs: outputs, rows: table.rows.count)
            // Accuracy only when the file has labels and the model predicts labels (not for a regressor).
            let accuracy: Int? = if let labels = table.labels, let predicted = summary.labels {
                zip(predicted, labels).filter { $0 == $1 }.count
            } else {
                nil
            }
            let hash = Keccak256.hash(bytes)
            if global.json {
                struct Row: Encodable { let row: Int; let label: String?; let scores: [Float]? }
                struct Out: Encodable {
                    let model: String; let modelHash: Hash32; let operators: [String]; let rows: Int
                    let labelOutput: String?; let scoreOutput: String?; let correct: Int?; let accuracy: Double?
                    let predictions: [Row]
                }
                let shown = limit > 0 ? min(limit, table.rows.count) : table.rows.count
                try Output.json(Out(
                    model: model, modelHash: hash, operators: onnx.operatorTypes, rows: table.rows.count,
                    labelOutput: summary.labelOutput, scoreOutput: summary.scoreOutput, correct: accuracy,
                    accuracy: accuracy.map { Double($0) / Double(max(1, table.rows.count)) },
                    predictions: (0..<shown).map { Row(row: $0, label: summary.label($0), scores: summary.scores($0)) }))
                return
            }
            Output.fields([("model", model), ("model hash", hash.hex), ("operators", onnx.operatorTypes.joined(separator: ", ")),
                           ("rows", "\(table.rows.count)")]
                          + (accuracy.map { [("accuracy", String(format: "%.4f (%d of %d)", Double($0) / Double(max(1, table.rows.count)), $0, table.rows.count))] } ?? []))
            print("")
            let shown = limit > 0 ? min(limit, table.rows.count) : table.rows.count
            Output.table(["row", summary.labelOutput ?? "label", summary.scoreOutput ?? "scores"], (0..<shown).map { i in
                ["\(i)", summary.label(i) ?? "-", summary.scores(i).map { $0.map { String(format: "%.6g", $0) }.joined(separator: " ") } ?? "-"]
            })
            if shown < table.rows.count { Output.note("(\(table.rows.count - shown) more rows; --limit 0 shows all)") }
        }
    }
}

/// Rows of numbers from a CSV text, with an optional label column.
struct CSVRows {
    let rows: [[Float]]
    let labels: [String]?

    /// Parses `text` for a model of `features` inputs; `field` names the option in errors.
    static func parse(_ text: String, features: Int, field: String) throws -> CSVRows {
        var rows: [[Float]] = []
        var labels: [String] = []
        var withLabel: Bool?
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.allSatisfy(\.isEmpty) { continue }
            let numbers = cells.map { Double($0) }
            if n == 0, numbers.contains(where: { $0 == nil }) { continue }  // a header
            guard cells.count == features || cells.count == features + 1 else {
                throw CLIError.usage("\(field) line \(n + 1): \(cells.count) values, expected \(features) features (or \(features + 1) with a label)")
            }
            let labelled = cells.count == features + 1
            if let withLabel, withLabel != labelled {
                throw CLIError.usage("\(field) line \(n + 1): \(cells.count) values, but earlier lines had \(withLabel ? features + 1 : features)")
            }
            withLabel = labelled
            var row: [Float] = []
            for j in 0..<features {
                guard let v = numbers[j], v.isFinite else {
                    throw CLIError.usage("\(field) line \(n + 1), column \(j + 1): '\(cells[j])' is not a number")
                }
                row.append(Float(v))
            }
            rows.append(row)
            if labelled { labels.append(cells[features]) }
        }
        guard !rows.isEmpty else { throw CLIError.usage("\(field): no rows") }
        return CSVRows(rows: rows, labels: withLabel == true ? labels : nil)
    }
}

/// The label and score outputs of a run, found by type: the first int64/string [N] tensor is
/// the label; the first float [N, C] tensor or the class maps are the scores.
struct Predictions {
    let labelOutput: String?
    let scoreOutput: String?
    private let labelValues: [String]?
    private let scoreRows: [[Float]]?

    init(model: ONNXModel, outputs: [String: Value], rows: Int) {
        var labelOutput: String?, scoreOutput: String?
        var labelValues: [String]?, scoreRows: [[Float]]?
        for port in model.outputs {
            guard let value = outputs[port.name] else { continue }
            switch value {
            case .tensor(let t) where labelValues == nil && t.shape == [rows]:
                switch t.storage {
                case .int64(let v): labelValues = v.map { String($0) }; labelOutput = port.name
                case .string(let v): labelValues = v; labelOutput = port.name
                default: break
                }
            case .tensor(let t) where scoreRows == nil && t.shape.count == 2 && t.shape[0] == rows:
                if let f = t.floats, t.shape[1] > 0 {
                    scoreRows = (0..<rows).map { Array(f[($0 * t.shape[1])..<(($0 + 1) * t.shape[1])]) }
                    scoreOutput = port.name
                }
            case .maps(let m) where scoreRows == nil && m.rows.count == rows:
                scoreRows = m.rows
                scoreOutput = port.name
            default: break
            }
        }
        self.labelOutput = labelOutput
        self.scoreOutput = scoreOutput
        self.labelValues = labelValues
        self.scoreRows = scoreRows
    }

    /// Every predicted label, if the model has a label output.
    var labels: [String]? { labelValues }
    /// The label of row `i`.
    func label(_ i: Int) -> String? { labelValues.flatMap { i < $0.count ? $0[i] : nil } }
    /// The scores of row `i`.
    func scores(_ i: Int) -> [Float]? { scoreRows.flatMap { i < $0.count ? $0[i] : nil } }
}
