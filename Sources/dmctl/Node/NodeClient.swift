import ChainNode
import Foundation
import LedgerCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A blocking client of a node's HTTP API for the synchronous commands under `--node URL`: the
/// one submit path of the mutating commands, and the genesis, state and blocks that
/// ``NodeReplicaStore`` opens the node's chain from.
struct NodeClient {
    /// The node's base URL.
    let base: URL

    /// What the node answered: status and body.
    private final class Reply: @unchecked Sendable {
        // @unchecked: written once by the URLSession callback before `done` is signalled, read
        // only after waiting on `done`.
        var status = 0
        var body = Data()
        var failure: String?
        let done = DispatchSemaphore(value: 0)
    }

    private func send(_ method: String, _ path: String, body: Data? = nil, timeout: TimeInterval = 150) throws -> (Int, Data) {
        guard let url = URL(string: path, relativeTo: base) else { throw CLIError.usage("--node: cannot form a URL from \(base) and \(path)") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let reply = Reply()
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error { reply.failure = error.localizedDescription }
            reply.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            reply.body = data ?? Data()
            reply.done.signal()
        }.resume()
        reply.done.wait()
        if let failure = reply.failure { throw CLIError.storage("node \(base): \(method) \(path) failed: \(failure)") }
        return (reply.status, reply.body)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ status: Int, _ data: Data, _ what: String) throws -> T {
        guard (200..<300).contains(status) else {
            let error = try? JSONDecoder().decode(NodeAPI.ErrorBody.self, from: data)
            let text = error.map { "\($0.error): \($0.detail)" } ?? String(decoding: data.prefix(300), as: UTF8.self)
            switch status {
            case 400, 404, 413: throw CLIError.usage("node refused \(what) (\(status)): \(text)")
            case 422, 403: throw CLIError.refused("\(text)")
            default: throw CLIError.storage("node answered \(what) with \(status): \(text)")
            }
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw CLIError.storage("node \(base): \(what): unexpected answer (\(error))")
        }
    }

    /// The node's head.
    func head() throws -> NodeAPI.Head {
        let (status, data) = try send("GET", "head")
        return try decode(NodeAPI.Head.self, status, data, "GET /head")
    }

    /// An account's nonces and balances.
    func account(_ address: Address) throws -> NodeAPI.Account {
        let (status, data) = try send("GET", "accounts/\(address.checksummed)")
        return try decode(NodeAPI.Account.self, status, data, "GET /accounts")
    }

    /// The block at `height`, decoded from its canonical bytes (roots checked).
    func block(at height: UInt64) throws -> Block {
        let (status, data) = try send("GET", "blocks/\(height)")
        let body = try decode(NodeAPI.BlockBody.self, status, data, "GET /blocks/\(height)")
        do { return try Block(encoded: try Hex.decode(String(body.encoded.dropFirst(2)), field: "encoded")) } catch {
            throw CLIError.storage("node \(base): block \(height) does not decode: \(error)")
        }
    }

    /// The block at `height`, or nil when the node has none there yet.
    func blockIfAny(at height: UInt64) throws -> Block? {
        let (status, data) = try send("GET", "blocks/\(height)")
        if status == 404 { return nil }
        return try decoded(try decode(NodeAPI.BlockBody.self, status, data, "GET /blocks/\(height)"))
    }

    /// Every block from `height` to the node's head, a page at a time.
    func blocks(from height: UInt64) throws -> [Block] {
        var out: [Block] = []
        var next: UInt64? = height
        while let from = next {
            let (status, data) = try send("GET", "blocks?from=\(from)")
            let page = try decode(NodeAPI.BlockPage.self, status, data, "GET /blocks?from=\(from)")
            out += try page.blocks.map(decoded)
            next = page.next
        }
        return out
    }

    /// The configuration the node's chain started from.
    func genesis() throws -> GenesisConfig {
        let (status, data) = try send("GET", "genesis")
        return try decode(GenesisConfig.self, status, data, "GET /genesis")
    }

    /// The node's whole state at its head, canonically encoded.
    func state() throws -> NodeAPI.StateSnapshot {
        let (status, data) = try send("GET", "state")
        return try decode(NodeAPI.StateSnapshot.self, status, data, "GET /state")
    }

    /// Moves the dev node's chain time forward by `seconds` in an empty block.
    func warp(by seconds: UInt64) throws -> NodeAPI.BlockBody {
        let (status, data) = try send("POST", "chain/warp", body: Data(#"{"seconds": \#(seconds)}"#.utf8))
        return try decode(NodeAPI.BlockBody.self, status, data, "POST /chain/warp")
    }

    /// The block a body carries, decoded from its canonical bytes (roots checked).
    private func decoded(_ body: NodeAPI.BlockBody) throws -> Block {
        do { return try Block(encoded: try Hex.decode(String(body.encoded.dropFirst(2)), field: "encoded")) } catch {
            throw CLIError.storage("node \(base): block \(body.height) does not decode: \(error)")
        }
    }

    /// Submits `tx` and waits until it is included (returns its block and receipt) or refused (throws).
    func submitAndWait(_ tx: SignedTransaction) throws -> (Block, Receipt) {
        let body = try JSONEncoder().encode(NodeAPI.SubmitRequest(transaction: Hex.encode(tx.encoded)))
        let (status, data) = try send("POST", "transactions?wait=true&timeout=120", body: body)
        if status == 422, let refused = try? JSONDecoder().decode(NodeAPI.TransactionStatusBody.self, from: data), refused.status == "refused" {
            throw CLIError.refused("\(refused.error ?? "refused"): \(refused.detail ?? "")")
        }
        let outcome = try decode(NodeAPI.TransactionStatusBody.self, status, data, "POST /transactions")
        guard outcome.status == "included", let height = outcome.height, let receipt = outcome.receipt else {
            throw CLIError.storage("node \(base): transaction \(tx.hash) is still \(outcome.status) after 120 s")
        }
        return (try block(at: height), receipt)
    }
}
