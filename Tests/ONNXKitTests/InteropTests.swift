import Foundation
import SwiftProtobuf
import Testing
import ONNXKit

/// Every committed model, run in Swift, against what onnxruntime computed for the same rows.
@Suite struct InteropTests {
    @Test(arguments: fixtureNames)
    func predictionsMatchOnnxRuntime(_ name: String) throws {
        let expected = try Expected.load(name)
        let model = try ONNXModel(contentsOf: Paths.fixture(expected.model))
        let rows = try featureRows(expected.data, header: expected.header, rows: expected.rows, columns: expected.featureColumns)
        #expect(rows.count == expected.rows)
        let outputs = try model.run([expected.input: try Tensor(rows: rows)])
        #expect(Set(outputs.keys) == Set(expected.outputs.keys))
        for (outputName, want) in expected.outputs {
            let got = try #require(outputs[outputName], "\(name): output \(outputName) missing")
            switch (want.kind, got) {
            case ("int64", .tensor(let t)):
                let labels = try #require(t.int64s, "\(outputName) is tensor(\(t.elementType))")
                #expect(t.shape == want.shape)
                let mismatches = zip(labels, want.data ?? []).filter { Int64($0) != Int64($1) }.count
                #expect(mismatches == 0, "\(name).\(outputName): \(mismatches) labels differ from onnxruntime")
            case ("float", .tensor(let t)):
                let scores = try #require(t.floats, "\(outputName) is tensor(\(t.elementType))")
                #expect(t.shape == want.shape)
                let data = want.data ?? []
                #expect(scores.count == data.count)
                let bad = zip(scores, data).enumerated().filter { !close($1.0, $1.1) }
                #expect(bad.isEmpty, "\(name).\(outputName): \(bad.count) scores off by more than 1e-5 relative, first \(bad.first.map { "\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "")")
            case ("maps", .maps(let maps)):
                let want = want.maps ?? []
                #expect(maps.rows.count == want.count)
                guard case .int64(let keys) = maps.keys else { Issue.record("string keys, expected int64"); continue }
                var bad = 0
                for (row, wantRow) in zip(maps.rows, want) {
                    if wantRow.map({ Int64($0[0]) }) != keys { bad += 1; continue }
                    for (v, pair) in zip(row, wantRow) where !close(v, pair[1]) { bad += 1 }
                }
                #expect(bad == 0, "\(name).\(outputName): \(bad) map entries differ")
            default:
                Issue.record("\(name).\(outputName): got \(got), expected kind \(want.kind)")
            }
        }
    }

    @Test func fixturesCoverEveryOperatorTheIssueLists() throws {
        var used = Set<String>()
        for name in fixtureNames { used.formUnion(try Expected.load(name).operators) }
        let listed: Set<String> = ["Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Sigmoid", "Tanh", "Softmax", "ArgMax",
                                   "Identity", "Reshape", "Flatten", "Cast", "Concat", "LinearClassifier", "LinearRegressor",
                                   "Scaler", "Normalizer", "ZipMap"]
        #expect(listed.subtracting(used).isEmpty, "not covered: \(listed.subtracting(used).sorted())")
    }

    /// The PyTorch fixture is what torch.onnx.export wrote (producer "pytorch"), not a graph
    /// built by hand; its labels and probabilities are checked against onnxruntime's with the
    /// other fixtures in ``predictionsMatchOnnxRuntime(_:)``.
    @Test func torchExportedMLPIsATorchOnnxExportOfAReluNetwork() throws {
        let bytes = try Data(contentsOf: Paths.fixture("breast_cancer_torch_mlp.onnx"))
        let proto = try Onnx_ModelProto(serializedBytes: bytes)
        #expect(proto.producerName == "pytorch")
        let model = try ONNXModel(serialized: bytes)
        #expect(model.inputs.map(\.name) == ["input"])
        #expect(model.outputs.map(\.name) == ["probabilities", "label"])
        #expect(Set(model.operatorTypes).isSuperset(of: ["Gemm", "Relu", "Softmax", "ArgMax"]))
        // Its first layer is what encrypted inference evaluates: the normalisation folded into a 16-unit Gemm.
        let layer = try LinearLayer(firstLayerOf: model)
        #expect(layer.weights.count == 16 && layer.features == 30)
    }

    @Test func loadedModelReportsItsInputsOutputsAndOperators() throws {
        let model = try ONNXModel(contentsOf: Paths.fixture("breast_cancer_logistic.onnx"))
        #expect(model.inputs.map(\.name) == ["X"])
        #expect(model.inputs[0].type == .tensor(.float, shape: [.symbolic(nil), .fixed(30)]))
        #expect(model.outputs.map(\.name) == ["output_label", "output_probability"])
        #expect(model.outputs[1].type == .maps(key: .int64))
        #expect(model.operatorTypes == ["Scaler", "LinearClassifier", "Cast", "ZipMap"])
        #expect(model.opsets == ["": 15, "ai.onnx.ml": 1])
    }
}
