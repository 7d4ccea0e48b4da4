import DatatrustKit
import Foundation
import HECore
import HTTPEdge
public import Hummingbird
import LedgerCore
public import Logging
import ONNXKit

/// The REST face of a ``ModelHost`` (Hummingbird 2, 127.0.0.1 by default). Every route is in
/// ``routes`` and in the OpenAPI 3.1 document served at `/openapi.json`; every error is JSON
/// `{"error": code, "detail": text}` with the status ``status(for:)`` maps it to.
public enum ModelHostServer {
    /// One route: method, path template and operation name.
    public struct Route: Sendable, Hashable {
        /// HTTP method, upper case.
        public let method: String
        /// Path with `{parameter}` placeholders.
        public let path: String
        /// The operation.
        public let operation: String
    }

    /// Every route the server answers.
    public static let routes: [Route] = [
        Route(method: "POST", path: "/auth/nonce", operation: "nonce"),
        Route(method: "POST", path: "/auth/token", operation: "token"),
        Route(method: "PUT", path: "/models/{model}/file", operation: "publish"),
        Route(method: "POST", path: "/models/{model}/predict", operation: "predict"),
        Route(method: "POST", path: "/models/{model}/predict/encrypted", operation: "predictEncrypted"),
        Route(method: "PUT", path: "/models/{model}/encrypted-layer", operation: "placeEncryptedLayer"),
        Route(method: "POST", path: "/models/{model}/predict/encrypted-weights", operation: "predictWithEncryptedWeights"),
        Route(method: "GET", path: "/openapi.json", operation: "openapi"),
    ]

    /// The committed OpenAPI document's bytes.
    public static func openAPIDocument() -> [UInt8]? { EdgeServer.openAPIDocument(in: .module) }

    /// The router serving `host`, admitting at most `rateLimit` requests per bearer token (or
    /// per anonymous caller, together) in each `rateWindow` seconds.
    public static func router(for host: ModelHost, rateLimit: Int = 100_000, rateWindow: Int64 = 60) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: EdgeMiddleware(policy: ModelHostEdge(maxBodyBytes: host.maxBodyBytes),
                                              limit: RateLimit(requests: rateLimit, windowSeconds: rateWindow)))
        let handlers = HostHandlers(host: host)
        for route in routes {
            let operation = route.operation
            router.on(RouterPath(route.path), method: HTTPRequest.Method(route.method) ?? .get) { request, context in
                try await handlers.handle(operation, request: request, context: context)
            }
        }
        return router
    }

    /// An application serving `host` on `address:port`. Run it with `try await app.runService()`.
    public static func application(for host: ModelHost, address: String = "127.0.0.1", port: Int = 8090,
                                   rateLimit: Int = 100_000, rateWindow: Int64 = 60,
                                   logger: Logger = Logger(label: "datamarket.modelhost.http")) -> some ApplicationProtocol {
        EdgeServer.application(router: router(for: host, rateLimit: rateLimit, rateWindow: rateWindow), host: address, port: port,
                               serverName: "DataMarket-ModelHost", logger: logger)
    }

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> Response { EdgeResponse.json(value, status: status) }

    static func raw(_ data: Data) -> Response { EdgeResponse.rawJSON(data) }

    /// The model host's JSON error body for `error`, with the status ``status(for:)`` gives it.
    static func error(_ error: ModelHostError, headers: HTTPFields = [:]) -> Response {
        EdgeResponse.error(code: error.code, detail: error.detail, status: status(for: error), headers: headers)
    }

    /// The HTTP status the model host answers `error` with: the one place a ``ModelHostError``
    /// becomes a status. The switch is exhaustive, so a new case must be mapped here.
    public static func status(for error: ModelHostError) -> Int {
        switch error {
        case .badRequest: 400
        case .unauthenticated: 401
        case .paymentRequired: 402
        case .forbidden: 403
        case .notFound: 404
        case .payloadTooLarge: 413
        case .unprocessable: 422
        case .rateLimited: 429
        case .internalFailure: 500
        }
    }
}

/// The JSON error body.
package struct HostErrorBody: Codable, Sendable, Equatable {
    /// Machine-readable code (``ModelHostError/code``).
    package let error: String
    /// What was wrong and what was expected.
    package let detail: String
}

/// The body of `POST /models/{model}/predict`.
package struct PredictRequest: Codable, Sendable, Equatable {
    /// The prepaid bundle to charge (one use per row).
    package var bundle: UInt64?
    /// Feature rows.
    package var rows: [[Float]]
    /// The caller's id for this call: a retry with the same id is answered without a second charge.
    package var requestID: String?
    /// A request.
    package init(bundle: UInt64?, rows: [[Float]], requestID: String? = nil) {
        self.bundle = bundle
        self.rows = rows
        self.requestID = requestID
    }
}

/// The model host's decisions at the edge: callers counted by their bearer token (anonymous
/// callers together), bodies bounded by the handlers that read them, and every thrown error
/// answered with the JSON error body.
struct ModelHostEdge: EdgePolicy {
    typealias Context = BasicRequestContext
    let maxBodyBytes: Int

    func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    func rateLimitKey(_ request: Request, context: Context) -> String { request.headers[.authorization] ?? "anonymous" }

    func rateLimited(key: String, limit: RateLimit, admission: Admission, now: Int64) -> Response {
        ModelHostServer.error(.rateLimited(
            "more than \(limit.requests) requests in \(limit.windowSeconds) s for this token; retry after \(now + admission.retryAfter)"))
    }

    func bodyLimit(for request: Request) -> Int? { nil }

    func response(for error: any Error, request: Request, context: Context) -> Response {
        switch error {
        case let error as ModelHostError:
            return ModelHostServer.error(error)
        case let error as BodyTooLarge:
            return ModelHostServer.error(.payloadTooLarge(error.detail))
        case let error as HTTPError:
            switch RouterRefusal(error) {
            case .noEndpoint: return ModelHostServer.error(.notFound(RouterRefusal.noEndpointDetail(request)))
            case .methodNotServed: return ModelHostServer.error(.notFound(RouterRefusal.methodNotServedDetail(request)))
            case .bodyTooLarge: return ModelHostServer.error(.payloadTooLarge("body: larger than \(maxBodyBytes) bytes"))
            case .other(let reason): return ModelHostServer.error(.badRequest(reason))
            }
        default:
            return ModelHostServer.error(.internalFailure("\(error)"))
        }
    }
}

/// The endpoint handlers.
struct HostHandlers: Sendable {
    let host: ModelHost

    func handle(_ operation: String, request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        switch operation {
        case "nonce":
            return ModelHostServer.json(await host.makeNonce())
        case "token":
            let body: TokenRequest = try await decode(&request)
            return ModelHostServer.json(try await host.issueToken(body))
        case "publish":
            let model = try modelParameter(context)
            let bytes = try await collect(&request)
            let hash = try await host.publish(model: model, file: bytes)
            return ModelHostServer.json(["model": "\(model)", "modelHash": hash.hex], status: 201)
        case "predict":
            let caller = try await authenticate(request)
            let model = try modelParameter(context)
            let body: PredictRequest = try await decode(&request)
            return ModelHostServer.json(try await host.predict(model: model, bundle: body.bundle, rows: body.rows, caller: caller,
                                                                   requestID: body.requestID))
        case "predictEncrypted":
            let caller = try await authenticate(request)
            let model = try modelParameter(context)
            let (bundle, row) = try await encryptedRow(&request)
            let scores = try await host.predictEncrypted(model: model, bundle: bundle, row: row, caller: caller)
            return ModelHostServer.raw(EncryptedWire.scoresJSON(model: model, scores: scores))
        case "placeEncryptedLayer":
            let caller = try await authenticate(request)
            let model = try modelParameter(context)
            let layer = try EncryptedWire.parseLayer(Data(try await collect(&request)))
            try await host.placeEncryptedLayer(model: model, layer: layer, caller: caller)
            return ModelHostServer.json(["model": "\(model)", "outputs": "\(layer.weights.count)", "features": "\(layer.features)"], status: 201)
        case "predictWithEncryptedWeights":
            let caller = try await authenticate(request)
            let model = try modelParameter(context)
            let body: PredictRequest = try await decode(&request)
            let scores = try await host.predictWithEncryptedWeights(model: model, bundle: body.bundle, rows: body.rows.map { $0.map { Double($0) } },
                                                                    caller: caller, requestID: body.requestID)
            return ModelHostServer.raw(EncryptedWire.scoreRowsJSON(model: model, rows: scores))
        default:
            guard let document = ModelHostServer.openAPIDocument() else {
                throw ModelHostError.internalFailure("openapi.json resource missing from the bundle")
            }
            return ModelHostServer.raw(Data(document))
        }
    }

    func authenticate(_ request: Request) async throws -> Address {
        guard let header = request.headers[.authorization] else {
            throw ModelHostError.unauthenticated("Authorization: missing; expected \"Bearer <token>\" from POST /auth/token")
        }
        guard header.hasPrefix("Bearer ") else { throw ModelHostError.unauthenticated("Authorization: expected \"Bearer <token>\"") }
        return try await host.authenticate(bearer: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
    }

    func modelParameter(_ context: BasicRequestContext) throws(ModelHostError) -> UInt64 {
        guard let text = context.parameters.get("model"), let id = UInt64(text) else {
            throw .badRequest("model: expected a $Model NFT id (an unsigned integer) in the path")
        }
        return id
    }

    func collect(_ request: inout Request) async throws -> [UInt8] {
        do {
            return Array(try await request.collectBody(limitedTo: host.maxBodyBytes).readableBytesView)
        } catch let error as BodyTooLarge {
            throw ModelHostError.payloadTooLarge(error.detail)
        }
    }

    func decode<T: Decodable>(_ request: inout Request) async throws -> T {
        let bytes = try await collect(&request)
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch {
            throw ModelHostError.badRequest("body: \(error); see /openapi.json for the schema")
        }
    }

    func encryptedRow(_ request: inout Request) async throws -> (UInt64?, Paillier.EncryptedVector) {
        let bytes = try await collect(&request)
        return try EncryptedWire.parseRequest(Data(bytes))
    }
}
