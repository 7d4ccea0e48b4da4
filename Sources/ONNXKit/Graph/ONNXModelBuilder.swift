public import Foundation
import SwiftProtobuf

/// Builds an ONNX model (graph, initializers, operator sets) and serializes it, so Swift
/// learners can export what they trained in the open format.
///
/// ```swift
/// var b = ONNXModelBuilder(graphName: "logistic", producer: "ModelMarketKit")
/// b.addInput("X", elementType: .float, shape: [.symbolic("N"), .fixed(30)])
/// b.addNode("Scaler", domain: "ai.onnx.ml", inputs: ["X"], outputs: ["Xs"], attributes: ["offset": .floats(m), "scale": .floats(s)])
/// let bytes = try b.serialized()
/// ```
public struct ONNXModelBuilder: Sendable {
    /// An attribute value of a node.
    public enum Attribute: Sendable, Equatable {
        /// One integer.
        case int(Int64)
        /// One float.
        case float(Float)
        /// One string.
        case string(String)
        /// A list of integers.
        case ints([Int64])
        /// A list of floats.
        case floats([Float])
        /// A list of strings.
        case strings([String])
    }

    private var model = Onnx_ModelProto()

    /// An empty model whose graph is called `graphName`, importing ai.onnx `opset` and
    /// ai.onnx.ml `mlOpset`.
    public init(graphName: String, producer: String, opset: Int64 = 15, mlOpset: Int64 = 3) {
        model.irVersion = 8
        model.producerName = producer
        model.graph.name = graphName
        var standard = Onnx_OperatorSetIdProto()
        standard.domain = ""
        standard.version = opset
        var ml = Onnx_OperatorSetIdProto()
        ml.domain = "ai.onnx.ml"
        ml.version = mlOpset
        model.opsetImport = [standard, ml]
    }

    private static func info(_ name: String, _ element: ElementType, _ shape: [Dimension]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = element.rawValue
        tensor.shape.dim = shape.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            switch d {
            case .fixed(let v): dim.dimValue = Int64(v)
            case .symbolic(let p?): dim.dimParam = p
            case .symbolic(nil): break
            }
            return dim
        }
        info.type.tensorType = tensor
        return info
    }

    /// Declares a graph input.
    public mutating func addInput(_ name: String, elementType: ElementType, shape: [Dimension]) {
        model.graph.input.append(Self.info(name, elementType, shape))
    }

    /// Declares a tensor graph output.
    public mutating func addOutput(_ name: String, elementType: ElementType, shape: [Dimension]) {
        model.graph.output.append(Self.info(name, elementType, shape))
    }

    /// Adds a constant tensor.
    public mutating func addInitializer(_ name: String, _ tensor: Tensor) {
        model.graph.initializer.append(tensor.proto(name: name))
    }

    /// Appends a node (nodes must be added in an order where inputs are defined first).
    public mutating func addNode(_ opType: String, domain: String = "", inputs: [String], outputs: [String], attributes: [String: Attribute] = [:]) {
        var node = Onnx_NodeProto()
        node.opType = opType
        node.domain = domain
        node.name = "\(opType)_\(model.graph.node.count)"
        node.input = inputs
        node.output = outputs
        node.attribute = attributes.keys.sorted().map { key in
            var a = Onnx_AttributeProto()
            a.name = key
            switch attributes[key] {
            case .int(let v)?: a.type = .int; a.i = v
            case .float(let v)?: a.type = .float; a.f = v
            case .string(let v)?: a.type = .string; a.s = Data(v.utf8)
            case .ints(let v)?: a.type = .ints; a.ints = v
            case .floats(let v)?: a.type = .floats; a.floats = v
            case .strings(let v)?: a.type = .strings; a.strings = v.map { Data($0.utf8) }
            case nil: break
            }
            return a
        }
        model.graph.node.append(node)
    }

    /// The model's protobuf bytes (deterministic: the same model always gives the same bytes,
    /// so its Keccak-256 is a stable content hash).
    ///
    /// - Throws: `malformedModel` if protobuf encoding fails.
    public func serialized() throws(ONNXError) -> Data {
        do {
            var options = BinaryEncodingOptions()
            options.useDeterministicOrdering = true
            return try model.serializedData(options: options)
        } catch {
            throw .malformedModel(reason: "encoding failed: \(error)")
        }
    }
}
