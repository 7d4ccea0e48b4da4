import Foundation
import Hummingbird
import LedgerCore
import Logging
import NIOCore

/// The REST face of a ``Datatrust`` (Hummingbird 2). Every route is listed in ``routes`` and
/// in the OpenAPI 3.1 document served at `/openapi.json`; errors are JSON
/// `{"error": code, "detail": text}` with the statuses of ``DatatrustError``.
public enum DatatrustServer {
    /// One route: method, path template (OpenAPI style) and the spec operation it serves.
    public struct Route: Sendable, Hashable {
        /// HTTP method, upper case.
        public let method: String
        /// Path with `{parameter}` placeholders.
        public let path: String
        /// The Computable spec operation (or a helper name).
        public let operation: String
    }

    /// Every route the server answers.
    public static let routes: [Route] = [
        Route(method: "POST", path: "/auth/nonce", operation: "AUTHENTICATE (step 1: nonce)"),
        Route(method: "POST", path: "/auth/token", operation: "AUTHENTICATE (step 2: token)"),
        Route(method: "GET", path: "/markets", operation: "MARKETS_SUPPORTED"),
        Route(method: "GET", path: "/markets/{market}/schema", operation: "GET_SCHEMA"),
        Route(method: "POST", path: "/markets/{market}/datapoints", operation: "ADD_DATAPOINT"),
        Route(method: "GET", path: "/markets/{market}/datapoints/{dataHash}", operation: "GET_DATAPOINT"),
        Route(method: "DELETE", path: "/markets/{market}/datapoints/{dataHash}", operation: "REMOVE_DATAPOINT"),
        Route(method: "POST", path: "/query", operation: "RUN_QUERY"),
        Route(method: "POST", path: "/query/cost", operation: "GET_COMPUTE_COST"),
        Route(method: "POST", path: "/query/epsilon", operation: "GET_EPSILON"),
        Route(method: "GET", path: "/openapi.json", operation: "OpenAPI document"),
    ]

    /// The committed OpenAPI document's bytes.
    public static func openAPIDocument() -> [UInt8]? {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return nil }
        return [UInt8](data)
    }

    /// The router serving `datatrust`.
    public static func router(for datatrust: Datatrust) -> Router<DatatrustRequestContext> {
        let router = Router(context: DatatrustRequestContext.self)
        let limiter = RateLimiter(limit: datatrust.configuration.rateLimitRequests, window: datatrust.configuration.rateLimitWindow)
        router.add(middleware: ErrorMiddleware(limiter: limiter, datatrust: datatrust))
        let handlers = Handlers(datatrust: datatrust)
        for route in routes {
            let method = HTTPRequest.Method(route.method) ?? .get
            let path = RouterPath(route.path)
            let operation = route.operation
            router.on(path, method: method) { request, context in
                try await handlers.handle(operation, request: request, context: context)
            }
        }
        return router
    }

    /// An application serving `datatrust` on `host:port` (127.0.0.1 by default). Run it with
    /// `try await app.runService()`, which shuts down gracefully on SIGINT/SIGTERM, or in a
    /// `ServiceGroup` beside ``Datatrust/backgroundJobs()``.
    /// - Parameter onBound: called with the bound address once the server listens (port 0 picks a free port).
    public static func application(for datatrust: Datatrust, host: String = "127.0.0.1", port: Int = 8080,
                                   logger: Logger = Logger(label: "datamarket.datatrust.http"),
                                   onBound: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }) -> some ApplicationProtocol {
        Application(router: router(for: datatrust),
                    configuration: .init(address: .hostname(host, port: port), serverName: "DataMarket-Datatrust"),
                    onServerRunning: { channel in
                        await onBound(channel.localAddress?.ipAddress ?? host, channel.localAddress?.port ?? port)
                    },
                    logger: logger)
    }

    /// The methods served on the route templates `path` matches (empty: not an endpoint).
    static func methods(servedOn path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return routes.filter { route in
            let template = route.path.split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == parts.count else { return false }
            return zip(template, parts).allSatisfy { t, p in (t.hasPrefix("{") && !p.isEmpty) || t == p }
        }.map(\.method)
    }

    /// `detail` with absolute file-system paths replaced by their last component, so error
    /// bodies never show how the server's disk is laid out.
    static func withoutServerPaths(_ detail: String) -> String {
        var out = ""
        var word = ""
        func flush() {
            if word.hasPrefix("/"), word.dropFirst().contains("/") {
                let trimmed = word.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:)]\"'"))
                let tail = word.dropFirst(trimmed.count)
                out += "<…>/" + (trimmed.split(separator: "/").last.map(String.init) ?? "") + tail
            } else {
                out += word
            }
            word = ""
        }
        for ch in detail {
            if ch == " " || ch == "\n" || ch == "(" || ch == "\"" || ch == "'" {
                flush()
                out.append(ch)
            } else {
                word.append(ch)
            }
        }
        flush()
        return out
    }

    // MARK: - Responses

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

    static func error(_ error: DatatrustError, headers: HTTPFields = [:]) -> Response {
        let detail = error.status >= 500 ? withoutServerPaths(error.detail) : error.detail
        var response = json(ErrorBody(error: error.code, detail: detail), status: error.status)
        for field in headers { response.headers.append(field) }
        return response
    }
}

/// Authenticates a bearer token once, applies the rate limit to the caller it authenticates (or
/// to the client's IP address when there is no valid token), and turns every thrown error into
/// the JSON error body.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = DatatrustRequestContext
    let limiter: RateLimiter
    let datatrust: Datatrust

    /// The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 9110).
    static func bearerToken(_ header: String) -> String? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }),
              trimmed[..<space].lowercased() == "bearer" else { return nil }
        let token = trimmed[space...].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        // The key is what the server verified, never what the client wrote: a valid token keys
        // on its address; anything else (no header, a random or expired one) on the client's IP.
        if let header = request.headers[.authorization], let token = Self.bearerToken(header) {
            context.caller = try? await datatrust.authenticate(bearer: token)
        }
        let key = context.caller.map { "address \($0.checksummed)" } ?? "client \(context.clientIP)"
        let now = datatrust.clock()
        guard await limiter.admit(key, now: now) else {
            let reset = await limiter.resetsAt()
            return DatatrustServer.error(.rateLimited("more than \(datatrust.configuration.rateLimitRequests) requests in \(datatrust.configuration.rateLimitWindow) s for \(key); retry after \(reset)"),
                                         headers: [.retryAfter: "\(max(reset - now, 1))"])
        }
        do {
            return try await next(request, context)
        } catch let error as DatatrustError {
            if error.status >= 500 { context.logger.error("request failed", metadata: ["error": "\(error)"]) }
            return DatatrustServer.error(error)
        } catch let error as HTTPResponseError {
            switch error.status.code {
            case 404:
                let allowed = DatatrustServer.methods(servedOn: request.uri.path)
                if !allowed.isEmpty {
                    return DatatrustServer.error(.methodNotAllowed("method: \(request.method) is not served on \(request.uri.path); expected one of \(allowed.joined(separator: ", "))"),
                                                 headers: [.allow: allowed.joined(separator: ", ")])
                }
                return DatatrustServer.error(.notFound("path: \(request.method) \(request.uri.path) is not an endpoint; see /openapi.json"))
            case 405: return DatatrustServer.error(.methodNotAllowed("method: \(request.method) is not served on \(request.uri.path)"))
            case 413: return DatatrustServer.error(.payloadTooLarge("body: larger than \(datatrust.configuration.maxBodyBytes) bytes"))
            default: return DatatrustServer.error(.badRequest("\((error as? HTTPError)?.body ?? error.status.reasonPhrase)"))
            }
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            return DatatrustServer.error(.internalFailure("\(error)"))
        }
    }
}

/// The endpoint handlers.
struct Handlers: Sendable {
    let datatrust: Datatrust

    func handle(_ operation: String, request: Request, context: DatatrustRequestContext) async throws -> Response {
        var request = request
        switch operation {
        case "AUTHENTICATE (step 1: nonce)":
            return DatatrustServer.json(try await datatrust.makeNonce())
        case "AUTHENTICATE (step 2: token)":
            let body: TokenRequest = try await decode(&request)
            return DatatrustServer.json(try await datatrust.issueToken(body))
        case "MARKETS_SUPPORTED":
            return DatatrustServer.json(try await datatrust.marketsSupported())
        case "GET_SCHEMA":
            return DatatrustServer.json(try datatrust.schema(of: try parameter("market", context)))
        case "ADD_DATAPOINT":
            let caller = try await authenticate(request, context)
            let market = try parameter("market", context)
            return try await add(request, market: market, caller: caller)
        case "GET_DATAPOINT":
            let caller = try await authenticate(request, context)
            let job = try jobParameter(request)
            let download = try await datatrust.openDatapoint(market: try parameter("market", context), dataHash: try hashParameter(context),
                                                             caller: caller, job: job)
            return Self.streamed(download)
        case "REMOVE_DATAPOINT":
            let caller = try await authenticate(request, context)
            return DatatrustServer.json(try await datatrust.removeDatapoint(market: try parameter("market", context), dataHash: try hashParameter(context), caller: caller))
        case "RUN_QUERY":
            let caller = try await authenticate(request, context)
            let body: QueryRequest = try await decode(&request)
            return DatatrustServer.json(try await datatrust.runQuery(body, caller: caller))
        case "GET_COMPUTE_COST":
            let caller = request.headers[.authorization] == nil ? nil : try await authenticate(request, context)
            let body: QueryRequest = try await decode(&request)
            return DatatrustServer.json(try await datatrust.computeCost(body, caller: caller))
        case "GET_EPSILON":
            let caller = request.headers[.authorization] == nil ? nil : try await authenticate(request, context)
            let body: QueryRequest = try await decode(&request)
            return DatatrustServer.json(try await datatrust.epsilon(body, caller: caller))
        default:
            guard let document = DatatrustServer.openAPIDocument() else {
                throw DatatrustError.internalFailure("openapi.json resource missing from the bundle")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }

    /// The caller the middleware authenticated, or the reason the header does not authenticate anyone.
    func authenticate(_ request: Request, _ context: DatatrustRequestContext) async throws(DatatrustError) -> Address {
        if let caller = context.caller { return caller }
        guard let header = request.headers[.authorization] else {
            throw .unauthenticated("Authorization: missing; expected \"Bearer <token>\" from POST /auth/token")
        }
        guard let token = ErrorMiddleware.bearerToken(header) else { throw .unauthenticated("Authorization: expected \"Bearer <token>\"") }
        return try await datatrust.authenticate(bearer: token)
    }

    func parameter(_ name: String, _ context: DatatrustRequestContext) throws(DatatrustError) -> String {
        guard let value = context.parameters.get(name) else { throw .badRequest("\(name): missing from the path") }
        return value
    }

    func hashParameter(_ context: DatatrustRequestContext) throws(DatatrustError) -> Hash32 {
        let text = try parameter("dataHash", context)
        do { return try Hash32(hex: text, field: "dataHash") } catch { throw .badRequest(error.description) }
    }

    func jobParameter(_ request: Request) throws(DatatrustError) -> UInt64? {
        guard let text = request.uri.queryParameters.get("job") else { return nil }
        guard let job = UInt64(text) else { throw .badRequest("job: \"\(text.prefix(30))\" is not an unsigned integer") }
        return job
    }

    // MARK: - Datapoint streams

    /// ADD_DATAPOINT: the body is read as it arrives, straight into the upload (schema check,
    /// Keccak-256, encryption into a temporary vault file); nothing holds the whole body.
    func add(_ request: Request, market: String, caller: Address) async throws -> Response {
        var declared: Hash32?
        if let text = request.uri.queryParameters.get("dataHash") {
            do { declared = try Hash32(hex: text, field: "dataHash") } catch { throw DatatrustError.badRequest(error.description) }
        }
        var length: Int64?
        if let text = request.headers[.contentLength] {
            guard let value = Int64(text), value >= 0 else { throw DatatrustError.badRequest("Content-Length: \"\(text.prefix(30))\" is not a byte count") }
            length = value
        }
        let upload: DatapointUpload
        do {
            switch try await datatrust.beginAdd(market: market, dataHash: declared, declaredSize: length, caller: caller) {
            case .finished(let result): return DatatrustServer.json(result, status: 201)
            case .upload(let started): upload = started
            }
        } catch DatatrustError.payloadTooLarge(let detail) {
            // Refused before reading the body: close the connection instead of draining it.
            return DatatrustServer.error(.payloadTooLarge(detail), headers: [.connection: "close"])
        }
        do {
            for try await buffer in request.body {
                try buffer.withUnsafeReadableBytes { (bytes) throws(DatatrustError) in try upload.append(bytes) }
            }
        } catch let error as DatatrustError {
            // Refused mid-body (too large, a row that breaks the schema): the rest is not read.
            return DatatrustServer.error(error, headers: [.connection: "close"])
        }
        return DatatrustServer.json(try await datatrust.finishAdd(upload), status: 201)
    }

    /// GET_DATAPOINT's body: verified chunks written as they are decrypted, with the size as
    /// `Content-Length`. A chunk that fails verification ends the response short (the connection
    /// is closed), so a client never takes a tampered datapoint for a whole one.
    static func streamed(_ download: DatapointDownload) -> Response {
        let size = Int(clamping: download.size)
        // The download is used by one writer task only, after this handler returns.
        let box = UncheckedSendableBox(download)
        let body = ResponseBody(contentLength: size) { writer in
            let download = box.value
            var buffer = ByteBufferAllocator().buffer(capacity: 64 * 1024)
            while try download.next({ buffer.clear(); buffer.writeBytes($0) }) {
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
    }

    func collect(_ request: inout Request) async throws -> [UInt8] {
        let limit = datatrust.configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw DatatrustError.payloadTooLarge("body: \(length) bytes, expected at most \(limit)")
        }
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPResponseError where error.status == .contentTooLarge {
            // A chunked body has no length to check up front: collecting stops at the limit.
            throw DatatrustError.payloadTooLarge("body: larger than \(limit) bytes, expected at most \(limit)")
        }
    }

    func decode<T: Decodable>(_ request: inout Request) async throws -> T {
        let bytes = try await collect(&request)
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch let error as DecodingError {
            throw DatatrustError.badRequest("body: \(CanonicalJSON.describeBody(error)); see /openapi.json for the schema")
        }
    }

}

/// Hands a value that is not `Sendable` to the one task that uses it next.
/// `@unchecked Sendable`: the creator gives the value up when it makes the box, and exactly one
/// task (a response body writer) reads it afterwards, so it is never used by two tasks at once.
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
