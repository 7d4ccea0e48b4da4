import Foundation
import LedgerCore
import Testing
import SwiftProtobuf
@testable import ONNXKit

/// A two-feature model built in the test: X[N,2] → `op` → Y.
private func model(opset: Int64 = 15, build: (inout ONNXModelBuilder) -> Void) throws -> Data {
    var b = ONNXModelBuilder(graphName: "t", producer: "tests", opset: opset)
    b.addInput("X", elementType: .float, shape: [.symbolic("N"), .fixed(2)])
    build(&b)
    b.addOutput("Y", elementType: .float, shape: [.symbolic("N"), .symbolic(nil)])
    return try b.serialized()
}

@Suite struct LoaderTests {
    @Test func unsupportedOperatorIsRefusedNamingTheNodeAndTheSupportedSet() throws {
        let bytes = try model { $0.addNode("Conv", inputs: ["X"], outputs: ["Y"]) }
        #expect(throws: ONNXError.unsupportedOperator(node: "node 0 'Conv_0' (Conv)", domain: "", opType: "Conv",
                                                      supported: OperatorRegistry.supportedNames)) {
            try ONNXModel(serialized: bytes)
        }
        #expect(OperatorRegistry.supportedNames.contains("Gemm") && OperatorRegistry.supportedNames.contains("ai.onnx.ml.ZipMap"))
    }

    @Test func unsupportedOpsetIsRefusedWithTheSupportedRange() throws {
        let bytes = try model(opset: 5) { $0.addNode("Relu", inputs: ["X"], outputs: ["Y"]) }
        #expect(throws: ONNXError.unsupportedOpset(domain: "", version: 5, supported: "7...21")) { try ONNXModel(serialized: bytes) }
    }

    @Test func unsupportedInputTypeIsRefused() throws {
        var proto = try Onnx_ModelProto(serializedBytes: try model { $0.addNode("Relu", inputs: ["X"], outputs: ["Y"]) })
        proto.graph.input[0].type.tensorType.elemType = 10 // float16
        #expect(throws: ONNXError.unsupportedType(node: "graph input 'X'", found: "float16", supported: ElementType.supportedList)) {
            try ONNXModel(serialized: try proto.serializedData())
        }
    }

    @Test func inconsistentShapesAreFoundAtLoad() throws {
        let bytes = try model {
            $0.addInitializer("W", Tensor(unchecked: [3, 4], .float(Array(repeating: 1, count: 12))))
            $0.addNode("Gemm", inputs: ["X", "W"], outputs: ["Y"])
        }
        #expect(throws: ONNXError.shapeMismatch(node: "node 0 'Gemm_0' (Gemm)", reason: "inner dimensions of A and B: 2 vs 3")) {
            try ONNXModel(serialized: bytes)
        }
        let reshape = try model {
            $0.addInitializer("S", Tensor(unchecked: [1], .int64([3])))
            $0.addInitializer("Z", Tensor(unchecked: [2], .float([1, 2])))
            $0.addNode("Reshape", inputs: ["Z", "S"], outputs: ["Y"])
        }
        #expect(throws: ONNXError.shapeMismatch(node: "node 0 'Reshape_0' (Reshape)", reason: "cannot reshape [2] (2 elements) to [3]")) {
            try ONNXModel(serialized: reshape)
        }
    }

    @Test func undefinedInputAndBadAttributesAreRefused() throws {
        let undefined = try model { $0.addNode("Add", inputs: ["X", "nowhere"], outputs: ["Y"]) }
        #expect(throws: ONNXError.undefinedValue(node: "node 0 'Add_0' (Add)", name: "nowhere")) { try ONNXModel(serialized: undefined) }
        let transform = try model {
            $0.addNode("LinearClassifier", domain: "ai.onnx.ml", inputs: ["X"], outputs: ["L", "Y"],
                       attributes: ["coefficients": .floats([1, 2]), "intercepts": .floats([0]), "classlabels_ints": .ints([0, 1]),
                                    "post_transform": .string("PROBIT")])
        }
        #expect(throws: ONNXError.invalidAttribute(node: "node 0 'LinearClassifier_0' (LinearClassifier)", attribute: "post_transform",
                                                   reason: "is PROBIT; supported: NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO")) {
            try ONNXModel(serialized: transform)
        }
    }

    @Test func anOmittedOptionalOutputIsAllowed() throws {
        let bytes = try model {
            $0.addNode("LinearClassifier", domain: "ai.onnx.ml", inputs: ["X"], outputs: ["", "Y"],
                       attributes: ["coefficients": .floats([1, 0, 0, 1]), "intercepts": .floats([0, 1]), "classlabels_ints": .ints([0, 1]),
                                    "multi_class": .int(1)])
        }
        let m = try ONNXModel(serialized: bytes)
        #expect(try m.run(["X": try Tensor(rows: [[3, 4]])])["Y"]?.tensor?.floats == [3, 5])
    }

    @Test func feedsAreCheckedAgainstTheDeclaredInput() throws {
        let m = try ONNXModel(serialized: try model { $0.addNode("Relu", inputs: ["X"], outputs: ["Y"]) })
        #expect(throws: ONNXError.invalidFeed(name: "X", reason: "has shape [1, 3], expected [N,2]")) {
            try m.run(["X": try Tensor(rows: [[1, 2, 3]])])
        }
        #expect(throws: ONNXError.invalidFeed(name: "X", reason: "missing")) { try m.run([:]) }
        #expect(throws: ONNXError.invalidFeed(name: "X", reason: "is tensor(int64), expected tensor(float)")) {
            try m.run(["X": try Tensor(shape: [1, 2], storage: .int64([1, 2]))])
        }
        let y = try m.run(["X": try Tensor(rows: [[-1, 2]])])["Y"]?.tensor?.floats
        #expect(y == [0, 2])
    }

    @Test func garbageAndTruncatedBytesAreTypedErrors() throws {
        #expect(throws: ONNXError.self) { try ONNXModel(serialized: Data("not a model".utf8)) }
        #expect(throws: ONNXError.malformedModel(reason: "the model has no graph")) { try ONNXModel(serialized: Data()) }
        let bytes = try Data(contentsOf: Paths.fixture("wine_mlp.onnx"))
        for cut in stride(from: 1, to: bytes.count, by: 97) {
            #expect(throws: ONNXError.self) { try ONNXModel(serialized: bytes.prefix(cut)) }
        }
    }

    /// Mutation fuzzing: flipped, overwritten, inserted and deleted bytes in every fixture must
    /// load and run, or fail with an `ONNXError`; nothing may crash. 400 mutations per fixture;
    /// `ONNX_FUZZ_ITERATIONS=N` runs a longer campaign.
    @Test(arguments: fixtureNames)
    func mutatedFixturesNeverCrash(_ name: String) throws {
        let expected = try Expected.load(name)
        let original = try Data(contentsOf: Paths.fixture(expected.model))
        let rows = try featureRows(expected.data, header: expected.header, rows: 3, columns: expected.featureColumns)
        let feed = try Tensor(rows: rows)
        var rng = SplitMix64(seed: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        let iterations = ProcessInfo.processInfo.environment["ONNX_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 400
        var loaded = 0, refused = 0
        for _ in 0..<iterations {
            var bytes = [UInt8](original)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                case 1: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 2: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
                default: if bytes.count > 1 { bytes.remove(at: at) }
                }
            }
            do {
                let m = try ONNXModel(serialized: Data(bytes))
                loaded += 1
                if let input = m.inputs.first { _ = try? m.run([input.name: feed]) }
            } catch {
                refused += 1
            }
        }
        #expect(loaded + refused == iterations)
        #expect(refused > 0, "no mutation was refused: the loader checks nothing")
    }
}
