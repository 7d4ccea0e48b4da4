import Foundation
import ONNXKit

/// Paths of the committed fixtures and data sets.
enum Paths {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = tests.appendingPathComponent("Fixtures")
    static let root = tests.deletingLastPathComponent().deletingLastPathComponent()
    static func data(_ name: String) -> URL { root.appendingPathComponent("Data").appendingPathComponent(name) }
    static func fixture(_ name: String) -> URL { fixtures.appendingPathComponent(name) }
}

/// What scripts/make-onnx-fixtures.py recorded from onnxruntime for one model.
struct Expected: Decodable {
    struct Output: Decodable {
        let kind: String
        let shape: [Int]?
        let data: [Double]?
        let maps: [[[Double]]]?
    }
    let model: String
    let data: String
    let header: Bool
    let rows: Int
    let featureColumns: Int
    let input: String
    let operators: [String]
    let outputs: [String: Output]

    static func load(_ name: String) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Paths.fixture(name + ".expected.json")))
    }
}

/// The feature rows of a Data/ CSV file (the label column dropped), parsed through Double to
/// Float exactly as the fixture script does.
func featureRows(_ file: String, header: Bool, rows: Int, columns: Int) throws -> [[Float]] {
    let text = try String(contentsOf: Paths.data(file), encoding: .utf8)
    var lines = text.split(separator: "\n").filter { !$0.isEmpty }
    if header { lines.removeFirst() }
    return try lines.prefix(rows).map { line in
        let fields = line.split(separator: ",")
        return try fields.prefix(columns).map { f in
            guard let d = Double(f) else { throw FixtureError.notANumber(String(f)) }
            return Float(d)
        }
    }
}

/// A fixture file that does not parse.
enum FixtureError: Error { case notANumber(String) }

/// |a − b| ≤ 1e-5 · max(|a|, |b|), with an absolute floor of 1e-6 for values near zero
/// (probabilities of 1e-30 are compared absolutely).
func close(_ a: Float, _ b: Double, relative: Double = 1e-5, absolute: Double = 1e-6) -> Bool {
    let x = Double(a)
    return abs(x - b) <= max(relative * max(abs(x), abs(b)), absolute)
}

/// Every fixture model, by base name.
let fixtureNames = [
    "breast_cancer_logistic", "wine_logistic", "digits_logistic_plain", "wine_linear_regression",
    "breast_cancer_mlp", "wine_mlp", "breast_cancer_scaler", "wine_torch_style_mlp",
    "breast_cancer_single_row_logistic", "breast_cancer_single_row_raw", "wine_operator_semantics", "digits_softmax_opset11",
    "breast_cancer_torch_mlp",
]
