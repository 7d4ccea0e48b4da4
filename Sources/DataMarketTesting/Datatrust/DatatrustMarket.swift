public import Foundation
import Testing

/// A home with a market "heart" whose authorised backend is the key "dt", a datatrust config
/// for it, and helpers to run `dmctl datatrust serve` on loopback as a separate process.
///
/// Keys: alice (DMT holder, council), dt (the datatrust's backend key), bob (data owner),
/// buyer. bob and buyer get 1,000 DMT each.
public final class DatatrustMarket: Sendable {
    /// The home holding the chain, the keys and the datatrust's folder.
    public let home: TestHome
    /// The datatrust's folder (its `config.json`, vault and index).
    public var folder: URL { home.url.appendingPathComponent("datatrust") }

    private init(home: TestHome) { self.home = home }

    /// Builds the market without holding a thread.
    public static func make(rawSQL: Bool = true) async throws -> DatatrustMarket {
        let market = DatatrustMarket(home: try TestHome())
        try await market.home.initChainAsync(keys: keys)
        for command in marketCommands(dt: try await market.home.addressAsync("dt")) { try await market.home.okAsync(command) }
        try market.writeConfig(rawSQL: rawSQL)
        return market
    }

    private static let keys = ["alice", "dt", "bob", "buyer"]

    /// Funds bob and buyer, creates "heart", and authorises `dt` as its backend by a council vote.
    private static func marketCommands(dt: String) -> [[String]] {
        ["bob", "buyer"].map { ["token", "transfer", "--token", "DMT", "--to", $0, "--amount", "1000", "--key", "alice"] } + [
            ["market", "create", "heart", "--network-token", "DMT", "--set", "voteBy=60", "--set", "councilThreshold=0", "--key", "alice"],
            ["market", "invest", "heart", "10", "--key", "alice"],
            ["market", "backend", "propose", "heart", "--url", "http://127.0.0.1", "--address", dt, "--key", "alice"],
            ["market", "vote", "heart", "1", "yea", "--key", "alice"],
            ["chain", "warp", "61s"],
            ["market", "resolve", "heart", "1", "--key", "alice"],
        ]
    }

    private func writeConfig(rawSQL: Bool) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Only name and markets: every other setting takes its default.
        let config = """
            {"name": "dt-e2e", "markets": [{"market": "heart", "allowRawSQL": \(rawSQL),
              "schema": {"format": "csv", "columns": [{"name": "age", "type": "integer", "min": 0, "max": 120}]}}]}
            """
        try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
    }

    /// A port nothing listens on now (``freeLoopbackPort()``).
    public static func freePort() -> Int { freeLoopbackPort() }

    /// A running `dmctl datatrust serve`.
    public struct Server: Sendable {
        /// The server as a background process (signals, waiting, output).
        public let handle: BackgroundProcess
        /// Its base URL, `http://127.0.0.1:<port>`.
        public let url: String
        /// The child process.
        public var process: Process { handle.process }
        /// Where its standard error goes.
        public var stderr: URL { handle.stderrFile }
        /// What it has logged so far.
        public var log: String { handle.stderr }
    }

    private func launch(key: String, port: Int?, tag: String, extra: [String]) throws -> Server {
        let port = port ?? Self.freePort()
        let handle = try home.runner.background(
            ["datatrust", "serve", "--key", key, "--port", "\(port)", "--home", home.url.path] + extra, tag: "serve-\(tag)", in: home.url)
        return Server(handle: handle, url: "http://127.0.0.1:\(port)")
    }

    /// Starts the server with `key` on `port` (a free one unless given), its output in files
    /// named after `tag`, with `extra` `serve` arguments (`--index`, `--vault`), and waits,
    /// without holding a thread, until it prints "serving … on http://…" (for at most `timeout`).
    /// - Throws: ``ProcessTestError`` when it exits first or stays silent for `timeout`.
    public func serveAsync(
        key: String = "dt", port: Int? = nil, tag: String = UUID().uuidString, extra: [String] = [], timeout: Duration = .seconds(120)
    ) async throws -> Server {
        let server = try launch(key: key, port: port, tag: tag, extra: extra)
        try await server.handle.waitFor(" on http://", timeout: timeout)
        return server
    }

    /// Writes `text` to a file in the home and returns its path.
    public func file(_ name: String, _ text: String) throws -> String {
        let url = home.url.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}
