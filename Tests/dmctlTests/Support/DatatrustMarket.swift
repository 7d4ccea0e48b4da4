import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A home with a market "heart" whose authorised backend is the key "dt", a datatrust config
/// for it, and helpers to run `dmctl datatrust serve` as a separate process.
///
/// Keys: alice (DMT holder, council), dt (the datatrust's backend key), bob (data owner),
/// buyer. bob and buyer get 1,000 DMT each.
final class DatatrustMarket {
    let home: TestHome
    var folder: URL { home.url.appendingPathComponent("datatrust") }

    init(rawSQL: Bool = true) throws {
        home = try TestHome()
        try home.initChain(keys: ["alice", "dt", "bob", "buyer"])
        for who in ["bob", "buyer"] {
            try home.ok(["token", "transfer", "--token", "DMT", "--to", who, "--amount", "1000", "--key", "alice"])
        }
        try home.ok(["market", "create", "heart", "--network-token", "DMT", "--set", "voteBy=60", "--set", "councilThreshold=0", "--key", "alice"])
        try home.ok(["market", "invest", "heart", "10", "--key", "alice"])
        try home.ok(["market", "backend", "propose", "heart", "--url", "http://127.0.0.1", "--address", try home.address("dt"), "--key", "alice"])
        try home.ok(["market", "vote", "heart", "1", "yea", "--key", "alice"])
        try home.ok(["chain", "warp", "61s"])
        try home.ok(["market", "resolve", "heart", "1", "--key", "alice"])
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Only name and markets: every other setting takes its default.
        let config = """
            {"name": "dt-e2e", "markets": [{"market": "heart", "allowRawSQL": \(rawSQL),
              "schema": {"format": "csv", "columns": [{"name": "age", "type": "integer", "min": 0, "max": 120}]}}]}
            """
        try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
    }

    /// A port nothing listens on now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A running `dmctl datatrust serve`.
    struct Server {
        let process: Process
        let url: String
        let stderr: URL
        var log: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
    }

    /// Starts the server with `key` and waits until it prints "serving … on http://…" (or exits).
    /// - Parameter extra: more `serve` arguments (`--index`, `--vault`).
    func serve(key: String = "dt", port: Int? = nil, tag: String = UUID().uuidString, extra: [String] = []) throws -> Server {
        let port = port ?? Self.freePort()
        let out = home.url.appendingPathComponent("serve-\(tag).out"), err = home.url.appendingPathComponent("serve-\(tag).err")
        let process = try home.runner.start(["datatrust", "serve", "--key", key, "--port", "\(port)", "--home", home.url.path] + extra, stdout: out, stderr: err)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning, !((try? String(contentsOf: err, encoding: .utf8)) ?? "").contains(" on http://") {
            usleep(10_000)
        }
        return Server(process: process, url: "http://127.0.0.1:\(port)", stderr: err)
    }

    /// Writes `text` to a file in the home and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let url = home.url.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}
