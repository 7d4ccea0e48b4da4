public import Foundation
public import ONNXKit

// ONNX export of the reference learners, in the shape skl2onnx gives a scikit-learn
// StandardScaler + LogisticRegression pipeline: an ai.onnx.ml Scaler, then a LinearClassifier.
// The exported model's outputs are "label" (int64 [N]) and "probabilities" (float [N, classes]);
// its input is "X" (float [N, features]). ONNXKit, ONNX Runtime and any ONNX host run it.

extension Standardizer {
    /// Adds a Scaler node `input` → `output` computing (x − mean) · (1 / scale).
    func addScaler(to builder: inout ONNXModelBuilder, input: String, output: String) {
        builder.addNode("Scaler", domain: "ai.onnx.ml", inputs: [input], outputs: [output], attributes: [
            "offset": .floats(means.map { Float($0) }),
            "scale": .floats(scales.map { Float(1 / $0) }),
        ])
    }
}

/// A builder with the standard input and outputs of an exported classifier.
private func classifierBuilder(name: String, features: Int, classes: Int) -> ONNXModelBuilder {
    var b = ONNXModelBuilder(graphName: name, producer: "DataMarket ModelMarketKit")
    b.addInput("X", elementType: .float, shape: [.symbolic("N"), .fixed(features)])
    b.addOutput("label", elementType: .int64, shape: [.symbolic("N")])
    b.addOutput("probabilities", elementType: .float, shape: [.symbolic("N"), .fixed(classes)])
    return b
}

extension LogisticRegression {
    /// The model as ONNX bytes: Scaler, then a two-row LinearClassifier (−w, +w) with a
    /// logistic transform, so "probabilities" is [1 − p, p] and "label" is 1 exactly when
    /// w·x + b > 0. The bytes are deterministic; their Keccak-256 is the `$Model` content hash.
    ///
    /// - Throws: `ONNXError.malformedModel` only if protobuf encoding fails.
    public func onnxModel() throws(ONNXError) -> Data {
        var b = classifierBuilder(name: "logistic_regression", features: weights.count, classes: 2)
        standardizer.addScaler(to: &b, input: "X", output: "standardized")
        let w = weights.map { Float($0) }
        b.addNode("LinearClassifier", domain: "ai.onnx.ml", inputs: ["standardized"], outputs: ["label", "probabilities"], attributes: [
            "coefficients": .floats(w.map { -$0 } + w),
            "intercepts": .floats([Float(-bias), Float(bias)]),
            "classlabels_ints": .ints([0, 1]),
            "multi_class": .int(0),
            "post_transform": .string("LOGISTIC"),
        ])
        return try b.serialized()
    }
}

extension SoftmaxRegression {
    /// The model as ONNX bytes: Scaler, then a LinearClassifier with one row per class and a
    /// softmax transform. Labels are 0..<classes.
    ///
    /// - Throws: `ONNXError.malformedModel` only if protobuf encoding fails.
    public func onnxModel() throws(ONNXError) -> Data {
        let features = weights.first?.count ?? 0
        var b = classifierBuilder(name: "softmax_regression", features: features, classes: biases.count)
        standardizer.addScaler(to: &b, input: "X", output: "standardized")
        b.addNode("LinearClassifier", domain: "ai.onnx.ml", inputs: ["standardized"], outputs: ["label", "probabilities"], attributes: [
            "coefficients": .floats(weights.flatMap { $0.map { Float($0) } }),
            "intercepts": .floats(biases.map { Float($0) }),
            "classlabels_ints": .ints((0..<Int64(biases.count)).map { $0 }),
            "multi_class": .int(1),
            "post_transform": .string("SOFTMAX"),
        ])
        return try b.serialized()
    }
}

/// Class predictions of an ONNX classifier (its int64 "label" output, or the first int64
/// output) for raw feature rows: what a bounty verifier runs on a revealed model.
///
/// - Throws: `ONNXError` when the bytes are not a runnable model or it has no int64 label output.
public func onnxPredictions(model bytes: Data, rows: [[Double]]) throws(ONNXError) -> [Int64] {
    let model = try ONNXModel(serialized: bytes)
    guard let input = model.inputs.first else { throw .invalidGraph(reason: "the model has no input") }
    let outputs = try model.run([input.name: try Tensor(rows: rows.map { $0.map { Float($0) } })])
    let preferred = outputs["label"]?.tensor?.int64s
    let any = model.outputs.lazy.compactMap { outputs[$0.name]?.tensor?.int64s }.first
    guard let labels = preferred ?? any else {
        throw .invalidGraph(reason: "no int64 label output; outputs: \(model.outputs.map(\.name).joined(separator: ", "))")
    }
    return labels
}
