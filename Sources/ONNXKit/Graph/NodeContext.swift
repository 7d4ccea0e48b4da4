import Foundation

/// What an operator sees of its node while it is being built: the attributes, the constant
/// inputs (initializers), and a name for error messages.
struct NodeContext {
    /// "node 3 'name' (Gemm)": how errors refer to the node.
    let label: String
    /// The operator set version of the node's domain.
    let opset: Int64
    /// Input names ("" for an omitted optional input).
    let inputs: [String]
    /// Output names.
    let outputs: [String]
    /// Attributes by name.
    let attributes: [String: Onnx_AttributeProto]
    /// Initializers known at load time, by name.
    let constants: [String: Tensor]

    /// Refuses a node whose input count is outside `range` or whose output count is outside `outputs`.
    func expect(inputs range: ClosedRange<Int>, outputs outRange: ClosedRange<Int> = 1...1) throws(ONNXError) {
        guard range.contains(inputs.count) else {
            throw .arity(node: label, reason: "takes \(range.lowerBound)...\(range.upperBound) inputs, found \(inputs.count)")
        }
        guard outRange.contains(outputs.count) else {
            throw .arity(node: label, reason: "produces \(outRange.lowerBound)...\(outRange.upperBound) outputs, found \(outputs.count)")
        }
    }

    /// The constant tensor at input `index`, or nil when that input is computed at run time.
    func constant(input index: Int) -> Tensor? {
        guard index < inputs.count, !inputs[index].isEmpty else { return nil }
        return constants[inputs[index]]
    }

    // MARK: - Attributes

    private func attribute(_ name: String, _ type: Onnx_AttributeProto.AttributeType) throws(ONNXError) -> Onnx_AttributeProto? {
        guard let a = attributes[name] else { return nil }
        // Old exporters leave `type` unset; accept that when the right field is filled.
        guard a.type == type || a.type == .undefined else {
            throw .invalidAttribute(node: label, attribute: name, reason: "has type \(a.type), expected \(type)")
        }
        return a
    }

    /// An integer attribute, or `fallback`.
    func int(_ name: String, default fallback: Int64) throws(ONNXError) -> Int64 {
        try attribute(name, .int)?.i ?? fallback
    }

    /// A required integer attribute.
    func int(_ name: String) throws(ONNXError) -> Int64 {
        guard let a = try attribute(name, .int) else { throw .invalidAttribute(node: label, attribute: name, reason: "is required") }
        return a.i
    }

    /// A float attribute, or `fallback`.
    func float(_ name: String, default fallback: Float) throws(ONNXError) -> Float {
        try attribute(name, .float)?.f ?? fallback
    }

    /// A string attribute, or `fallback`.
    func string(_ name: String, default fallback: String) throws(ONNXError) -> String {
        guard let a = try attribute(name, .string) else { return fallback }
        guard let s = String(data: a.s, encoding: .utf8) else {
            throw .invalidAttribute(node: label, attribute: name, reason: "is not UTF-8")
        }
        return s
    }

    /// A float-list attribute (empty when absent).
    func floats(_ name: String) throws(ONNXError) -> [Float] { try attribute(name, .floats)?.floats ?? [] }

    /// An integer-list attribute (empty when absent).
    func ints(_ name: String) throws(ONNXError) -> [Int64] { try attribute(name, .ints)?.ints ?? [] }

    /// A string-list attribute (empty when absent).
    func strings(_ name: String) throws(ONNXError) -> [String] {
        var out: [String] = []
        for data in try attribute(name, .strings)?.strings ?? [] {
            guard let s = String(data: data, encoding: .utf8) else {
                throw .invalidAttribute(node: label, attribute: name, reason: "has a value that is not UTF-8")
            }
            out.append(s)
        }
        return out
    }

    /// An axis attribute normalised against `rank` (negative counts from the end).
    func axis(_ value: Int64, rank: Int, name: String = "axis", allowEnd: Bool = false) throws(ONNXError) -> Int {
        let limit = Int64(rank) + (allowEnd ? 1 : 0)
        let normalised = value < 0 ? value + limit : value
        guard normalised >= 0, normalised < limit else {
            throw .invalidAttribute(node: label, attribute: name, reason: "is \(value), expected -\(limit)...\(limit - 1) for rank \(rank)")
        }
        return Int(normalised)
    }
}
