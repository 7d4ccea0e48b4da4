import Foundation
import LedgerCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An asynchronous client of another node's HTTP API (URLSession): what a follower and a
/// service following a node need from it — its genesis, head and blocks, and a way to hand it
/// a signed transaction.
///
/// Every answer that is not what the API document promises becomes a ``RemoteNodeError``
/// naming the request and what came back.
public struct RemoteNode: Sendable {
    /// The node's base URL, e.g. `http://10.0.0.1:8545/`.
    public let base: URL
    /// The session requests go through.
    let session: URLSession

    /// A client of the node at `base` (a trailing `/` is added when missing).
    public init(base: URL, session: URLSession = .shared) {
        let text = base.absoluteString
        self.base = text.hasSuffix("/") ? base : URL(string: text + "/") ?? base
        self.session = session
    }

    /// The URL of `path` (relative, no leading `/`) on the node.
    func url(_ path: String) throws(RemoteNodeError) -> URL {
        guard let url = URL(string: path, relativeTo: base) else { throw .unreachable("cannot form a URL from \(base) and \(path)") }
        return url
    }

    /// Sends a request and returns the status and body.
    func send(_ method: String, _ path: String, body: Data? = nil, timeout: TimeInterval = 30) async throws(RemoteNodeError) -> (Int, Data) {
        var request = URLRequest(url: try url(path), timeoutInterval: timeout)
        request.httpMethod = method
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        do {
            let (data, response) = try await session.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        } catch {
            throw .unreachable("\(method) \(base)\(path): \(error.localizedDescription)")
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ status: Int, _ data: Data, _ what: String) throws(RemoteNodeError) -> T {
        guard status == 200 else {
            let error = try? JSONDecoder().decode(NodeAPI.ErrorBody.self, from: data)
            throw .answered(request: what, status: status, code: error?.error ?? "", detail: error?.detail ?? String(decoding: data.prefix(300), as: UTF8.self))
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw .unexpected(request: what, reason: "\(error)")
        }
    }

    // MARK: - Reads

    /// The genesis configuration the node's chain started from.
    public func genesis() async throws(RemoteNodeError) -> GenesisConfig {
        let (status, data) = try await send("GET", "genesis")
        return try decode(GenesisConfig.self, status, data, "GET /genesis")
    }

    /// The node's head.
    public func head() async throws(RemoteNodeError) -> NodeAPI.Head {
        let (status, data) = try await send("GET", "head")
        return try decode(NodeAPI.Head.self, status, data, "GET /head")
    }

    /// One page of blocks from `height` on (at most 100), decoded from their canonical bytes.
    ///
    /// - Throws: ``RemoteNodeError/badBlock(height:reason:)`` when a block does not decode or its
    ///   roots do not match its contents.
    public func blocks(from height: UInt64) async throws(RemoteNodeError) -> [Block] {
        let (status, data) = try await send("GET", "blocks?from=\(height)")
        let page = try decode(NodeAPI.BlockPage.self, status, data, "GET /blocks?from=\(height)")
        return try page.blocks.map { body throws(RemoteNodeError) in try Self.block(body) }
    }

    /// The block carried by `body`, from its canonical bytes.
    static func block(_ body: NodeAPI.BlockBody) throws(RemoteNodeError) -> Block {
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

    /// The status of transaction `hash` on the node; with `waitSeconds`, once it is final or
    /// after that many seconds. Nil when the node has never seen it.
    public func status(of hash: Hash32, waitSeconds: UInt64? = nil) async throws(RemoteNodeError) -> NodeAPI.TransactionStatusBody? {
        let path = "transactions/\(hash.hex)" + (waitSeconds.map { "?wait=true&timeout=\($0)" } ?? "")
        let (status, data) = try await send("GET", path, timeout: TimeInterval((waitSeconds ?? 0) + 30))
        if status == 404 { return nil }
        if [200, 202, 422].contains(status), let outcome = try? JSONDecoder().decode(NodeAPI.TransactionStatusBody.self, from: data) {
            return outcome
        }
        return try decode(NodeAPI.TransactionStatusBody.self, status, data, "GET /transactions/\(hash.hex)")
    }

    // MARK: - Submitting

    /// Hands the signed transaction to the node; with `waitSeconds`, the node answers once it is
    /// included or refused, or after that many seconds (then still pending).
    ///
    /// - Returns: the status the node gives it (pending, included or refused).
    /// - Throws: ``RemoteNodeError/answered(request:status:code:detail:)`` with the node's own status
    ///   and error when it turns the transaction away (400, 422, 429, …).
    public func submit(_ transaction: SignedTransaction, waitSeconds: UInt64? = nil) async throws(RemoteNodeError) -> NodeAPI.TransactionStatusBody {
        let body: Data
        do { body = try JSONEncoder().encode(NodeAPI.SubmitRequest(transaction: Hex.encode(transaction.encoded))) } catch {
            throw .unexpected(request: "POST /transactions", reason: "encoding the request: \(error)")
        }
        let path = waitSeconds.map { "transactions?wait=true&timeout=\($0)" } ?? "transactions"
        let (status, data) = try await send("POST", path, body: body, timeout: TimeInterval((waitSeconds ?? 0) + 30))
        if [200, 202, 422].contains(status), let outcome = try? JSONDecoder().decode(NodeAPI.TransactionStatusBody.self, from: data) {
            return outcome
        }
        let error = try? JSONDecoder().decode(NodeAPI.ErrorBody.self, from: data)
        throw .answered(
            request: "POST /transactions", status: status, code: error?.error ?? "",
            detail: error?.detail ?? String(decoding: data.prefix(300), as: UTF8.self))
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
