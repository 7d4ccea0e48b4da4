import DatatrustKit
public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import HECore
public import LedgerCore
public import ONNXKit

/// A Swift client of a model host (URLSession), for `dmctl` and users' services.
///
/// ```swift
/// var client = ModelHostClient(baseURL: URL(string: "http://127.0.0.1:8090")!)
/// try await client.login(with: key)
/// let p = try await client.predict(model: 7, bundle: 1, rows: [[0.1, 2.5, 3]])
/// ```
public struct ModelHostClient: Sendable {
    /// The host's base URL.
    public let baseURL: URL
    /// The bearer token after ``login(with:)``.
    public var token: String?

    /// A client of the host at `baseURL`.
    public init(baseURL: URL, token: String? = nil) {
        self.baseURL = baseURL
        self.token = token
    }

    /// Sends a request; returns the body of a 2xx answer.
    /// - Throws: the host's ``ModelHostError`` (rebuilt from its status and JSON body).
    func send(_ method: String, _ path: String, body: Data?, contentType: String = "application/json") async throws(ModelHostError) -> Data {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let data: Data
        let response: URLResponse
        do { (data, response) = try await URLSession.shared.data(for: request) } catch {
            throw .internalFailure("cannot reach the model host at \(baseURL): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let detail = (try? JSONDecoder().decode(HostErrorBody.self, from: data))?.detail ?? String(decoding: data.prefix(200), as: UTF8.self)
            switch status {
            case 400: throw .badRequest(detail)
            case 401: throw .unauthenticated(detail)
            case 402: throw .paymentRequired(detail)
            case 403: throw .forbidden(detail)
            case 404: throw .notFound(detail)
            case 413: throw .payloadTooLarge(detail)
            case 422: throw .unprocessable(detail)
            case 429: throw .rateLimited(detail)
            default: throw .internalFailure("HTTP \(status): \(detail)")
            }
        }
        return data
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws(ModelHostError) -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch { throw .internalFailure("unexpected answer from the host: \(error)") }
    }

    /// Logs in: asks for a nonce, signs the host's login message (EIP-191) and keeps the token.
    public mutating func login(with key: PrivateKey) async throws(ModelHostError) {
        let challenge = try decode(HostChallenge.self, try await send("POST", "auth/nonce", body: nil))
        let request = TokenRequest(address: key.address.checksummed, nonce: challenge.nonce,
                                   signature: key.signPersonalMessage(challenge.message).hex)
        let body = (try? JSONEncoder().encode(request)) ?? Data()
        token = try decode(HostToken.self, try await send("POST", "auth/token", body: body)).token
    }

    /// Uploads the ONNX file of `$Model` `model`; returns its content hash (hex).
    public func publish(model: UInt64, file: Data) async throws(ModelHostError) -> String {
        let data = try await send("PUT", "models/\(model)/file", body: file, contentType: "application/octet-stream")
        return (try decode([String: String].self, data))["modelHash"] ?? ""
    }

    /// Predictions for `rows`, charged to `bundle` (one use per row). Repeating a call with the
    /// same `requestID` (after an error that left its outcome unknown) is not charged twice.
    public func predict(model: UInt64, bundle: UInt64?, rows: [[Float]], requestID: String? = nil) async throws(ModelHostError) -> Prediction {
        let body = (try? JSONEncoder().encode(PredictRequest(bundle: bundle, rows: rows, requestID: requestID))) ?? Data()
        return try decode(Prediction.self, try await send("POST", "models/\(model)/predict", body: body))
    }

    /// Places the encrypted first layer of `$Model` `model` (the caller must own it).
    public func placeEncryptedLayer(model: UInt64, layer: EncryptedLinearLayer) async throws(ModelHostError) {
        _ = try await send("PUT", "models/\(model)/encrypted-layer", body: EncryptedWire.layerJSON(layer))
    }

    /// Encrypted scores of plaintext `rows` from the host's encrypted layer of `model`, one list
    /// per row, under `publicKey` (the model owner's; only that key's holder decrypts them).
    public func predictWithEncryptedWeights(model: UInt64, bundle: UInt64?, rows: [[Float]], publicKey: Paillier.PublicKey,
                                            requestID: String? = nil) async throws(ModelHostError) -> [[Paillier.EncryptedNumber]] {
        let body = (try? JSONEncoder().encode(PredictRequest(bundle: bundle, rows: rows, requestID: requestID))) ?? Data()
        return try EncryptedWire.parseScoreRows(try await send("POST", "models/\(model)/predict/encrypted-weights", body: body), publicKey: publicKey)
    }

    /// Encrypted scores of the model's first linear layer for one encrypted row.
    public func predictEncrypted(model: UInt64, bundle: UInt64?, row: Paillier.EncryptedVector) async throws(ModelHostError) -> [Paillier.EncryptedNumber] {
        let data = try await send("POST", "models/\(model)/predict/encrypted", body: EncryptedWire.requestJSON(bundle: bundle, row: row))
        return try EncryptedWire.parseScores(data, publicKey: row.publicKey)
    }
}
