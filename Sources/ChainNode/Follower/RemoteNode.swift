public import AsyncHTTPClient
public import Foundation
import HTTPTypes
public import LedgerCore
import NIOCore
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// The client of another node's HTTP API: a thin typed facade over the `Client` generated
/// from `Resources/openapi.json`, sending through async-http-client. What a follower, a
/// service following a node and `dmctl --node` need from a node — its genesis, head, state,
/// accounts and blocks, its live block stream, and a way to hand it a signed transaction.
///
/// Requests go through ``sharedHTTPClient`` unless another `HTTPClient` is given (its owner
/// shuts it down). Every answer that is not what the API document promises becomes a
/// ``RemoteNodeError`` naming the request and what came back.
public struct RemoteNode: Sendable {
    /// The node's base URL, e.g. `http://10.0.0.1:8545/`.
    public let base: URL
    /// The generated client.
    let client: Client

    /// The HTTP client every ``RemoteNode`` uses by default: one connection pool for the whole
    /// process on NIO's singleton event loop group, like `HTTPClient.shared` (it is never shut
    /// down, owns no threads of its own, and nothing leaks when the process ends), with room
    /// for a follower's long-lived stream and long-polling status reads beside its page reads
    /// (64 connections per node instead of `HTTPClient.shared`'s 8).
    ///
    /// Why not URLSession: on Linux, FoundationNetworking aborted under a fast sync
    /// ("Trying to access a behaviour for a task that in not in the registry",
    /// TaskRegistry.swift:118, in `DataMarketBenchmarks follower`).
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        // No idle read limit below a submit's longest wait (120 s); a stream sends a keep-alive
        // every 15 s, so 150 s of silence is a dead connection.
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(150))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The longest a request may wait for the answer's head: above the longest `wait` (120 s).
    static let requestTimeout: TimeAmount = .seconds(150)

    /// A client of the node at `base` (a trailing `/` is added when missing), sending through
    /// `httpClient` (by default ``sharedHTTPClient``).
    public init(base: URL, httpClient: HTTPClient = RemoteNode.sharedHTTPClient) {
        let text = base.absoluteString
        self.base = text.hasSuffix("/") ? base : URL(string: text + "/") ?? base
        // The generated paths start with `/`: the server URL must not end with one.
        let server = URL(string: String(text.reversed().drop(while: { $0 == "/" }).reversed())) ?? base
        client = Client(
            serverURL: server, configuration: NodeServer.openAPIConfiguration,
            transport: AsyncHTTPClientTransport(configuration: .init(client: httpClient, timeout: Self.requestTimeout)),
            middlewares: [RemoteNodeErrors(base: self.base)])
    }

    /// Runs one generated call, turning what it throws into a ``RemoteNodeError``.
    func call<T>(_ request: String, _ body: () async throws -> T) async throws(RemoteNodeError) -> T {
        do { return try await body() } catch let error as RemoteNodeError {
            throw error
        } catch let error as ClientError {
            if let own = error.underlyingError as? RemoteNodeError { throw own }
            throw .unexpected(request: request, reason: "\(error.causeDescription): \(error.underlyingError)")
        } catch {
            throw .unexpected(request: request, reason: "\(error)")
        }
    }

    /// The body of a decoded answer (the generated accessors throw only on another content type).
    func body<T>(_ request: String, _ get: () throws -> T) throws(RemoteNodeError) -> T {
        do { return try get() } catch { throw .unexpected(request: request, reason: "\(error)") }
    }

    /// Runs one generated call whose answer is read from its `200` case: `ok` picks that case
    /// (the generated accessor throws for any other answer, which becomes ``unexpected(_:_:)``
    /// naming the answer) and `read` its body (throwing only on another content type).
    func read<Output: Sendable, Ok, T>(
        _ request: String, _ send: () async throws -> Output, ok: (Output) throws -> Ok, _ read: (Ok) throws -> T
    ) async throws(RemoteNodeError) -> T {
        let output = try await call(request, send)
        let answer: Ok
        do { answer = try ok(output) } catch { throw Self.unexpected(request, output) }
        return try body(request) { try read(answer) }
    }

    /// The error for an answer that is neither a success nor an error ``RemoteNodeErrors``
    /// already turned into ``RemoteNodeError/answered(request:status:code:detail:)``.
    static func unexpected(_ request: String, _ output: some Sendable) -> RemoteNodeError {
        .unexpected(request: request, reason: "\(output)")
    }

    // MARK: - Reads

    /// The genesis configuration the node's chain started from.
    public func genesis() async throws(RemoteNodeError) -> GenesisConfig {
        try await read("GET /genesis", { try await client.getGenesis() }, ok: { try $0.ok }) { try $0.body.json }
    }

    /// The node's head.
    public func head() async throws(RemoteNodeError) -> NodeAPI.Head {
        try await read("GET /head", { try await client.getHead() }, ok: { try $0.ok }) { try $0.body.json }
    }

    /// An account's nonces and balances.
    public func account(_ address: Address) async throws(RemoteNodeError) -> NodeAPI.Account {
        try await read("GET /accounts/\(address.checksummed)", { try await client.getAccount(path: .init(address: address)) },
                       ok: { try $0.ok }) { try $0.body.json }
    }

    /// The node's whole state at its head, canonically encoded.
    public func state() async throws(RemoteNodeError) -> NodeAPI.StateSnapshot {
        try await read("GET /state", { try await client.getState() }, ok: { try $0.ok }) { try $0.body.json }
    }

    /// One page of blocks from `height` on (at most 100) as the node serves them, and the
    /// height the next page starts at when more are stored up to the head.
    public func blockPage(from height: UInt64) async throws(RemoteNodeError) -> NodeAPI.BlockPage {
        try await read("GET /blocks?from=\(height)", { try await client.getBlocks(query: .init(from: height)) },
                       ok: { try $0.ok }) { try $0.body.json }
    }

    /// The most bytes of a binary page read (100 blocks).
    static let maxBinaryPage = 512 << 20

    /// One page of blocks from `height` on (at most 100) as their framed canonical bytes (each a
    /// 4-byte big-endian length, then the bytes): `GET /blocks?from=height` with
    /// `Accept: application/octet-stream`.
    /// Nil when the node answered a JSON page instead (a node older than the binary variant).
    public func binaryBlockPage(from height: UInt64) async throws(RemoteNodeError) -> [UInt8]? {
        try await binaryOrJSONPage(from: height).binary
    }

    /// One page of blocks from `height` on (at most 100), decoded from their canonical bytes:
    /// the binary page, or the JSON page's `encoded` fields when the node answers JSON.
    ///
    /// - Throws: ``RemoteNodeError/badBlock(height:reason:)`` when a block is cut short, does
    ///   not decode, its roots do not match its contents or it is not the next height.
    public func blocks(from height: UInt64) async throws(RemoteNodeError) -> [Block] {
        let page = try await binaryOrJSONPage(from: height)
        if let bytes = page.binary { return try BinaryBlockPage.decode(bytes, from: height) }
        return try (page.json?.blocks ?? []).map { body throws(RemoteNodeError) in try Self.block(from: body) }
    }

    /// `GET /blocks?from=height` asking for the binary page, and whichever variant came back.
    private func binaryOrJSONPage(from height: UInt64) async throws(RemoteNodeError) -> (binary: [UInt8]?, json: NodeAPI.BlockPage?) {
        let what = "GET /blocks?from=\(height)"
        let output = try await call(what) {
            try await client.getBlocks(query: .init(from: height), headers: .init(accept: [.init(contentType: .binary)]))
        }
        guard case .ok(let ok) = output else { throw Self.unexpected(what, output) }
        switch ok.body {
        case .binary(let body):
            do { return (try await [UInt8](collecting: body, upTo: Self.maxBinaryPage), nil) } catch {
                throw .unreachable("\(what): reading the page failed: \(error)")
            }
        case .json(let page):
            return (nil, page)
        }
    }

    /// The block at `height`, decoded from its canonical bytes; nil when the node has none there.
    public func block(at height: UInt64) async throws(RemoteNodeError) -> Block? {
        let what = "GET /blocks/\(height)"
        let output: Operations.GetBlock.Output
        do { output = try await call(what, { try await client.getBlock(path: .init(height: height)) }) } catch {
            if case .answered(_, 404, _, _) = error { return nil }
            throw error
        }
        guard case .ok(let ok) = output else { throw Self.unexpected(what, output) }
        return try Self.block(from: try body(what) { try ok.body.json })
    }

    /// The block carried by `body`, from its canonical bytes (its roots checked).
    public static func block(from body: NodeAPI.BlockBody) throws(RemoteNodeError) -> Block {
        let hex = body.encoded.hasPrefix("0x") ? String(body.encoded.dropFirst(2)) : body.encoded
        let block: Block
        do { block = try Block(encoded: try Hex.decode(hex, field: "encoded")) } catch {
            throw .badBlock(height: body.height, reason: "its canonical bytes do not decode: \(error)")
        }
        guard block.height == body.height else {
            throw .badBlock(height: body.height, reason: "its bytes hold block \(block.height)")
        }
        return block
    }

    /// The body of the node's Server-Sent Events stream from `height` on (`GET /stream`):
    /// `text/event-stream` bytes as they arrive, until the node ends it or the reading task is
    /// cancelled. ``ServerSentEventParser`` splits it into messages.
    func eventStream(from height: UInt64) async throws(RemoteNodeError) -> HTTPBody {
        try await read("GET /stream?from=\(height)", { try await client.streamBlocks(query: .init(from: height)) },
                       ok: { try $0.ok }) { try $0.body.textEventStream }
    }

    /// The status of transaction `hash` on the node; with `waitSeconds`, once it is final or
    /// after that many seconds. Nil when the node has never seen it.
    public func status(of hash: Hash32, waitSeconds: UInt64? = nil) async throws(RemoteNodeError) -> NodeAPI.TransactionStatusBody? {
        let what = "GET /transactions/\(hash.hex)"
        let query = Operations.GetTransaction.Input.Query(wait: waitSeconds.map { _ in true }, timeout: waitSeconds)
        let output: Operations.GetTransaction.Output
        do { output = try await call(what, { try await client.getTransaction(path: .init(hash: hash.hex), query: query) }) } catch {
            if case .answered(_, 404, _, _) = error { return nil }
            throw error
        }
        switch output {
        case .ok(let ok): return try body(what) { try ok.body.json }
        case .accepted(let pending): return try body(what) { try pending.body.json }
        default: throw Self.unexpected(what, output)
        }
    }

    // MARK: - Writing

    /// Hands the signed transaction to the node (its canonical bytes as the binary body); with
    /// `waitSeconds`, the node answers once it is included or refused, or after that many
    /// seconds (then still pending).
    ///
    /// - Returns: the status the node gives it (pending, included or refused).
    /// - Throws: ``RemoteNodeError/answered(request:status:code:detail:)`` with the node's own status
    ///   and error when it turns the transaction away (400, 422, 429, …).
    public func submit(_ transaction: SignedTransaction, waitSeconds: UInt64? = nil) async throws(RemoteNodeError) -> NodeAPI.TransactionStatusBody {
        let what = "POST /transactions"
        let query = Operations.SubmitTransaction.Input.Query(wait: waitSeconds.map { _ in true }, timeout: waitSeconds)
        let bytes = transaction.encoded
        let output = try await call(what) { try await client.submitTransaction(query: query, body: .binary(HTTPBody(bytes))) }
        switch output {
        case .ok(let ok): return try body(what) { try ok.body.json }
        case .accepted(let pending): return try body(what) { try pending.body.json }
        case .unprocessableContent(let refused):
            let payload = try body(what) { try refused.body.json }
            if let status = payload.value2 { return status }
            throw .answered(request: what, status: 422, code: payload.value1?.error ?? "", detail: payload.value1?.detail ?? "")
        default: throw Self.unexpected(what, output)
        }
    }

    /// Hands several signed transactions to the node in one request (`POST /transactions/batch`,
    /// each one's canonical bytes after its 4-byte big-endian length), each admitted as
    /// ``submit(_:waitSeconds:)`` admits one, in order.
    ///
    /// - Returns: one status per transaction, in order: pending (or included), or refused with
    ///   the node's code and reason.
    /// - Throws: ``RemoteNodeError/answered(request:status:code:detail:)`` when the node turns the
    ///   whole batch away (400 naming the transaction, 413, 429).
    public func submit(batch transactions: [SignedTransaction]) async throws(RemoteNodeError) -> [NodeAPI.TransactionStatusBody] {
        let what = "POST /transactions/batch"
        var bytes: [UInt8] = []
        for tx in transactions { BinaryBlockPage.append(tx.encoded, to: &bytes) }
        let body = bytes
        let results = try await read(what, { try await client.submitTransactionBatch(body: .binary(HTTPBody(body))) }, ok: { try $0.ok }) {
            try $0.body.json
        }.results
        guard results.count == transactions.count else {
            throw .unexpected(request: what, reason: "\(results.count) results for \(transactions.count) transactions")
        }
        return results
    }

    /// Moves a dev node's chain time forward by `seconds` in an empty block (any other node
    /// answers 403).
    public func warp(by seconds: UInt64) async throws(RemoteNodeError) -> NodeAPI.BlockBody {
        try await read("POST /chain/warp", { try await client.warpChain(body: .json(NodeAPI.WarpRequest(seconds: seconds))) },
                       ok: { try $0.ok }) { try $0.body.json }
    }
}

/// Turns every error answer into ``RemoteNodeError/answered(request:status:code:detail:)``
/// (with the node's JSON error code and detail when the body is one) and every transport
/// failure into ``RemoteNodeError/unreachable(_:)``, before the generated code sees them; a
/// 422 that carries a refused transaction's status passes, since that is an outcome.
struct RemoteNodeErrors: ClientMiddleware {
    let base: URL
    /// The most bytes of an error body read.
    static let maxErrorBody = 64 * 1024

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let what = "\(request.method) \(request.path ?? "")"
        let response: HTTPResponse, responseBody: HTTPBody?
        do { (response, responseBody) = try await next(request, body, baseURL) } catch {
            throw RemoteNodeError.unreachable("\(request.method) \(base.absoluteString.dropLast())\(request.path ?? ""): \(error)")
        }
        let status = response.status.code
        guard status >= 300 else { return (response, responseBody) }
        var data = Data()
        if let responseBody {
            do { data = try await Data(collecting: responseBody, upTo: Self.maxErrorBody) } catch {
                throw RemoteNodeError.unreachable("\(what): reading the \(status) answer failed: \(error)")
            }
        }
        if status == 422, (try? JSONDecoder().decode(NodeAPI.TransactionStatusBody.self, from: data))?.status == "refused" {
            return (response, HTTPBody(data))
        }
        let error = try? JSONDecoder().decode(NodeAPI.ErrorBody.self, from: data)
        throw RemoteNodeError.answered(
            request: what, status: status, code: error?.error ?? "", detail: error?.detail ?? String(decoding: data.prefix(300), as: UTF8.self))
    }
}

/// Why a request to another node did not give what was asked.
public enum RemoteNodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The node could not be reached, or the connection broke.
    case unreachable(String)
    /// The node answered with an error status, its JSON error `code` (empty when the body was
    /// not one) and `detail`.
    case answered(request: String, status: Int, code: String, detail: String)
    /// The node answered 200 with a body that is not the documented shape.
    case unexpected(request: String, reason: String)
    /// A block the node served does not decode or its roots do not match its contents.
    case badBlock(height: UInt64, reason: String)

    /// What went wrong and what was expected.
    public var description: String {
        switch self {
        case .unreachable(let r): "node unreachable: \(r)"
        case .answered(let q, let s, let c, let d): "\(q) answered \(s): \(c.isEmpty ? "" : c + ": ")\(d)"
        case .unexpected(let q, let r): "\(q): the answer is not the documented shape: \(r)"
        case .badBlock(let h, let r): "block \(h) served by the node is malformed: \(r); expected a block whose bytes decode and match its roots"
        }
    }
}
