import Foundation
public import Hummingbird
import LedgerCore
public import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime

/// The REST face of a ``Datatrust`` (Hummingbird 2), served through the code that
/// swift-openapi-generator made from the OpenAPI 3.1 document (`Resources/openapi.json`, served
/// at `/openapi.json`; regenerate with `scripts/generate-openapi.sh DatatrustKit`). Errors are
/// JSON `{"error": code, "detail": text}` with the statuses of ``DatatrustError``.
public enum DatatrustServer {
    /// The committed OpenAPI document's bytes.
    public static func openAPIDocument() -> [UInt8]? {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return nil }
        return [UInt8](data)
    }

    /// Every operation of the document as (upper-case method, path template), read from the
    /// document itself: what a 405's `Allow` lists.
    static let documentedOperations: [(method: String, path: String)] = {
        guard let bytes = openAPIDocument(),
              let doc = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let paths = doc["paths"] as? [String: [String: Any]] else { return [] }
        let order = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        return paths.flatMap { path, methods in methods.keys.map { (method: $0.uppercased(), path: path) } }
            .sorted { ($0.path, order.firstIndex(of: $0.method) ?? 9) < ($1.path, order.firstIndex(of: $1.method) ?? 9) }
    }()

    /// The router serving `datatrust`: the generated handlers of every documented operation
    /// (`DatatrustAPI`) behind the middleware that authenticates, rate-limits, bounds the
    /// bodies of the JSON endpoints and turns every error into the JSON error body.
    public static func router(for datatrust: Datatrust) -> Router<DatatrustRequestContext> {
        let router = Router(context: DatatrustRequestContext.self)
        let limiter = RateLimiter(limit: datatrust.configuration.rateLimitRequests, window: datatrust.configuration.rateLimitWindow)
        router.add(middleware: ErrorMiddleware(limiter: limiter, datatrust: datatrust))
        // Served by hand: the body is the committed document's bytes, not a re-encoding.
        router.get("/openapi.json") { _, _ -> Response in
            guard let document = openAPIDocument() else {
                throw DatatrustError.internalFailure("openapi.json resource missing from the bundle")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        // Registration throws only for a server URL that is not a path; "/" is one.
        try? DatatrustAPI(datatrust: datatrust).registerHandlers(on: router)
        return router
    }

    /// An application serving `datatrust` on `host:port` (127.0.0.1 by default). Run it with
    /// `try await app.runService()`, which shuts down gracefully on SIGINT/SIGTERM, or in a
    /// `ServiceGroup` beside ``Datatrust/backgroundJobs()``.
    /// - Parameters:
    ///   - datatrust: the service to serve.
    ///   - host: the address to listen on.
    ///   - port: the port to listen on; 0 picks a free one.
    ///   - logger: the server's logger.
    ///   - onBound: called with the bound address once the server listens (port 0 picks a free port).
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

    /// The methods served on the path templates `path` matches (empty: not an endpoint).
    static func methods(servedOn path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return documentedOperations.filter { operation in
            let template = operation.path.split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == parts.count else { return false }
            return zip(template, parts).allSatisfy { t, p in (t.hasPrefix("{") && !p.isEmpty) || t == p }
        }.map(\.method)
    }

    /// Whether `request` is an ADD_DATAPOINT, whose body streams into the vault instead of
    /// being bounded by ``DatatrustConfiguration/maxBodyBytes``.
    static func isDatapointUpload(_ request: Request) -> Bool {
        guard request.method == .post else { return false }
        let parts = request.uri.path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0].isEmpty && parts[1] == "markets" && !parts[2].isEmpty && parts[3] == "datapoints"
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
/// to the client's IP address when there is no valid token), bounds the body of every request
/// but a datapoint upload, hands what it learnt to the generated handlers (``RequestFacts``),
/// and turns every thrown error into the JSON error body.
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
        let authorization = request.headers[.authorization]
        if let authorization, let token = Self.bearerToken(authorization) {
            context.caller = try? await datatrust.authenticate(bearer: token)
        }
        let key = context.caller.map { "address \($0.checksummed)" } ?? "client \(context.clientIP)"
        let now = datatrust.clock()
        guard await limiter.admit(key, now: now) else {
            let reset = await limiter.resetsAt()
            return DatatrustServer.error(.rateLimited("more than \(datatrust.configuration.rateLimitRequests) requests in \(datatrust.configuration.rateLimitWindow) s for \(key); retry after \(reset)"),
                                         headers: [.retryAfter: "\(max(reset - now, 1))"])
        }
        let facts = RequestFacts(caller: context.caller, authorization: authorization)
        do {
            var request = request
            if !DatatrustServer.isDatapointUpload(request) { try await bound(&request) }
            return try await RequestFacts.$current.withValue(facts) { try await next(request, context) }
        } catch {
            return response(for: error, request: request, context: context)
        }
    }

    /// Collects the body of a request that is not a datapoint upload, refusing it past
    /// ``DatatrustConfiguration/maxBodyBytes`` (at once when a `Content-Length` says so).
    func bound(_ request: inout Request) async throws(DatatrustError) {
        let limit = datatrust.configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw .payloadTooLarge("body: \(length) bytes, expected at most \(limit)")
        }
        do { _ = try await request.collectBody(upTo: limit) } catch {
            // A chunked body has no length to check up front: collecting stops at the limit.
            throw .payloadTooLarge("body: larger than \(limit) bytes, expected at most \(limit)")
        }
    }

    /// The JSON error response for `error`, thrown by a handler, the generated code or the router.
    func response(for error: any Error, request: Request, context: Context) -> Response {
        switch error {
        case let error as ServerError:
            // The generated code wraps what a handler threw (a DatatrustError) and its own
            // refusals of the request (a missing parameter, an unexpected content type, a body
            // that is not the documented JSON), which are the client's.
            switch error.underlyingError {
            case is DatatrustError, is ClosingConnection, is DecodingError:
                return response(for: error.underlyingError, request: request, context: context)
            default:
                return DatatrustServer.error(.badRequest("\(error.causeDescription); see /openapi.json"))
            }
        case let error as ClosingConnection:
            // Refused before or while reading an upload's body: the rest is not read.
            return DatatrustServer.error(error.error, headers: [.connection: "close"])
        case let error as DatatrustError:
            if error.status >= 500 { context.logger.error("request failed", metadata: ["error": "\(error)"]) }
            return DatatrustServer.error(error)
        case let error as DecodingError:
            return DatatrustServer.error(.badRequest("body: \(CanonicalJSON.describeBody(error)); see /openapi.json for the schema"))
        case let error as any HTTPResponseError:
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
        default:
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            return DatatrustServer.error(.internalFailure("\(error)"))
        }
    }
}

/// A refusal after which the connection is closed instead of the request body being read to
/// its end (an upload refused before or during its body).
struct ClosingConnection: Error {
    let error: DatatrustError
}

/// Hands a value that is not `Sendable` to the one task that uses it next.
/// `@unchecked Sendable`: the creator gives the value up when it makes the box, and exactly one
/// task (a response body writer) reads it afterwards, so it is never used by two tasks at once.
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
