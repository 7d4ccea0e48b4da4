import DataMarketTesting
import Foundation
import Testing

/// Every dmctl command, found by walking the SUBCOMMANDS sections of `--help` from the root, so
/// a command added later is checked without editing this file.
@Suite struct HelpTests {
    /// One command of the tree and what its `--help` printed.
    struct Command {
        let path: [String]
        let help: String
        let status: Int32
        let subcommands: [String]
        var name: String { (["dmctl"] + path).joined(separator: " ") }
    }

    /// The names listed under `SUBCOMMANDS:` (two-space indent; wrapped abstracts are deeper).
    static func subcommands(in help: String) -> [String] {
        var names: [String] = []
        var inSection = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("SUBCOMMANDS:") { inSection = true; continue }
            guard inSection else { continue }
            if !line.isEmpty, !line.hasPrefix(" ") { break }
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let first = line.dropFirst(2).split(separator: " ").first,
                  first.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }) else { continue }
            names.append(String(first))
        }
        return names.filter { $0 != "help" }
    }

    static func walk(_ runner: CLIRunner, _ path: [String] = []) async throws -> [Command] {
        let r = try await runner.runAsync(path + ["--help"])
        let subs = subcommands(in: r.stdout)
        var all = [Command(path: path, help: r.stdout, status: r.status, subcommands: subs)]
        for sub in subs { all += try await walk(runner, path + [sub]) }
        return all
    }

    @Test func everyCommandExplainsItselfWithAnExampleAndEveryLeafTakesJSON() async throws {
        let commands = try await Self.walk(CLIRunner())
        // The tree really was walked (key, chain, token, ... and their commands).
        #expect(commands.count > 100, "found only \(commands.map(\.name))")
        #expect(commands.contains { $0.path == ["market", "backend", "propose"] })
        #expect(commands.contains { $0.path == ["he", "keygen"] })
        for c in commands {
            #expect(c.status == 0, "\(c.name) --help exited \(c.status)")
            #expect(c.help.contains("OVERVIEW:"), "\(c.name) --help has no abstract")
            #expect(c.help.contains("Example"), "\(c.name) --help has no example")
            // Every command that reads an amount states the rule.
            if c.help.contains("--raw") {
                let text = c.help.split(whereSeparator: \.isWhitespace).joined(separator: " ")  // help wraps at any width
                #expect(text.contains("token units") && text.contains("smallest units"), "\(c.name) takes amounts without stating the rule")
            }
            if c.subcommands.isEmpty {
                #expect(c.help.contains("--json"), "\(c.name) has no --json")
                #expect(c.help.contains("--home"), "\(c.name) has no --home")
            }
        }
    }

    @Test func rootHelpStatesTheExitStatuses() async throws {
        let r = try await CLIRunner().runAsync(["--help"])
        #expect(r.status == 0)
        let text = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")  // help wraps at any width
        #expect(text.contains("Exit status: 0 success, 1 refused by the protocol, 2 usage (a malformed value, an unknown name, a wrong passphrase), 3 storage, I/O or network"))
        #expect(text.contains("error: <what>: <why>; expected <what>"))
        #expect(text.contains("--generate-completion-script"))
    }

    @Test func anUnknownCommandIsAUsageErrorWithStatus2() async throws {
        let r = try await CLIRunner().runAsync(["no-such-command"])
        #expect(r.status == 2)
        #expect(!r.stderr.isEmpty)
    }
}
