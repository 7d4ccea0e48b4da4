import Foundation
import HECore

/// The JSON of an encrypted prediction, in python-paillier's formats:
///
///     request:  {"bundle": 3, "publicKey": <pheutil public-key JWK>, "features": [{"v": "<decimal>", "e": -14}, …]}
///     response: {"model": 5, "scores": [{"v": "<decimal>", "e": -28, "key": "<fingerprint>"}, …]}
///
/// Each ciphertext is HECore's ``Paillier/EncryptedNumber`` JSON (phe's `{"v","e"}`).
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
        guard let features = object["features"] as? [Any], !features.isEmpty else {
            throw .badRequest("features: expected a non-empty array of {\"v\", \"e\"} ciphertexts")
        }
        var numbers: [Paillier.EncryptedNumber] = []
        numbers.reserveCapacity(features.count)
        for (i, f) in features.enumerated() {
            guard JSONSerialization.isValidJSONObject(f), let d = try? JSONSerialization.data(withJSONObject: f) else {
                throw .badRequest("features[\(i)]: expected a {\"v\", \"e\"} object")
            }
            do { numbers.append(try Paillier.EncryptedNumber(json: d, publicKey: key)) } catch { throw .badRequest("features[\(i)]: \(error)") }
        }
        do { return (bundle, try Paillier.EncryptedVector(numbers)) } catch { throw .badRequest("features: \(error)") }
    }

    /// The response body.
    public static func scoresJSON(model: UInt64, scores: [Paillier.EncryptedNumber]) -> Data {
        let object: [String: Any] = [
            "model": NSNumber(value: model),
            "scores": scores.map { (try? JSONSerialization.jsonObject(with: $0.json())) ?? [String: Any]() },
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
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
