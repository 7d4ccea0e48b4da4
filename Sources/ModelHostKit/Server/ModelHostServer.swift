import DatatrustKit
import Foundation
import HECore
public import Hummingbird
import LedgerCore
public import Logging
import ONNXKit

/// The REST face of a ``ModelHost`` (Hummingbird 2, 127.0.0.1 by default). Every route is in
/// ``routes`` and in the OpenAPI 3.1 document served at `/openapi.json`; every error is JSON
/// `{"error": code, "detail": text}` with the status of ``ModelHostError``.
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
    public static func openAPIDocument() -> [UInt8]? {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return nil }
        return [UInt8](data)
    }

    /// The router serving `host`, admitting at most `rateLimit` requests per bearer token (or
    /// per anonymous caller, together) in each `rateWindow` seconds.
    public static func router(for host: ModelHost, rateLimit: Int = 100_000, rateWindow: Int64 = 60) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: HostErrorMiddleware(maxBodyBytes: host.maxBodyBytes, limiter: RequestLimiter(limit: rateLimit, window: rateWindow)))
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
        Application(router: router(for: host, rateLimit: rateLimit, rateWindow: rateWindow),
                    configuration: .init(address: .hostname(address, port: port), serverName: "DataMarket-ModelHost"),
                    logger: logger)
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> Response {
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func raw(_ data: Data) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ error: ModelHostError) -> Response {
        json(HostErrorBody(error: error.code, detail: error.detail), status: error.status)
    }
}

/// The JSON error body.
public struct HostErrorBody: Codable, Sendable, Equatable {
    /// Machine-readable code (``ModelHostError/code``).
    public let error: String
    /// What was wrong and what was expected.
    public let detail: String
}

/// The body of `POST /models/{model}/predict`.
public struct PredictRequest: Codable, Sendable, Equatable {
    /// The prepaid bundle to charge (one use per row).
    public var bundle: UInt64?
    /// Feature rows.
    public var rows: [[Float]]
    /// The caller's id for this call: a retry with the same id is answered without a second charge.
    public var requestID: String?
    /// A request.
    public init(bundle: UInt64?, rows: [[Float]], requestID: String? = nil) {
        self.bundle = bundle
        self.rows = rows
        self.requestID = requestID
    }
}

/// Turns every thrown error into the JSON error body.
struct HostErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let maxBodyBytes: Int
    let limiter: RequestLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let now = Int64(Date().timeIntervalSince1970)
        guard await limiter.admit(request.headers[.authorization] ?? "anonymous", now: now) else {
            let reset = await limiter.resetsAt()
            var response = ModelHostServer.error(.rateLimited(
                "more than \(limiter.limit) requests in \(limiter.window) s for this token; retry after \(reset)"))
            response.headers[.retryAfter] = "\(max(reset - now, 1))"
            return response
        }
        do {
            return try await next(request, context)
        } catch let error as ModelHostError {
            return ModelHostServer.error(error)
        } catch let error as HTTPError {
            switch error.status.code {
            case 404: return ModelHostServer.error(.notFound("path: \(request.method) \(request.uri.path) is not an endpoint; see /openapi.json"))
            case 405: return ModelHostServer.error(.notFound("method: \(request.method) is not served on \(request.uri.path)"))
            case 413: return ModelHostServer.error(.payloadTooLarge("body: larger than \(maxBodyBytes) bytes"))
            default: return ModelHostServer.error(.badRequest("\(error.body ?? error.status.reasonPhrase)"))
            }
        } catch {
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
        let limit = host.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw ModelHostError.payloadTooLarge("body: \(length) bytes, expected at most \(limit)")
        }
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw ModelHostError.payloadTooLarge("body: larger than \(limit) bytes")
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
