import ChainNode
import Foundation
import Hummingbird
import LedgerCore

/// The node's ingest rate: signed transfers submitted over HTTP by 8 concurrent clients through
/// ``RemoteNode`` (the generated client), one request per transfer (`POST /transactions`, raw
/// octet-stream bodies) and in batches of ``batchSize`` (`POST /transactions/batch`, for clients
/// that have several), against the same node taking the same pre-signed transfers in process
/// (`Node.submit` after recovering the sender, as the handler does), each on a fresh
/// file-backed chain. Every clock runs from the first submission until the last transaction of
/// every sender is included; best of 3 rounds each, alternating. Target: HTTP ≥ 0.5x in-process.
enum NodeBench {
    static let clients = 8
    static let perClient = 250
    static let batchSize = 50

    final class Box<T>: @unchecked Sendable { var value: T?; init() {} } // written once before the semaphore signals

    static func run() throws {
        Bench.section("node: signed transfers ingested, \(clients) concurrent clients × \(perClient), file store, blocks of ≤ 500")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dm-node-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let senders = (0..<clients).map { PrivateKey.derived(seed: 7, label: "node-bench/\($0)") }
        let sink = PrivateKey.derived(seed: 7, label: "node-bench/sink").address
        let dmt = try TokenID("DMT")
        // The transfers, signed once: signing is the clients' cost, not the node's.
        let transactions: [[SignedTransaction]] = try senders.map { key in
            try (0..<perClient).map { nonce in
                try SignedTransaction.sign(
                    LedgerModule.Call.transfer(token: dmt, to: sink, amount: 1), for: LedgerModule.self, chainID: 77, nonce: UInt64(nonce), with: key)
            }
        }
        let genesis = GenesisConfig(chainID: 77, timestamp: 1_750_000_000, tokens: [
            .init(symbol: dmt, name: "DataMarket Token", balances: senders.map { .init(account: $0.address, amount: 1_000_000) })
        ])
        let configuration = NodeConfiguration(
            blockIntervalMilliseconds: 20, maxBlockTransactions: 500, maxPendingTransactions: 100_000, rateLimitRequests: 10_000_000)
        var run = 0
        let rounds = 3
        func freshNode() throws -> Node {
            run += 1
            let store = try FileBlockStore(folder: root.appendingPathComponent("chain-\(run)"))
            let chain = try Chain.create(genesis: genesis, store: store, clock: ManualClock(1_750_000_000))
            return try Node(chain: chain, configuration: configuration)
        }

        let result = Box<(Double, Double, Double)>()
        let done = DispatchSemaphore(value: 0)
        let port = 19_000 + Int(getpid() % 1000)
        let nodes = try (0..<3 * rounds).map { _ in try freshNode() }
        Task {
            defer { done.signal() }
            do {
                // Best of `rounds`, alternating, each on a fresh chain.
                var inProcess = Double.infinity, overHTTP = Double.infinity, batched = Double.infinity
                for round in 0..<rounds {
                    inProcess = min(inProcess, try await ingestInProcess(nodes[3 * round], transactions))
                    overHTTP = min(overHTTP, try await ingestOverHTTP(nodes[3 * round + 1], transactions, port: port + 2 * round, batch: 1))
                    batched = min(batched, try await ingestOverHTTP(nodes[3 * round + 2], transactions, port: port + 2 * round + 1, batch: batchSize))
                }
                result.value = (inProcess, overHTTP, batched)
            } catch {
                print("node benchmark failed: \(error)")
            }
        }
        done.wait()
        if let (inProcess, overHTTP, batched) = result.value {
            let count = Double(clients * perClient)
            Bench.row("transfers over HTTP (\(clients) clients)", value: Bench.rate(overHTTP / count, unit: " tx/s"),
                      baseline: "in process \(Bench.rate(inProcess / count, unit: " tx/s"))", ratio: inProcess / overHTTP, target: "≥ 0.5x")
            Bench.row("transfers over HTTP in batches of \(batchSize) (\(clients) clients)", value: Bench.rate(batched / count, unit: " tx/s"),
                      baseline: "in process \(Bench.rate(inProcess / count, unit: " tx/s"))", ratio: inProcess / batched, target: "≥ 0.5x")
        }
    }

    /// Seconds until every transfer, submitted to `node` in process by one task per sender, is included.
    static func ingestInProcess(_ node: Node, _ transactions: [[SignedTransaction]]) async throws -> Double {
        await node.start()
        return try await timedIngest(node, transactions) { list in
            for tx in list { _ = try await node.submit(tx, sender: try tx.recoverSender()) }
        }
    }

    /// Seconds until every transfer, handed to `submit` by one task per sender in nonce order
    /// (in runs of the caller's choosing), is included; then stops the node and checks every
    /// transfer landed.
    static func timedIngest(
        _ node: Node, _ transactions: [[SignedTransaction]], submit: @escaping @Sendable ([SignedTransaction]) async throws -> Void
    ) async throws -> Double {
        let t0 = Bench.now()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for list in transactions {
                group.addTask {
                    try await submit(list)
                    _ = try await node.waitForOutcome(of: list[list.count - 1].hash, timeout: .seconds(120))
                }
            }
            try await group.waitForAll()
        }
        let seconds = Double(Bench.now() - t0) / 1e9
        await node.stop()
        try check(node, transactions)
        return seconds
    }

    /// Seconds until every transfer, POSTed to `node` served on `port` by one client per sender
    /// (one per request when `batch` is 1, else `batch` per `POST /transactions/batch`), is included.
    static func ingestOverHTTP(_ node: Node, _ transactions: [[SignedTransaction]], port: Int, batch: Int) async throws -> Double {
        await node.start()
        let app = NodeServer.application(for: node, port: port)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        guard let base = URL(string: "http://127.0.0.1:\(port)/") else { throw BenchFailure(text: "no URL for port \(port)") }
        // The one client of the node's API (generated from its document, over async-http-client).
        let remote = RemoteNode(base: base)
        for _ in 0..<100 {
            if (try? await remote.head()) != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await timedIngest(node, transactions) { list in
            if batch <= 1 {
                for tx in list {
                    let outcome = try await remote.submit(tx)
                    guard outcome.status != "refused" else { throw BenchFailure(text: "POST /transactions refused \(tx.hash): \(outcome.detail ?? "")") }
                }
                return
            }
            for start in stride(from: 0, to: list.count, by: batch) {
                let results = try await remote.submit(batch: Array(list[start..<min(start + batch, list.count)]))
                if let refused = results.first(where: { $0.status == "refused" }) {
                    throw BenchFailure(text: "POST /transactions/batch refused \(refused.hash): \(refused.detail ?? "")")
                }
            }
        }
    }

    struct BenchFailure: Error { let text: String }

    /// Every transfer was included: each sender's nonce is its count.
    static func check(_ node: Node, _ transactions: [[SignedTransaction]]) throws {
        for list in transactions {
            let sender = try list[0].recoverSender()
            guard node.chain.nonce(of: sender) == UInt64(list.count) else {
                throw BenchFailure(text: "\(sender): nonce \(node.chain.nonce(of: sender)), expected \(list.count) transfers included")
            }
        }
    }
}
