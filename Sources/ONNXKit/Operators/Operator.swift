/// One node's computation. Built once at load time from the node (attributes checked, constant
/// inputs read); `outputTypes` checks and propagates static types; `run` computes.
protocol Operator: Sendable {
    /// The static types of the outputs for the given input types (nil: omitted optional input).
    ///
    /// - Throws: `unsupportedType` or `shapeMismatch` naming the node.
    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType]

    /// The outputs for the given inputs (nil: omitted optional input).
    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value]
}

/// An operator's factory: validates the node and builds the operator.
typealias OperatorFactory = @Sendable (NodeContext) throws(ONNXError) -> any Operator

/// The operators this runtime implements, by domain and name.
enum OperatorRegistry {
    /// The default domain (`ai.onnx`).
    static let standard: [String: OperatorFactory] = [
        "Add": { c throws(ONNXError) in try Binary(c, .add) },
        "Sub": { c throws(ONNXError) in try Binary(c, .sub) },
        "Mul": { c throws(ONNXError) in try Binary(c, .mul) },
        "Div": { c throws(ONNXError) in try Binary(c, .div) },
        "Relu": { c throws(ONNXError) in try Unary(c, .relu) },
        "Sigmoid": { c throws(ONNXError) in try Unary(c, .sigmoid) },
        "Tanh": { c throws(ONNXError) in try Unary(c, .tanh) },
        "Gemm": { c throws(ONNXError) in try Gemm(c) },
        "MatMul": { c throws(ONNXError) in try MatMul(c) },
        "Softmax": { c throws(ONNXError) in try Softmax(c) },
        "ArgMax": { c throws(ONNXError) in try ArgMax(c) },
        "Identity": { c throws(ONNXError) in try Identity(c) },
        "Reshape": { c throws(ONNXError) in try Reshape(c) },
        "Flatten": { c throws(ONNXError) in try Flatten(c) },
        "Cast": { c throws(ONNXError) in try Cast(c) },
        "Concat": { c throws(ONNXError) in try Concat(c) },
    ]

    /// The `ai.onnx.ml` domain.
    static let ml: [String: OperatorFactory] = [
        "LinearClassifier": { c throws(ONNXError) in try LinearClassifier(c) },
        "LinearRegressor": { c throws(ONNXError) in try LinearRegressor(c) },
        "Scaler": { c throws(ONNXError) in try Scaler(c) },
        "Normalizer": { c throws(ONNXError) in try Normalizer(c) },
        "ZipMap": { c throws(ONNXError) in try ZipMap(c) },
        "ArrayFeatureExtractor": { c throws(ONNXError) in try ArrayFeatureExtractor(c) },
    ]

    /// Every supported operator as `domain.Name`, sorted, for error messages.
    static var supportedNames: [String] {
        (standard.keys.sorted() + ml.keys.sorted().map { "ai.onnx.ml.\($0)" })
    }
}

// MARK: - Helpers shared by the kernels

extension Operator {
    /// The tensor at `index`, or an error naming the node.
    func tensor(_ inputs: [Value?], _ index: Int, _ label: String) throws(ONNXError) -> Tensor {
        guard index < inputs.count, let value = inputs[index] else {
            throw .arity(node: label, reason: "input \(index) is missing")
        }
        guard case .tensor(let t) = value else {
            throw .unsupportedType(node: label, found: "seq(map)", supported: "a tensor at input \(index)")
        }
        return t
    }

    /// The input type at `index` (nil for a missing optional input).
    func type(_ inputs: [ValueType?], _ index: Int) -> ValueType? { index < inputs.count ? inputs[index] : nil }
}

/// The elements of a float tensor, or `unsupportedType` naming the node.
func floats(_ t: Tensor, _ label: String, _ what: String = "input") throws(ONNXError) -> [Float] {
    guard case .float(let v) = t.storage else {
        throw .unsupportedType(node: label, found: "tensor(\(t.elementType)) at \(what)", supported: "tensor(float)")
    }
    return v
}

/// Requires a float tensor type (or an unknown one).
func requireFloat(_ type: ValueType?, _ label: String, _ what: String = "input") throws(ONNXError) -> [Dimension]? {
    guard let type else { return nil }
    guard case .tensor(.float, let shape) = type else {
        throw .unsupportedType(node: label, found: "\(type) at \(what)", supported: "tensor(float)")
    }
    return shape
}

/// Converts any numeric tensor to floats (LinearClassifier and friends accept several types).
func numericAsFloats(_ t: Tensor, _ label: String) throws(ONNXError) -> [Float] {
    switch t.storage {
    case .float(let v): return v
    case .double(let v): return v.map { Float($0) }
    case .int64(let v): return v.map { Float($0) }
    case .int32(let v): return v.map { Float($0) }
    case .bool, .string:
        throw .unsupportedType(node: label, found: "tensor(\(t.elementType))", supported: "tensor(float|double|int64|int32)")
    }
}

/// Requires a numeric tensor type (or an unknown one) and returns its shape.
func requireNumeric(_ type: ValueType?, _ label: String) throws(ONNXError) -> [Dimension]? {
    guard let type else { return nil }
    guard case .tensor(let e, let shape) = type, [.float, .double, .int64, .int32].contains(e) else {
        throw .unsupportedType(node: label, found: "\(type)", supported: "tensor(float|double|int64|int32)")
    }
    return shape
}

/// Checks two dimensions that must be equal when both are known.
func checkEqual(_ a: Dimension, _ b: Dimension, _ label: String, _ what: String) throws(ONNXError) {
    if let x = a.value, let y = b.value, x != y {
        throw .shapeMismatch(node: label, reason: "\(what): \(x) vs \(y)")
    }
}
