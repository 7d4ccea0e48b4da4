import Foundation
import HTTPEdge
public import Hummingbird
import LedgerCore
public import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime

/// The REST face of a ``Datatrust`` (Hummingbird 2), served through the code that
/// swift-openapi-generator made from the OpenAPI 3.1 document (`Resources/openapi.json`, served
/// at `/openapi.json`; regenerate with `scripts/generate-openapi.sh DatatrustKit`). Errors are
/// JSON `{"error": code, "detail": text}` with the status ``status(for:)`` maps each
/// ``DatatrustError`` to.
public enum DatatrustServer {
    /// The committed OpenAPI document's bytes.
    public static func openAPIDocument() -> [UInt8]? { EdgeServer.openAPIDocument(in: .module) }

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
    /// (`DatatrustAPI`) behind the middleware that authenticates (`CallerMiddleware`) and the
    /// edge that rate-limits, bounds the bodies of the JSON endpoints and turns every error
    /// into the JSON error body (`DatatrustEdge`).
    public static func router(for datatrust: Datatrust) -> Router<DatatrustRequestContext> {
        let router = Router(context: DatatrustRequestContext.self)
        router.add(middleware: CallerMiddleware(datatrust: datatrust))
        router.add(middleware: EdgeMiddleware(policy: DatatrustEdge(datatrust: datatrust),
                                              limit: RateLimit(requests: datatrust.configuration.rateLimitRequests,
                                                               windowSeconds: datatrust.configuration.rateLimitWindow)))
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
        EdgeServer.application(router: router(for: datatrust), host: host, port: port, serverName: "DataMarket-Datatrust",
                               logger: logger, onBound: onBound)
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

    /// The JSON error body of `error` with its status; a server failure's detail shows no
    /// server paths.
    static func error(_ error: DatatrustError, headers: HTTPFields = [:]) -> Response {
        let status = status(for: error)
        let detail = status >= 500 ? withoutServerPaths(error.detail) : error.detail
        return EdgeResponse.error(code: error.code, detail: detail, status: status, headers: headers)
    }
}

/// Authenticates a bearer token once, so that the rate limit counts the caller it
/// authenticates (or the client's IP address when there is no valid token), and hands what it
/// learnt to the generated handlers (``RequestFacts``).
struct CallerMiddleware: RouterMiddleware {
    typealias Context = DatatrustRequestContext
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
        let authorization = request.headers[.authorization]
        if let authorization, let token = Self.bearerToken(authorization) {
            context.caller = try? await datatrust.authenticate(bearer: token)
        }
        let facts = RequestFacts(caller: context.caller, authorization: authorization)
        return try await RequestFacts.$current.withValue(facts) { try await next(request, context) }
    }
}

/// The datatrust's decisions at the edge: the rate-limit key, the body limit of every request
/// but a datapoint upload (which streams into the vault), and the JSON error body of every
/// thrown error.
struct DatatrustEdge: EdgePolicy {
    typealias Context = DatatrustRequestContext
    let datatrust: Datatrust

    func now() -> Int64 { datatrust.clock() }

    /// What the server verified, never what the client wrote: a valid token keys on its
    /// address; anything else (no header, a random or expired one) on the client's IP.
    func rateLimitKey(_ request: Request, context: Context) -> String {
        context.caller.map { "address \($0.checksummed)" } ?? "client \(context.clientIP)"
    }

    func rateLimited(key: String, limit: RateLimit, admission: Admission, now: Int64) -> Response {
        DatatrustServer.error(.rateLimited(
            "more than \(limit.requests) requests in \(limit.windowSeconds) s for \(key); retry after \(now + admission.retryAfter)"))
    }

    func bodyLimit(for request: Request) -> Int? {
        DatatrustServer.isDatapointUpload(request) ? nil : datatrust.configuration.maxBodyBytes
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
            if DatatrustServer.status(for: error) >= 500 { context.logger.error("request failed", metadata: ["error": "\(error)"]) }
            return DatatrustServer.error(error)
        case let error as DecodingError:
            return DatatrustServer.error(.badRequest("body: \(CanonicalJSON.describeBody(error)); see /openapi.json for the schema"))
        case let error as BodyTooLarge:
            return DatatrustServer.error(.payloadTooLarge(error.detail))
        case let error as any HTTPResponseError:
            switch RouterRefusal(error) {
            case .noEndpoint:
                let allowed = DatatrustServer.methods(servedOn: request.uri.path)
                if !allowed.isEmpty {
                    return DatatrustServer.error(.methodNotAllowed("\(RouterRefusal.methodNotServedDetail(request)); expected one of \(allowed.joined(separator: ", "))"),
                                                 headers: [.allow: allowed.joined(separator: ", ")])
                }
                return DatatrustServer.error(.notFound(RouterRefusal.noEndpointDetail(request)))
            case .methodNotServed: return DatatrustServer.error(.methodNotAllowed(RouterRefusal.methodNotServedDetail(request)))
            case .bodyTooLarge: return DatatrustServer.error(.payloadTooLarge("body: larger than \(datatrust.configuration.maxBodyBytes) bytes"))
            case .other(let reason): return DatatrustServer.error(.badRequest(reason))
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
