import ArgumentParser
import ChainNode
import Foundation
import LedgerCore

/// `dmctl node …`: serve the chain of the state folder to the network.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Serve the chain over HTTP: submit signed transactions, read state, stream blocks and events.",
        discussion: """
            The node owns the chain in <home>/chain: it accepts signed transactions (canonical RLP \
            bytes) from any client, keeps them in a bounded pending pool and builds blocks from them \
            at an interval, or at once when enough are waiting. The API is described at /openapi.json.

            Example: dmctl node serve --port 8545 --dev
            """,
        subcommands: [Serve.self])

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the chain's HTTP API (127.0.0.1 by default) until SIGINT/SIGTERM.",
            discussion: """
                Prints `node listening on http://HOST:PORT` on standard output once the port is \
                bound (with --port 0, a free port the system picks). Chain time may be warped \
                (POST /chain/warp) only with --dev.

                Example: dmctl node serve --port 8545 --dev
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

        func validate() throws {
            guard (0...65_535).contains(port) else { throw ValidationError("--port \(port): expected 0 to 65535") }
            guard blockInterval >= 1 else { throw ValidationError("--block-interval \(blockInterval): expected at least 1 ms") }
            guard maxBlockTransactions >= 1 else { throw ValidationError("--max-block-transactions \(maxBlockTransactions): expected at least 1") }
            guard maxPending >= 1 else { throw ValidationError("--max-pending \(maxPending): expected at least 1") }
            guard rateLimit >= 1 else { throw ValidationError("--rate-limit \(rateLimit): expected at least 1") }
        }

        func run() async throws {
            let chain = try ChainHome.openFolder(Home(global))
            let configuration = NodeConfiguration(
                blockIntervalMilliseconds: blockInterval, maxBlockTransactions: maxBlockTransactions, maxPendingTransactions: maxPending,
                rateLimitRequests: rateLimit, rateLimitWindowSeconds: 60, dev: dev)
            let node = try Node(chain: chain, configuration: configuration)
            await node.start()
            let host = self.host
            let chainID = chain.chainID
            let height = chain.height
            let app = NodeServer.application(for: node, host: host, port: port) { bound in
                let line = "node listening on http://\(host):\(bound) (chain \(chainID), height \(height)\(configuration.dev ? ", dev" : ""))\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
            try await app.runService()
            await node.stop()
        }
    }
}
