import Foundation
import HECore
import Testing
import ONNXKit

@Suite struct EncryptedInferenceTests {
    private static let key: Paillier.PrivateKey? = try? Paillier.PrivateKey.derived(bits: 1024, seed: Array("onnx encrypted inference".utf8))

    private func rows(_ fixture: String, _ n: Int) throws -> (ONNXModel, [[Double]], Expected) {
        let expected = try Expected.load(fixture)
        let model = try ONNXModel(contentsOf: Paths.fixture(expected.model))
        let r = try featureRows(expected.data, header: expected.header, rows: n, columns: expected.featureColumns)
        return (model, r.map { $0.map(Double.init) }, expected)
    }

    @Test func extractedLayerReproducesTheModelsScores() throws {
        // Wine logistic: softmax of the layer's scores is the model's probability output.
        let (model, rows, _) = try rows("wine_logistic", 20)
        let layer = try LinearLayer(firstLayerOf: model)
        #expect(layer.source == "LinearClassifier" && layer.features == 13 && layer.weights.count == 3)
        let out = try model.run(["X": try Tensor(rows: rows.map { $0.map { Float($0) } })])
        guard case .maps(let probabilities)? = out["output_probability"] else { Issue.record("no class maps"); return }
        for (i, row) in rows.enumerated() {
            let s = layer.scores(row)
            let top = s.max() ?? 0
            let e = s.map { exp($0 - top) }
            let total = e.reduce(0, +)
            for c in 0..<3 { #expect(abs(e[c] / total - Double(probabilities.rows[i][c])) < 1e-5) }
        }
    }

    @Test func torchStyleNormalisationAndGemmAreFolded() throws {
        let (model, rows, _) = try rows("wine_torch_style_mlp", 5)
        let layer = try LinearLayer(firstLayerOf: model)
        #expect(layer.source == "Gemm" && layer.weights.count == 10 && layer.features == 13)
        let mlp = try LinearLayer(firstLayerOf: try ONNXModel(contentsOf: Paths.fixture("wine_mlp.onnx")))
        #expect(mlp.source == "MatMul+Add" && mlp.weights.count == 16)
        #expect(throws: ONNXError.self) { try LinearLayer(firstLayerOf: try ONNXModel(contentsOf: Paths.fixture("breast_cancer_scaler.onnx"))) }
        _ = rows
    }

    @Test func hostScoresEncryptedFeaturesThatOnlyTheUserCanDecrypt() throws {
        let key = try #require(Self.key)
        let (model, rows, _) = try rows("breast_cancer_logistic", 6)
        let layer = try LinearLayer(firstLayerOf: model)
        let labels = try #require(try model.run(["X": try Tensor(rows: rows.map { $0.map { Float($0) } })])["output_label"]?.tensor?.int64s)
        for (i, row) in rows.enumerated() {
            // User: encrypt. Host: score. User: decrypt.
            let encrypted = try Paillier.EncryptedVector.encrypt(row, publicKey: key.publicKey)
            let scores = try layer.scores(encryptedFeatures: encrypted)
            let decrypted = try scores.map { try key.decrypt($0).doubleValue }
            let plain = layer.scores(row)
            for (d, p) in zip(decrypted, plain) { #expect(abs(d - p) <= 1e-9 * max(1, abs(p)), "row \(i): \(d) vs \(p)") }
            // The decrypted scores give the model's label.
            #expect((decrypted[1] > decrypted[0] ? 1 : 0) == labels[i])
        }
    }

    @Test func providerScoresPlaintextRowsWithEncryptedWeights() throws {
        let key = try #require(Self.key)
        let (model, rows, _) = try rows("wine_linear_regression", 4)
        let layer = try LinearLayer(firstLayerOf: model)
        let sealed = try layer.encrypted(under: key.publicKey)
        let out = try #require(try model.run(["X": try Tensor(rows: rows.map { $0.map { Float($0) } })])["variable"]?.tensor?.floats)
        for (i, row) in rows.enumerated() {
            let score = try key.decrypt(try sealed.scores(features: row)[0]).doubleValue
            #expect(abs(score - layer.scores(row)[0]) <= 1e-9 * max(1, abs(score)))
            #expect(abs(score - Double(out[i])) <= 1e-4 * max(1, abs(score)), "float32 model \(out[i]) vs encrypted \(score)")
        }
        #expect(throws: HEError.self) { try sealed.scores(features: [1, 2]) }
    }
}
