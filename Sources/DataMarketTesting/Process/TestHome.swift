public import Foundation
public import Testing

/// A temporary dmctl state folder with helpers to run commands in it; removed on deinit.
///
/// Every helper (`okAsync`, `jsonAsync`, `objectAsync`, …) suspends the task while dmctl runs
/// instead of blocking a thread, so a parallel test run keeps its cooperative threads.
public final class TestHome: Sendable {
    /// The folder, passed to every command as `--home`.
    public let url: URL
    /// The runner every command goes through (passphrase "test passphrase").
    public let runner = CLIRunner(environment: ["DMCTL_PASSPHRASE": "test passphrase"])

    /// Creates the folder.
    public init() throws {
        url = temporaryFolder("dmctl-home")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The file-backed chain's block log.
    public var blocksLog: URL { url.appendingPathComponent("chain/blocks.log") }

    // MARK: - Without blocking a thread

    /// Runs `dmctl <args> --home <this home>` without holding a thread.
    @discardableResult
    public func runAsync(_ args: [String], env: [String: String] = [:], stdin: String? = nil) async throws -> CLIRunner.Result {
        try await runner.runAsync(args + ["--home", url.path], stdin: stdin, env: env)
    }

    /// Runs a command that must succeed and returns its standard output, without holding a thread.
    @discardableResult
    public func okAsync(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        Self.expectSuccess(try await runAsync(args), args, sourceLocation)
    }

    /// Runs a command with `--json` that must succeed and parses its output, without holding a thread.
    public func jsonAsync(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> Any {
        try Self.parse(try await okAsync(args + ["--json"], sourceLocation: sourceLocation))
    }

    /// Runs a command with `--json` whose output is an object, without holding a thread.
    public func objectAsync(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        try Self.object(try await jsonAsync(args, sourceLocation: sourceLocation), sourceLocation)
    }

    /// Creates keys `names` and a default chain whose DMT minter and holder is the first.
    public func initChainAsync(keys names: [String] = ["default"], extra: [String] = []) async throws {
        for command in Self.initCommands(names, extra) { try await okAsync(command) }
    }

    /// The address of key `name`.
    public func addressAsync(_ name: String) async throws -> String {
        try await objectAsync(["key", "show", name])["address"] as? String ?? ""
    }

    /// The chain height.
    public func heightAsync() async throws -> Int { try await objectAsync(["chain", "info"])["height"] as? Int ?? -1 }

    /// A balance in smallest units, as its decimal string.
    public func balanceAsync(_ account: String, _ token: String = "DMT") async throws -> String {
        try await objectAsync(Self.balanceCommand(account, token))["balance"] as? String ?? "?"
    }

    // MARK: - Parsing

    private static func expectSuccess(_ r: CLIRunner.Result, _ args: [String], _ sourceLocation: SourceLocation) -> String {
        #expect(r.status == 0, "dmctl \(args.joined(separator: " ")) failed: \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout
    }

    private static func parse(_ out: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(out.utf8), options: [.fragmentsAllowed])
    }

    private static func object(_ value: Any, _ sourceLocation: SourceLocation) throws -> [String: Any] {
        try #require(value as? [String: Any], "not a JSON object: \(value)", sourceLocation: sourceLocation)
    }

    private static func initCommands(_ names: [String], _ extra: [String]) -> [[String]] {
        names.map { ["key", "new", "--name", $0] } + [["chain", "init", "--key", names.first ?? "default"] + extra]
    }

    private static func balanceCommand(_ account: String, _ token: String) -> [String] {
        ["token", "balance", "--token", token, "--account", account]
    }
}

extension String {
    /// The `acked <height>` lines of a soak run, as heights.
    public var ackedHeights: [Int] {
        split(separator: "\n").compactMap { line in line.hasPrefix("acked ") ? Int(line.dropFirst(6)) : nil }
    }
}
