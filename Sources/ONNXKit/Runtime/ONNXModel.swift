public import Foundation
import SwiftProtobuf

/// An ONNX model loaded, checked and ready to run in float32, like ONNX Runtime's CPU provider.
///
/// Loading parses the protobuf, checks the operator sets, builds every node's operator (its
/// attributes checked) and propagates element types and shapes from the graph inputs, so an
/// unsupported operator, opset, type or an inconsistent shape is reported before anything runs.
///
/// ```swift
/// let model = try ONNXModel(serialized: Data(contentsOf: url))
/// let outputs = try model.run([model.inputs[0].name: try Tensor(rows: rows)])
/// ```
public struct ONNXModel: Sendable {
    /// A named graph input or output and its static type.
    public struct Port: Sendable, Equatable {
        /// The value's name in the graph.
        public let name: String
        /// Its type; nil when the model does not declare one.
        public let type: ValueType?
    }

    /// The operator set versions this runtime accepts, by domain ("" is ai.onnx).
    public static let supportedOpsets: [String: ClosedRange<Int64>] = ["": 7...21, "ai.onnx.ml": 1...5]

    /// The inputs the caller feeds (graph inputs that are not initializers).
    public let inputs: [Port]
    /// The outputs `run` returns.
    public let outputs: [Port]
    /// The imported operator set versions, by domain.
    public let opsets: [String: Int64]
    /// Every operator type used, in graph order, without repeats (e.g. `["Scaler", "LinearClassifier"]`).
    public let operatorTypes: [String]

    struct Step: Sendable {
        let op: any Operator
        let inputs: [Int?]
        let outputs: [Int?]
    }

    let steps: [Step]
    private let slotCount: Int
    let constantSlots: [(Int, Tensor)]
    let inputSlots: [Int]
    private let outputSlots: [Int]

    /// Loads a model from its serialized `ModelProto` bytes.
    ///
    /// - Throws: `ONNXError` naming what is malformed or unsupported; never crashes on bad bytes.
    public init(serialized data: Data) throws(ONNXError) {
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw .malformedModel(reason: "protobuf decoding failed (\(error))")
        }
        try self.init(proto: proto)
    }

    /// Loads a model from a file.
    ///
    /// - Throws: `ONNXError.malformedModel` when the file cannot be read, or as `init(serialized:)`.
    public init(contentsOf url: URL) throws(ONNXError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .malformedModel(reason: "cannot read \(url.path): \(error.localizedDescription)") }
        try self.init(serialized: data)
    }

    init(proto: Onnx_ModelProto) throws(ONNXError) {
        guard proto.hasGraph else { throw .malformedModel(reason: "the model has no graph") }
        guard proto.irVersion >= 3, proto.irVersion <= 12 else {
            throw .malformedModel(reason: "IR version \(proto.irVersion) is not supported; expected 3...12")
        }
        // Operator sets.
        var opsets: [String: Int64] = [:]
        for o in proto.opsetImport {
            let domain = o.domain == "ai.onnx" ? "" : o.domain
            if let existing = opsets[domain], existing != o.version {
                throw .unsupportedOpset(domain: domain, version: o.version, supported: "one version per domain (also imports \(existing))")
            }
            guard let range = ONNXModel.supportedOpsets[domain] else {
                throw .unsupportedOpset(domain: domain, version: o.version, supported: "domains ai.onnx 7...21 and ai.onnx.ml 1...5")
            }
            guard range.contains(o.version) else {
                throw .unsupportedOpset(domain: domain, version: o.version, supported: "\(range.lowerBound)...\(range.upperBound)")
            }
            opsets[domain] = o.version
        }
        guard !opsets.isEmpty else { throw .malformedModel(reason: "the model imports no operator set") }
        self.opsets = opsets

        let graph = proto.graph
        guard graph.node.count <= 100_000 else { throw .invalidGraph(reason: "\(graph.node.count) nodes, at most 100000 supported") }
        guard !graph.output.isEmpty else { throw .invalidGraph(reason: "the graph declares no outputs") }

        var slots: [String: Int] = [:]
        var types: [ValueType?] = []
        func define(_ name: String, _ type: ValueType?, by who: String) throws(ONNXError) -> Int {
            guard !name.isEmpty else { throw .invalidGraph(reason: "\(who) defines a value with an empty name") }
            guard slots[name] == nil else { throw .invalidGraph(reason: "value '\(name)' is defined twice (again by \(who))") }
            slots[name] = types.count
            types.append(type)
            return types.count - 1
        }

        // Initializers.
        var constants: [String: Tensor] = [:]
        var constantSlots: [(Int, Tensor)] = []
        for t in graph.initializer {
            let tensor = try Tensor(proto: t)
            let slot = try define(t.name, .tensor(tensor.elementType, shape: tensor.shape.map { .fixed($0) }), by: "initializer '\(t.name)'")
            constants[t.name] = tensor
            constantSlots.append((slot, tensor))
        }
        // Graph inputs (older models also list their initializers here).
        var inputs: [Port] = []
        var inputSlots: [Int] = []
        for i in graph.input where constants[i.name] == nil {
            let type = try ONNXModel.valueType(i, what: "graph input '\(i.name)'")
            guard type != nil else {
                throw .unsupportedType(node: "graph input '\(i.name)'", found: "no declared type", supported: "a tensor type")
            }
            inputSlots.append(try define(i.name, type, by: "graph input"))
            inputs.append(Port(name: i.name, type: type))
        }
        guard !inputs.isEmpty else { throw .invalidGraph(reason: "the graph has no inputs to feed") }

        // Nodes, in the topological order ONNX requires.
        var steps: [Step] = []
        var operatorTypes: [String] = []
        for (index, node) in graph.node.enumerated() {
            let label = "node \(index) '\(node.name)' (\(node.opType))"
            let domain = node.domain == "ai.onnx" ? "" : node.domain
            let registry: [String: OperatorFactory]
            switch domain {
            case "": registry = OperatorRegistry.standard
            case "ai.onnx.ml": registry = OperatorRegistry.ml
            default:
                throw .unsupportedOperator(node: label, domain: domain, opType: node.opType, supported: OperatorRegistry.supportedNames)
            }
            guard let factory = registry[node.opType] else {
                throw .unsupportedOperator(node: label, domain: domain, opType: node.opType, supported: OperatorRegistry.supportedNames)
            }
            guard let opset = opsets[domain] else {
                throw .unsupportedOpset(domain: domain, version: 0, supported: "the model must import the domain of \(label)")
            }
            var attributes: [String: Onnx_AttributeProto] = [:]
            for a in node.attribute {
                guard attributes[a.name] == nil else { throw .invalidAttribute(node: label, attribute: a.name, reason: "is given twice") }
                guard a.refAttrName.isEmpty else { throw .invalidAttribute(node: label, attribute: a.name, reason: "refers to a function attribute; functions are not supported") }
                attributes[a.name] = a
            }
            let context = NodeContext(label: label, opset: opset, inputs: node.input, outputs: node.output,
                                      attributes: attributes, constants: constants)
            let op = try factory(context)
            var inputSlotsOfNode: [Int?] = []
            var inputTypes: [ValueType?] = []
            for name in node.input {
                if name.isEmpty { inputSlotsOfNode.append(nil); inputTypes.append(nil); continue }
                guard let slot = slots[name] else { throw .undefinedValue(node: label, name: name) }
                inputSlotsOfNode.append(slot)
                inputTypes.append(types[slot])
            }
            let outputTypes = try op.outputTypes(inputTypes)
            var outputSlotsOfNode: [Int?] = []
            for (k, name) in node.output.enumerated() {
                // An empty name is an optional output the model does not use.
                outputSlotsOfNode.append(name.isEmpty ? nil : try define(name, k < outputTypes.count ? outputTypes[k] : nil, by: label))
            }
            steps.append(Step(op: op, inputs: inputSlotsOfNode, outputs: outputSlotsOfNode))
            if !operatorTypes.contains(node.opType) { operatorTypes.append(node.opType) }
        }

        // Outputs.
        var outputs: [Port] = []
        var outputSlots: [Int] = []
        for o in graph.output {
            guard let slot = slots[o.name] else { throw .undefinedValue(node: "graph output", name: o.name) }
            outputSlots.append(slot)
            outputs.append(Port(name: o.name, type: types[slot]))
        }

        self.inputs = inputs
        self.outputs = outputs
        self.operatorTypes = operatorTypes
        self.steps = steps
        self.slotCount = types.count
        self.constantSlots = constantSlots
        self.inputSlots = inputSlots
        self.outputSlots = outputSlots
    }

    /// The declared type of a graph input, or nil when it declares none.
    private static func valueType(_ info: Onnx_ValueInfoProto, what: String) throws(ONNXError) -> ValueType? {
        guard info.hasType, let value = info.type.value else { return nil }
        guard case .tensorType(let t) = value else {
            throw .unsupportedType(node: what, found: "a non-tensor input", supported: "tensor inputs")
        }
        guard let element = ElementType(rawValue: t.elemType) else {
            throw .unsupportedType(node: what, found: ElementType.name(ofCode: t.elemType), supported: ElementType.supportedList)
        }
        guard t.hasShape else { return .tensor(element, shape: nil) }
        var dims: [Dimension] = []
        for d in t.shape.dim {
            switch d.value {
            case .dimValue(let v)?:
                guard v >= 0, v <= Int64(Int32.max) else { throw .shapeMismatch(node: what, reason: "dimension \(v) out of range") }
                dims.append(.fixed(Int(v)))
            case .dimParam(let p)?: dims.append(.symbolic(p))
            case nil: dims.append(.symbolic(nil))
            }
        }
        return .tensor(element, shape: dims)
    }

    // MARK: - Running

    /// Runs the graph on `feeds` (one tensor per input, by name) and returns every graph output.
    ///
    /// - Throws: `invalidFeed` when a feed is missing, unknown or does not match the declared
    ///   type or fixed dimensions; otherwise the first node's error.
    public func run(_ feeds: [String: Tensor]) throws(ONNXError) -> [String: Value] {
        var env = [Value?](repeating: nil, count: slotCount)
        for (slot, tensor) in constantSlots { env[slot] = .tensor(tensor) }
        for name in feeds.keys where !inputs.contains(where: { $0.name == name }) {
            throw .invalidFeed(name: name, reason: "the model has no such input; inputs: \(inputs.map(\.name).joined(separator: ", "))")
        }
        for (port, slot) in zip(inputs, inputSlots) {
            guard let t = feeds[port.name] else { throw .invalidFeed(name: port.name, reason: "missing") }
            if case .tensor(let e, let shape)? = port.type {
                guard t.elementType == e else { throw .invalidFeed(name: port.name, reason: "is tensor(\(t.elementType)), expected tensor(\(e))") }
                if let shape {
                    guard shape.count == t.shape.count, zip(shape, t.shape).allSatisfy({ $0.value == nil || $0.value == $1 }) else {
                        throw .invalidFeed(name: port.name, reason: "has shape \(t.shape), expected [\(shape.map(\.description).joined(separator: ","))]")
                    }
                }
            }
            env[slot] = .tensor(t)
        }
        for step in steps {
            let args = step.inputs.map { $0.flatMap { env[$0] } }
            let results = try step.op.run(args)
            for (slot, value) in zip(step.outputs, results) { if let slot { env[slot] = value } }
        }
        var out: [String: Value] = [:]
        for (port, slot) in zip(outputs, outputSlots) {
            guard let v = env[slot] else { throw .undefinedValue(node: "graph output", name: port.name) }
            out[port.name] = v
        }
        return out
    }
}
