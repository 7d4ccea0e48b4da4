import Foundation
import Testing

/// A temporary dmctl state folder with helpers to run commands in it; removed on deinit.
final class TestHome {
    let url: URL
    let runner = CLIRunner(environment: ["DMCTL_PASSPHRASE": "test passphrase"])

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("dmctl-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    var blocksLog: URL { url.appendingPathComponent("chain/blocks.log") }

    /// Runs `dmctl <args> --home <this home>`.
    @discardableResult
    func run(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runner.run(args + ["--home", url.path], env: env)
    }

    /// Runs a command that must succeed and returns its standard output.
    @discardableResult
    func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try run(args)
        #expect(r.status == 0, "dmctl \(args.joined(separator: " ")) failed: \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout
    }

    /// Runs a command with `--json` that must succeed and parses its output.
    func json(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let out = try ok(args + ["--json"], sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(out.utf8), options: [.fragmentsAllowed])
    }

    /// Runs a command with `--json` whose output is an object.
    func object(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        let value = try json(args, sourceLocation: sourceLocation)
        return try #require(value as? [String: Any], "not a JSON object: \(value)", sourceLocation: sourceLocation)
    }

    /// Creates keys `names` and a default chain whose DMT minter and holder is the first.
    func initChain(keys names: [String] = ["default"], extra: [String] = []) throws {
        for name in names { try ok(["key", "new", "--name", name]) }
        try ok(["chain", "init", "--key", names[0]] + extra)
    }

    /// The address of key `name`.
    func address(_ name: String) throws -> String {
        try object(["key", "show", name])["address"] as? String ?? ""
    }

    /// The chain height.
    func height() throws -> Int { try object(["chain", "info"])["height"] as? Int ?? -1 }

    /// A balance in smallest units, as its decimal string.
    func balance(_ account: String, _ token: String = "DMT") throws -> String {
        try object(["token", "balance", "--token", token, "--account", account])["balance"] as? String ?? "?"
    }
}

extension String {
    /// The `acked <height>` lines of a soak run, as heights.
    var ackedHeights: [Int] {
        split(separator: "\n").compactMap { line in line.hasPrefix("acked ") ? Int(line.dropFirst(6)) : nil }
    }
}
