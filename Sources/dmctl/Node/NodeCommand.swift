import ArgumentParser
import ChainNode
import Foundation
import LedgerCore
import Logging
import ServiceLifecycle
import UnixSignals

/// `dmctl node …`: serve the chain of the state folder to the network.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Serve the chain over HTTP: submit signed transactions, read state, stream blocks and events.",
        discussion: """
            The node owns the chain in <home>/chain: it accepts signed transactions (canonical RLP \
            bytes) from any client, keeps them in a bounded pending pool and builds blocks from them \
            at an interval, or at once when enough are waiting. The API is described at /openapi.json.

            With --follow URL the node is a verifying follower of the node at URL: it replicates \
            that node's blocks into <home>/chain (created from the leader's genesis on first start), \
            checks every block by replaying it before serving it, serves the same reads, and \
            forwards submitted transactions to the leader.

            Example: dmctl node serve --port 8545 --dev
            Example: dmctl node serve --port 8546 --follow http://127.0.0.1:8545 --home ./follower
            """,
        subcommands: [Serve.self])

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the chain's HTTP API (127.0.0.1 by default) until SIGINT/SIGTERM.",
            discussion: """
                Prints `node listening on http://HOST:PORT` on standard output once the port is \
                bound (with --port 0, a free port the system picks). Chain time may be warped \
                (POST /chain/warp) only with --dev.

                On SIGTERM or SIGINT the node stops admitting transactions (503), builds the ready \
                pending transactions into a last block (ones waiting behind a nonce gap are \
                forgotten: resubmit them), answers every waiting client, ends every open /stream, \
                and exits 0 within about two seconds. A follower forwards what is submitted to it; \
                when its leader restarts without a forwarded transaction, the follower hands it \
                over again, and reports it dropped (forwardLost) only after a minute without a leader.

                With --follow URL: a verifying follower of the node at URL. On first start <home>/chain \
                is created from the leader's genesis; after a restart (even a SIGKILL) replication \
                resumes from the blocks already stored. Every block is replayed and checked (hash chain, \
                signatures, receipts) before it is served; a block that does not verify is refused, \
                logged with its height and reason, and shown in GET /head under "following"; the \
                follower then stops advancing. What a follower forwards is recorded in \
                <home>/node/forwarded.journal before it is handed to the leader, until a replicated \
                block holds it or it is refused: a follower restarted (even after a SIGKILL) reports \
                those transactions pending again and hands any its leader lost over again.

                Example: dmctl node serve --port 8545 --dev
                Example: dmctl node serve --port 8546 --follow http://127.0.0.1:8545 --forward-retry-ms 10000 --home ./follower
                """)
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Address to bind.") var host = "127.0.0.1"
        @Option(name: .long, help: "Port to listen on (0: any free port).") var port = 8545
        @Flag(name: .long, help: "A development node: chain time may be warped.") var dev = false
        @Option(name: .long, help: ArgumentHelp("Build a block at least this often while transactions wait.", valueName: "ms"))
        var blockInterval: UInt64 = 200
        @Option(name: .long, help: ArgumentHelp("Most transactions in one block; a block is built at once when this many are ready.", valueName: "n"))
        var maxBlockTransactions = 500
        @Option(name: .long, help: ArgumentHelp("Most transactions waiting in the pool (429 beyond).", valueName: "n"))
        var maxPending = 10_000
        @Option(name: .long, help: ArgumentHelp("Requests one client IP may make per minute (429 beyond).", valueName: "n"))
        var rateLimit = 20_000
        @Option(name: .long, help: ArgumentHelp("Be a verifying follower of the node at this URL.", valueName: "url"))
        var follow: String?
        @Option(name: .long, help: ArgumentHelp(
            "With --follow: how long forwarded transactions stay pending while the leader cannot be reached before they are reported dropped (forwardLost), 1000 to 86400000.",
            valueName: "ms"))
        var forwardRetryMs: UInt64 = NodeConfiguration().forwardRetryMilliseconds

        func validate() throws {
            guard (0...65_535).contains(port) else { throw ValidationError("--port \(port): expected 0 to 65535") }
            guard blockInterval >= 1 else { throw ValidationError("--block-interval \(blockInterval): expected at least 1 ms") }
            guard maxBlockTransactions >= 1 else { throw ValidationError("--max-block-transactions \(maxBlockTransactions): expected at least 1") }
            guard maxPending >= 1 else { throw ValidationError("--max-pending \(maxPending): expected at least 1") }
            guard rateLimit >= 1 else { throw ValidationError("--rate-limit \(rateLimit): expected at least 1") }
            if let follow {
                guard let url = URL(string: follow), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw ValidationError("--follow \(follow): expected a node's base URL such as http://127.0.0.1:8545")
                }
                guard !dev else { throw ValidationError("--dev with --follow: a follower's chain time is its leader's; start the leader with --dev") }
            }
        }

        func run() async throws {
            // Before anything is opened or asked of a leader: one second to one day.
            try WholeNumberRule.check(forwardRetryMs, in: 1_000...86_400_000, field: "--forward-retry-ms")
            let configuration = NodeConfiguration(
                blockIntervalMilliseconds: blockInterval, maxBlockTransactions: maxBlockTransactions, maxPendingTransactions: maxPending,
                rateLimitRequests: rateLimit, rateLimitWindowSeconds: 60, dev: dev, forwardRetryMilliseconds: forwardRetryMs)
            let chain: Chain
            let node: Node
            if let follow, let url = URL(string: follow) {
                let leader = RemoteNode(base: url)
                chain = try await Self.followerChain(Home(global), leader: leader)
                do {
                    node = try Node(following: leader, chain: chain, configuration: configuration, forwardJournal: Self.forwardJournal(Home(global)))
                } catch let error as ForwardJournalError {
                    throw CLIError.storage("\(error)")
                }
                await node.startFollowing()
            } else {
                chain = try ChainHome.openFolder(Home(global))
                node = try Node(chain: chain, configuration: configuration)
                await node.start()
            }
            let host = self.host
            let chainID = chain.chainID
            let height = chain.height
            let app = NodeServer.application(for: node, host: host, port: port) { bound in
                let role = follow.map { ", following \($0)" } ?? (configuration.dev ? ", dev" : "")
                let line = "node listening on http://\(host):\(bound) (chain \(chainID), height \(height)\(role))\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
            // SIGTERM/SIGINT shut the node down first (last block from the ready pool, waiters
            // answered, live feeds finished), then the HTTP server; a stream still open after
            // that is cancelled, so the process exits within a couple of seconds.
            var group = ServiceGroupConfiguration(
                services: [.init(service: app), .init(service: NodeShutdownService(node: node))],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "datamarket.node.services"))
            group.maximumGracefulShutdownDuration = .seconds(2)
            try await ServiceGroup(configuration: group).run()
            await node.shutdown()
        }

        /// Where a follower keeps the transactions it forwarded that are not yet in a
        /// replicated block: `<home>/node/forwarded.journal`.
        static func forwardJournal(_ home: Home) -> URL {
            home.url.appendingPathComponent("node", isDirectory: true).appendingPathComponent("forwarded.journal")
        }

        /// The follower's chain in `home`: the one stored there (its genesis must be the
        /// leader's), or a new one from the leader's genesis.
        static func followerChain(_ home: Home, leader: RemoteNode) async throws -> Chain {
            // A follower started beside its leader (a script starting both at once, a host
            // rebooting) waits for the leader to listen, up to a minute, rather than giving up.
            var fetched: GenesisConfig?
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: .seconds(60))
            var pause = Duration.milliseconds(100)
            var told = false
            while fetched == nil {
                do {
                    fetched = try await leader.genesis()
                } catch RemoteNodeError.unreachable(let reason) where clock.now < deadline {
                    if !told { Output.note("--follow: waiting for the leader (\(reason))"); told = true }
                    try await Task.sleep(for: pause)
                    pause = min(pause * 2, .seconds(2))
                } catch {
                    throw CLIError.storage("--follow: cannot read the leader's genesis: \(error)")
                }
            }
            guard let genesis = fetched else { throw CLIError.storage("--follow: the leader sent no genesis") }
            // No block 0 yet (a new folder, or a first start killed half-way): start from the
            // leader's genesis; the store starts a cut-short initialisation over.
            guard try FileBlockStore(folder: home.chain).block(at: 0) != nil else {
                return try ChainHome.create(home, genesis: genesis)
            }
            let chain = try ChainHome.openFolder(home)
            guard chain.genesis == genesis else {
                throw CLIError.usage(
                    "--follow: \(home.chain.path) holds chain \(chain.chainID) with genesis \(try chain.genesis.hash()); the leader's is chain \(genesis.chainID) with genesis \(try genesis.hash()); use an empty --home for a new follower")
            }
            return chain
        }
    }
}

/// Shuts the node down when its service group begins a graceful shutdown (SIGTERM, SIGINT).
/// Listed after the HTTP server, it is shut down before it (a group shuts its services down in
/// reverse order), so waiting clients get their answer and live feeds end while the server
/// still writes.
struct NodeShutdownService: Service {
    /// The node to shut down.
    let node: Node

    func run() async throws {
        // Returns once graceful shutdown begins; throws when the group is cancelled instead.
        try? await gracefulShutdown()
        await node.shutdown()
    }
}
