import Foundation
import Testing
@testable import ONNXKit

/// Runs one node on `inputs` (initializers) and returns its outputs.
private func runNode(_ op: String, domain: String = "", opset: Int64 = 15, inputs: [Tensor], outputs: Int = 1,
                     attributes: [String: ONNXModelBuilder.Attribute] = [:]) throws -> [Value] {
    var b = ONNXModelBuilder(graphName: "t", producer: "tests", opset: opset)
    b.addInput("unused", elementType: .float, shape: [.fixed(1)])
    for (i, t) in inputs.enumerated() { b.addInitializer("in\(i)", t) }
    let names = (0..<outputs).map { "out\($0)" }
    b.addNode(op, domain: domain, inputs: inputs.indices.map { "in\($0)" }, outputs: names, attributes: attributes)
    for n in names { b.addOutput(n, elementType: .float, shape: []) }
    let m = try ONNXModel(serialized: try b.serialized())
    let r = try m.run(["unused": try Tensor(shape: [1], floats: [0])])
    return names.compactMap { r[$0] }
}

private func t(_ shape: [Int], _ v: [Float]) -> Tensor { (try? Tensor(shape: shape, floats: v)) ?? Tensor(unchecked: [0], .float([])) }

@Suite struct OperatorTests {
    @Test func addBroadcastsRowsColumnsAndScalars() throws {
        let row = try runNode("Add", inputs: [t([2, 3], [1, 2, 3, 4, 5, 6]), t([3], [10, 20, 30])])
        #expect(row[0].tensor == t([2, 3], [11, 22, 33, 14, 25, 36]))
        let column = try runNode("Sub", inputs: [t([2, 3], [1, 2, 3, 4, 5, 6]), t([2, 1], [1, 4])])
        #expect(column[0].tensor == t([2, 3], [0, 1, 2, 0, 1, 2]))
        let scalar = try runNode("Div", inputs: [t([1, 2], [3, 6]), t([], [3])])
        #expect(scalar[0].tensor == t([1, 2], [1, 2]))
        let outer = try runNode("Mul", inputs: [t([2, 1], [1, 2]), t([1, 3], [1, 10, 100])])
        #expect(outer[0].tensor == t([2, 3], [1, 10, 100, 2, 20, 200]))
        #expect(throws: ONNXError.self) { try runNode("Add", inputs: [t([2], [1, 2]), t([3], [1, 2, 3])]) }
    }

    @Test func gemmTransposesScalesAndAddsBias() throws {
        // A [2,3], B given as [2,3] with transB → B' [3,2]; alpha 2, C [2] broadcast.
        let y = try runNode("Gemm", inputs: [t([2, 3], [1, 2, 3, 4, 5, 6]), t([2, 3], [1, 0, 0, 0, 1, 0]), t([2], [100, 200])],
                            attributes: ["transB": .int(1), "alpha": .float(2)])
        #expect(y[0].tensor == t([2, 2], [102, 204, 108, 210]))
    }

    @Test func matMulHandlesBatchedLeftOperandAndVectors() throws {
        let y = try runNode("MatMul", inputs: [t([2, 1, 2], [1, 2, 3, 4]), t([2, 1], [10, 1])])
        #expect(y[0].tensor == t([2, 1, 1], [12, 34]))
        let v = try runNode("MatMul", inputs: [t([2, 2], [1, 2, 3, 4]), t([2], [1, 1])])
        #expect(v[0].tensor == t([2], [3, 7]))
    }

    @Test func softmaxFollowsItsOpsetSemantics() throws {
        // Opset 13+: along the last axis. Opset 11: over the input coerced to 2-D at axis 1.
        let x = t([1, 2, 2], [0, 0, 0, log(3)])
        let new = try #require(try runNode("Softmax", opset: 13, inputs: [x])[0].tensor?.floats)
        #expect(zip(new, [0.5, 0.5, 0.25, 0.75]).allSatisfy { abs($0 - $1) < 1e-6 })
        let old = try #require(try runNode("Softmax", opset: 11, inputs: [x])[0].tensor?.floats)
        #expect(zip(old, [1.0 / 6, 1.0 / 6, 1.0 / 6, 0.5]).allSatisfy { abs($0 - Float($1)) < 1e-6 })
    }

    @Test func argMaxKeepsDimsAndPicksFirstOrLastMaximum() throws {
        let x = t([2, 3], [1, 5, 5, 7, 0, 7])
        #expect(try runNode("ArgMax", inputs: [x], attributes: ["axis": .int(1)])[0].tensor == Tensor(unchecked: [2, 1], .int64([1, 0])))
        #expect(try runNode("ArgMax", inputs: [x], attributes: ["axis": .int(1), "keepdims": .int(0), "select_last_index": .int(1)])[0].tensor
                == Tensor(unchecked: [2], .int64([2, 2])))
    }

    @Test func reshapeFlattenConcatAndCast() throws {
        let x = t([2, 3], [1, 2, 3, 4, 5, 6])
        let r = try runNode("Reshape", inputs: [x, Tensor(unchecked: [2], .int64([0, -1]))])
        #expect(r[0].tensor?.shape == [2, 3])
        let r2 = try runNode("Reshape", inputs: [x, Tensor(unchecked: [1], .int64([-1]))])
        #expect(r2[0].tensor?.shape == [6])
        let f = try runNode("Flatten", inputs: [t([2, 1, 3], [1, 2, 3, 4, 5, 6])], attributes: ["axis": .int(2)])
        #expect(f[0].tensor?.shape == [2, 3])
        let c = try runNode("Concat", inputs: [t([2, 1], [1, 2]), t([2, 2], [3, 4, 5, 6])], attributes: ["axis": .int(1)])
        #expect(c[0].tensor == t([2, 3], [1, 3, 4, 2, 5, 6]))
        let cast = try runNode("Cast", inputs: [t([4], [1.9, -1.9, .nan, 1e30])], attributes: ["to": .int(7)])
        #expect(cast[0].tensor == Tensor(unchecked: [4], .int64([1, -1, 0, .max])))
        #expect(throws: ONNXError.unsupportedType(node: "node 0 'Cast_0' (Cast)", found: "cast to float16", supported: ElementType.supportedList)) {
            try runNode("Cast", inputs: [x], attributes: ["to": .int(10)])
        }
    }

    @Test func activations() throws {
        let x = t([3], [-2, 0, 2])
        #expect(try runNode("Relu", inputs: [x])[0].tensor == t([3], [0, 0, 2]))
        let s = try #require(try runNode("Sigmoid", inputs: [x])[0].tensor?.floats)
        #expect(abs(s[0] - 0.11920292) < 1e-7 && s[1] == 0.5 && abs(s[2] - 0.8807971) < 1e-7)
        let th = try #require(try runNode("Tanh", inputs: [x])[0].tensor?.floats)
        #expect(abs(th[2] - 0.9640276) < 1e-6 && th[1] == 0)
        #expect(try runNode("Identity", inputs: [x])[0].tensor == x)
    }

    @Test func mlOperators() throws {
        let x = t([2, 2], [1, 2, 3, 4])
        let scaled = try runNode("Scaler", domain: "ai.onnx.ml", inputs: [x], attributes: ["offset": .floats([1, 2]), "scale": .floats([2, 0.5])])
        #expect(scaled[0].tensor == t([2, 2], [0, 0, 4, 1]))
        let l1 = try runNode("Normalizer", domain: "ai.onnx.ml", inputs: [x], attributes: ["norm": .string("L1")])
        #expect(l1[0].tensor == t([2, 2], [1.0 / 3, 2.0 / 3, 3.0 / 7, 4.0 / 7]))
        let reg = try runNode("LinearRegressor", domain: "ai.onnx.ml", inputs: [x],
                              attributes: ["coefficients": .floats([1, 1, 1, -1]), "intercepts": .floats([10, 0]), "targets": .int(2)])
        #expect(reg[0].tensor == t([2, 2], [13, -1, 17, -1]))
        let cls = try runNode("LinearClassifier", domain: "ai.onnx.ml", inputs: [x], outputs: 2,
                              attributes: ["coefficients": .floats([1, 0, 0, 1, -1, -1]), "intercepts": .floats([0, 0, 10]),
                                           "classlabels_strings": .strings(["a", "b", "c"])])
        #expect(cls[0].tensor == Tensor(unchecked: [2], .string(["c", "b"])))
        #expect(cls[1].tensor == t([2, 3], [1, 2, 7, 3, 4, 3]))
        let zip = try runNode("ZipMap", domain: "ai.onnx.ml", inputs: [x], attributes: ["classlabels_int64s": .ints([7, 9])])
        #expect(zip[0] == .maps(ClassMaps(keys: .int64([7, 9]), rows: [[1, 2], [3, 4]])))
        let picked = try runNode("ArrayFeatureExtractor", domain: "ai.onnx.ml", inputs: [x, Tensor(unchecked: [1], .int64([1]))])
        #expect(picked[0].tensor == t([2, 1], [2, 4]))
        #expect(throws: ONNXError.shapeMismatch(node: "node 0 'ArrayFeatureExtractor_0' (ArrayFeatureExtractor)", reason: "index 5 outside 0..<2")) {
            try runNode("ArrayFeatureExtractor", domain: "ai.onnx.ml", inputs: [x, Tensor(unchecked: [1], .int64([5]))])
        }
    }
}
