import ChainNode
import Dispatch
import Foundation
import LedgerCore

/// The synchronous face of ``ChainNode/RemoteNode`` (the one client of the node's API, generated
/// from its OpenAPI document) for the commands under `--node URL`: the one submit path of the
/// mutating commands, the reads, and the genesis, state and blocks that ``NodeReplicaStore``
/// opens the node's chain from. It adds no HTTP of its own: it waits for the client's answer
/// and turns a ``ChainNode/RemoteNodeError`` into the ``CLIError`` (and exit status) a local
/// command would give.
struct NodeClient {
    /// The node's base URL.
    let base: URL
    /// The client every request goes through.
    let node: RemoteNode

    /// A client of the node at `base`.
    init(base: URL) {
        self.base = base
        node = RemoteNode(base: base)
    }

    /// Runs one request of `node` and waits for its answer.
    private func run<T: Sendable>(_ what: String, _ request: @escaping @Sendable (RemoteNode) async throws -> T) throws -> T {
        let node = self.node
        let result = try Blocking.wait { () async -> Result<T, RemoteNodeError> in
            do { return .success(try await request(node)) } catch {
                // RemoteNode throws only RemoteNodeError.
                return .failure(error as? RemoteNodeError ?? .unexpected(request: what, reason: "\(error)"))
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error): throw cliError(error, what)
        }
    }

    /// The CLI error for what the node answered to `what`.
    private func cliError(_ error: RemoteNodeError, _ what: String) -> CLIError {
        switch error {
        case .answered(_, let status, let code, let detail):
            let text = code.isEmpty ? detail : "\(code): \(detail)"
            switch status {
            case 400, 404, 413: return .usage("node refused \(what) (\(status)): \(text)")
            case 422, 403: return .refused(text)
            default: return .storage("node answered \(what) with \(status): \(text)")
            }
        case .unreachable(let reason): return .storage("node \(base): \(what) failed: \(reason)")
        case .unexpected, .badBlock: return .storage("node \(base): \(what): \(error)")
        }
    }

    /// The node's head.
    func head() throws -> NodeAPI.Head { try run("GET /head") { try await $0.head() } }

    /// An account's nonces and balances.
    func account(_ address: Address) throws -> NodeAPI.Account { try run("GET /accounts") { try await $0.account(address) } }

    /// The block at `height`, decoded from its canonical bytes (roots checked).
    func block(at height: UInt64) throws -> Block {
        guard let block = try blockIfAny(at: height) else {
            throw CLIError.usage("node refused GET /blocks/\(height) (404): the node has no block \(height)")
        }
        return block
    }

    /// The block at `height`, or nil when the node has none there yet.
    func blockIfAny(at height: UInt64) throws -> Block? { try run("GET /blocks/\(height)") { try await $0.block(at: height) } }

    /// Every block from `height` to the node's head, a page at a time.
    func blocks(from height: UInt64) throws -> [Block] {
        try run("GET /blocks?from=\(height)") { node in
            var out: [Block] = []
            var next: UInt64? = height
            while let from = next {
                let page = try await node.blockPage(from: from)
                out += try page.blocks.map { body throws(RemoteNodeError) in try RemoteNode.block(from: body) }
                next = page.next
            }
            return out
        }
    }

    /// The configuration the node's chain started from.
    func genesis() throws -> GenesisConfig { try run("GET /genesis") { try await $0.genesis() } }

    /// The node's whole state at its head, canonically encoded.
    func state() throws -> NodeAPI.StateSnapshot { try run("GET /state") { try await $0.state() } }

    /// Moves the dev node's chain time forward by `seconds` in an empty block.
    func warp(by seconds: UInt64) throws -> NodeAPI.BlockBody { try run("POST /chain/warp") { try await $0.warp(by: seconds) } }

    /// Submits `tx` and waits until it is included (returns its block and receipt) or refused (throws).
    func submitAndWait(_ tx: SignedTransaction) throws -> (Block, Receipt) {
        let outcome = try run("POST /transactions") { try await $0.submit(tx, waitSeconds: 120) }
        if outcome.status == "refused" {
            throw CLIError.refused("\(outcome.error ?? "refused"): \(outcome.detail ?? "")")
        }
        guard outcome.status == "included", let height = outcome.height, let receipt = outcome.receipt else {
            throw CLIError.storage("node \(base): transaction \(tx.hash) is still \(outcome.status) after 120 s")
        }
        return (try block(at: height), receipt)
    }
}

/// Waits in synchronous code (the `BlockStore` that reads a node, the commands' one submit
/// path) for asynchronous work. The work runs on a serial queue of its own (a task executor)
/// rather than on the cooperative pool, so the wait cannot starve the pool the caller may be
/// blocking a thread of.
enum Blocking {
    /// Runs `work` and returns its result once it is done.
    static func wait<T: Sendable>(_ work: @escaping @Sendable () async -> T) throws -> T {
        let box = Box<T>()
        if #available(macOS 15.0, *) {
            Task(executorPreference: QueueExecutor()) {
                box.value = await work()
                box.done.signal()
            }
        } else {
            Task.detached {
                box.value = await work()
                box.done.signal()
            }
        }
        box.done.wait()
        guard let value = box.value else { throw CLIError.storage("a request to the node ended without an answer") }
        return value
    }

    /// The result, written once by the task before `done` is signalled.
    private final class Box<T>: @unchecked Sendable {
        // @unchecked: `value` is written once by the task before it signals `done`, and read
        // only after waiting on `done`.
        var value: T?
        let done = DispatchSemaphore(value: 0)
    }

    /// A task executor running jobs one at a time on a dispatch queue of its own.
    @available(macOS 15.0, *)
    private final class QueueExecutor: TaskExecutor {
        private let queue = DispatchQueue(label: "dmctl.node-client")

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            let executor = asUnownedTaskExecutor()
            queue.async { job.runSynchronously(on: executor) }
        }
    }
}
