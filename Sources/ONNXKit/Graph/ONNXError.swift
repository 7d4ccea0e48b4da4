/// Why an ONNX model could not be loaded or run. Every case names the node or value involved
/// and says what was expected.
public enum ONNXError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not a protobuf-encoded `ModelProto`.
    case malformedModel(reason: String)
    /// The model imports an operator set version this runtime does not implement.
    case unsupportedOpset(domain: String, version: Int64, supported: String)
    /// A node uses an operator this runtime does not implement.
    case unsupportedOperator(node: String, domain: String, opType: String, supported: [String])
    /// A node or graph value has an element type the operator (or the runtime) does not accept.
    case unsupportedType(node: String, found: String, supported: String)
    /// Shapes that do not fit together (found at load when known, otherwise when run).
    case shapeMismatch(node: String, reason: String)
    /// A required attribute is missing or has an unusable value.
    case invalidAttribute(node: String, attribute: String, reason: String)
    /// A node reads a value that no earlier node, initializer or graph input defines.
    case undefinedValue(node: String, name: String)
    /// A node has fewer (or more) inputs or outputs than its operator takes.
    case arity(node: String, reason: String)
    /// An initializer or constant tensor cannot be decoded.
    case invalidTensor(name: String, reason: String)
    /// A feed passed to `run` does not match the graph's inputs.
    case invalidFeed(name: String, reason: String)
    /// The graph itself is unusable (no outputs, duplicate definitions, ...).
    case invalidGraph(reason: String)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .malformedModel(let reason): "not an ONNX model: \(reason)"
        case .unsupportedOpset(let domain, let version, let supported):
            "operator set \(domain.isEmpty ? "ai.onnx" : domain) version \(version) is not supported; supported: \(supported)"
        case .unsupportedOperator(let node, let domain, let opType, let supported):
            "\(node): operator \(domain.isEmpty ? "" : domain + ".")\(opType) is not supported; supported: \(supported.joined(separator: ", "))"
        case .unsupportedType(let node, let found, let supported): "\(node): type \(found) is not supported; expected \(supported)"
        case .shapeMismatch(let node, let reason): "\(node): shape mismatch: \(reason)"
        case .invalidAttribute(let node, let attribute, let reason): "\(node): attribute '\(attribute)' \(reason)"
        case .undefinedValue(let node, let name): "\(node): input '\(name)' is not defined by any earlier node, initializer or graph input"
        case .arity(let node, let reason): "\(node): \(reason)"
        case .invalidTensor(let name, let reason): "tensor '\(name)': \(reason)"
        case .invalidFeed(let name, let reason): "input '\(name)': \(reason)"
        case .invalidGraph(let reason): "invalid graph: \(reason)"
        }
    }
}
