public import Foundation
public import HECore
public import ONNXKit

/// The JSON of an encrypted prediction, in python-paillier's formats:
///
///     request:  {"bundle": 3, "publicKey": <pheutil public-key JWK>, "features": [{"v": "<decimal>", "e": -14}, …]}
///     response: {"model": 5, "scores": [{"v": "<decimal>", "e": -28, "key": "<fingerprint>"}, …]}
///
/// and, the other way round (the host holds only encrypted weights and scores plaintext rows):
///
///     layer:    {"publicKey": <JWK>, "weights": [[{"v","e"}, …], …], "biases": [{"v","e"}, …]}
///     response: {"model": 5, "scores": [[{"v","e","key"}, …], …]}   (one list per row)
///
/// Each ciphertext is HECore's `Paillier.EncryptedNumber` JSON (phe's `{"v","e"}`).
public enum EncryptedWire {
    /// Builds a request body.
    public static func requestJSON(bundle: UInt64?, row: Paillier.EncryptedVector) -> Data {
        var object: [String: Any] = [
            "publicKey": (try? JSONSerialization.jsonObject(with: row.publicKey.jwk())) ?? [String: Any](),
            "features": row.elements.map { (try? JSONSerialization.jsonObject(with: $0.json(includeKeyFingerprint: false))) ?? [String: Any]() },
        ]
        if let bundle { object["bundle"] = NSNumber(value: bundle) }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// Reads a request body.
    ///
    /// - Throws: `badRequest` naming the field that is wrong.
    public static func parseRequest(_ data: Data) throws(ModelHostError) -> (bundle: UInt64?, row: Paillier.EncryptedVector) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .badRequest("body: expected a JSON object {\"bundle\", \"publicKey\", \"features\"}")
        }
        var bundle: UInt64?
        if let b = object["bundle"] {
            guard let n = b as? NSNumber, let v = UInt64(exactly: n.doubleValue) else { throw .badRequest("bundle: expected an unsigned integer") }
            bundle = v
        }
        guard let keyObject = object["publicKey"], JSONSerialization.isValidJSONObject(keyObject),
              let keyData = try? JSONSerialization.data(withJSONObject: keyObject) else {
            throw .badRequest("publicKey: expected a pheutil public-key JWK object")
        }
        let key: Paillier.PublicKey
        do { key = try Paillier.PublicKey(jwk: keyData) } catch { throw .badRequest("publicKey: \(error)") }
        let row = try numbers(object["features"], field: "features", key: key)
        do { return (bundle, try Paillier.EncryptedVector(row)) } catch { throw .badRequest("features: \(error)") }
    }

    /// The response body.
    public static func scoresJSON(model: UInt64, scores: [Paillier.EncryptedNumber]) -> Data {
        let object: [String: Any] = [
            "model": NSNumber(value: model),
            "scores": scores.map { (try? JSONSerialization.jsonObject(with: $0.json())) ?? [String: Any]() },
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    // MARK: - Encrypted weights

    /// The body that places an encrypted layer at a host.
    public static func layerJSON(_ layer: EncryptedLinearLayer) -> Data {
        func number(_ n: Paillier.EncryptedNumber) -> Any { (try? JSONSerialization.jsonObject(with: n.json(includeKeyFingerprint: false))) ?? [String: Any]() }
        let object: [String: Any] = [
            "publicKey": layer.publicKey.flatMap { try? JSONSerialization.jsonObject(with: $0.jwk()) } ?? [String: Any](),
            "weights": layer.weights.map { $0.elements.map(number) },
            "biases": layer.biases.map(number),
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// Reads a layer body.
    ///
    /// - Throws: `badRequest` naming the field that is wrong.
    public static func parseLayer(_ data: Data) throws(ModelHostError) -> EncryptedLinearLayer {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .badRequest("body: expected a JSON object {\"publicKey\", \"weights\", \"biases\"}")
        }
        guard let keyObject = object["publicKey"], JSONSerialization.isValidJSONObject(keyObject),
              let keyData = try? JSONSerialization.data(withJSONObject: keyObject) else {
            throw .badRequest("publicKey: expected a pheutil public-key JWK object")
        }
        let key: Paillier.PublicKey
        do { key = try Paillier.PublicKey(jwk: keyData) } catch { throw .badRequest("publicKey: \(error)") }
        guard let rows = object["weights"] as? [Any], !rows.isEmpty else { throw .badRequest("weights: expected a non-empty array of ciphertext rows") }
        var weights: [Paillier.EncryptedVector] = []
        for (k, row) in rows.enumerated() {
            do { weights.append(try Paillier.EncryptedVector(try numbers(row, field: "weights[\(k)]", key: key))) } catch let e as ModelHostError { throw e } catch {
                throw .badRequest("weights[\(k)]: \(error)")
            }
        }
        let biases = try numbers(object["biases"], field: "biases", key: key)
        do { return try EncryptedLinearLayer(weights: weights, biases: biases) } catch { throw .badRequest("layer: \(error)") }
    }

    /// The response of a call scored with encrypted weights: one list of ciphertexts per row.
    public static func scoreRowsJSON(model: UInt64, rows: [[Paillier.EncryptedNumber]]) -> Data {
        let object: [String: Any] = [
            "model": NSNumber(value: model),
            "scores": rows.map { $0.map { (try? JSONSerialization.jsonObject(with: $0.json())) ?? [String: Any]() } },
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// Reads the response of a call scored with encrypted weights under the layer's key.
    ///
    /// - Throws: `badRequest` for a malformed body or a ciphertext under another key.
    public static func parseScoreRows(_ data: Data, publicKey: Paillier.PublicKey) throws(ModelHostError) -> [[Paillier.EncryptedNumber]] {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], let rows = object["scores"] as? [Any] else {
            throw .badRequest("body: expected {\"model\", \"scores\": [[…], …]}")
        }
        var out: [[Paillier.EncryptedNumber]] = []
        for (i, row) in rows.enumerated() { out.append(try numbers(row, field: "scores[\(i)]", key: publicKey)) }
        return out
    }

    /// A JSON array of `{"v", "e"}` ciphertexts under `key`.
    static func numbers(_ value: Any?, field: String, key: Paillier.PublicKey) throws(ModelHostError) -> [Paillier.EncryptedNumber] {
        guard let items = value as? [Any], !items.isEmpty else { throw .badRequest("\(field): expected a non-empty array of {\"v\", \"e\"} ciphertexts") }
        var out: [Paillier.EncryptedNumber] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard JSONSerialization.isValidJSONObject(item), let d = try? JSONSerialization.data(withJSONObject: item) else {
                throw .badRequest("\(field)[\(i)]: expected a {\"v\", \"e\"} object")
            }
            do { out.append(try Paillier.EncryptedNumber(json: d, publicKey: key)) } catch { throw .badRequest("\(field)[\(i)]: \(error)") }
        }
        return out
    }

    /// Reads a response body's scores under the caller's key.
    ///
    /// - Throws: `badRequest` for a malformed body or a ciphertext under another key.
    public static func parseScores(_ data: Data, publicKey: Paillier.PublicKey) throws(ModelHostError) -> [Paillier.EncryptedNumber] {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], let scores = object["scores"] as? [Any] else {
            throw .badRequest("body: expected {\"model\", \"scores\"}")
        }
        var out: [Paillier.EncryptedNumber] = []
        for (i, s) in scores.enumerated() {
            guard JSONSerialization.isValidJSONObject(s), let d = try? JSONSerialization.data(withJSONObject: s) else {
                throw .badRequest("scores[\(i)]: expected a {\"v\", \"e\"} object")
            }
            do { out.append(try Paillier.EncryptedNumber(json: d, publicKey: publicKey)) } catch { throw .badRequest("scores[\(i)]: \(error)") }
        }
        return out
    }
}
