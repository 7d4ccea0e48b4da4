import Foundation
import Hummingbird
import LedgerCore
import Logging

/// The HTTP face of a ``Node`` (Hummingbird 2), described by the OpenAPI 3.1 document served
/// at `/openapi.json`. Every error is JSON `{"error": code, "detail": text}`; client input never
/// causes a 5xx.
public enum NodeServer {
    /// The committed OpenAPI document's bytes.
    public static func openAPIDocument() -> [UInt8]? {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return nil }
        return [UInt8](data)
    }

    /// The router serving `node`.
    public static func router(for node: Node) -> Router<NodeRequestContext> {
        let router = Router(context: NodeRequestContext.self)
        let limiter = ClientRateLimiter(capacity: node.configuration.rateLimitRequests, window: node.configuration.rateLimitWindowSeconds)
        router.add(middleware: NodeErrorMiddleware(limiter: limiter, maxBodyBytes: node.configuration.maxBodyBytes))
        let h = NodeHandlers(node: node)
        router.get("/openapi.json") { _, _ in
            guard let document = NodeServer.openAPIDocument() else { throw NodeError.internalFailure("openapi.json is missing from the bundle") }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        router.get("/head") { _, _ in try await h.head() }
        router.get("/genesis") { _, _ in NodeServer.json(node.chain.genesis) }
        router.post("/transactions") { request, context in try await h.submit(request, context) }
        router.get("/transactions/{hash}") { request, context in try await h.transaction(request, context) }
        router.get("/accounts/{address}") { _, context in try await h.account(context) }
        router.get("/blocks") { request, _ in try await h.blocks(request) }
        router.get("/blocks/{height}") { _, context in try await h.block(context) }
        router.get("/events") { request, _ in try await h.events(request) }
        router.get("/stream") { request, _ in try await h.stream(request) }
        router.post("/chain/warp") { request, context in try await h.warp(request, context) }
        return router
    }

    /// An application serving `node` on `host:port`; `onRunning` gets the port actually bound
    /// (useful with port 0). Run it with `try await app.runService()`.
    public static func application(
        for node: Node, host: String = "127.0.0.1", port: Int = 8545, logger: Logger = Logger(label: "datamarket.node.http"),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(for: node),
            configuration: .init(address: .hostname(host, port: port), serverName: "DataMarket-Node"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    // MARK: - Responses

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> Response {
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ error: NodeError, headers: HTTPFields = [:]) -> Response {
        var response = json(NodeAPI.ErrorBody(error: error.code, detail: error.detail), status: error.status)
        for field in headers { response.headers.append(field) }
        return response
    }
}

/// Applies the per-IP rate limit and turns every thrown error into the JSON error body.
struct NodeErrorMiddleware: RouterMiddleware {
    typealias Context = NodeRequestContext
    let limiter: ClientRateLimiter
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let now = Date().timeIntervalSince1970
        let admission = await limiter.admit(context.clientIP ?? "unknown", now: now)
        guard admission.admitted else {
            return NodeServer.error(
                .rateLimited("too many requests from \(context.clientIP ?? "this client"); retry after \(admission.retryAfter) s"),
                headers: [.retryAfter: "\(admission.retryAfter)"])
        }
        do {
            return try await next(request, context)
        } catch let error as NodeError {
            if error.status >= 500 { context.logger.error("request failed", metadata: ["error": "\(error)"]) }
            return NodeServer.error(error)
        } catch let error as HTTPError {
            switch error.status.code {
            case 404: return NodeServer.error(.notFound("path: \(request.method) \(request.uri.path) is not an endpoint; see /openapi.json"))
            case 405: return NodeServer.error(.notFound("method: \(request.method) is not served on \(request.uri.path); see /openapi.json"))
            case 413: return NodeServer.error(.payloadTooLarge("body: larger than \(maxBodyBytes) bytes"))
            default: return NodeServer.error(.badRequest("\(error.body ?? error.status.reasonPhrase)"))
            }
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            return NodeServer.error(.internalFailure("\(error)"))
        }
    }
}
