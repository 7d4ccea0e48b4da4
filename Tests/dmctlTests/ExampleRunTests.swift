import DataMarketTesting
import Foundation
import Testing

/// Every `Example:` line of every `--help` in the tree runs: the commands are found by walking
/// the built binary's help (so a new command is picked up without editing anything here), and
/// for each one bash runs, in a fresh folder, the setup function that
/// `Fixtures/example-setups.sh` names after it and then every example line as printed
/// (redirections, `$(…)` and `# comments` as a reader's shell takes them), which must all exit 0.
/// A `dmctl … serve` line runs in the background on the port it names while the lines after it
/// run, then gets SIGTERM and must exit 0. A command with examples but no setup fails.
@Suite struct ExampleRunTests {
    @Test(arguments: await ExampleRuns.commands())
    func everyExampleLineOfTheCommandRunsOnAPreparedHome(_ command: ExampleRuns.Command) async throws {
        let folder = CLIRunner.temporaryFolder("example-run")
        defer { try? FileManager.default.removeItem(at: folder) }
        let r = try await ExampleRuns.run(command, in: folder)
        #expect(r.status == 0, "dmctl \(command.path) examples:\n\(r.output)")
        if r.status == 0 { print("ran \(command.lines.count) example line(s) of \(command.testDescription)") }
    }

    @Test func everyCommandWithExamplesHasASetupAndTheTreeHasEnoughLines() async throws {
        let commands = try await ExampleRuns.walked()
        let setups = try ExampleRuns.setupFunctions()
        var lines = 0
        for command in commands where !command.lines.isEmpty {
            #expect(setups.contains(command.setupFunction), "dmctl \(command.path) has examples but no \(command.setupFunction) in example-setups.sh")
            lines += command.lines.count
        }
        #expect(commands.contains { $0.path == "market attest" && !$0.lines.isEmpty })
        #expect(lines >= 150, "only \(lines) example lines in the help tree")
        // The runner itself: a line that fails is reported with its status.
        let folder = CLIRunner.temporaryFolder("example-run")
        defer { try? FileManager.default.removeItem(at: folder) }
        let failing = try await ExampleRuns.run(.init(path: "key list", lines: ["dmctl key show nobody"]), in: folder)
        #expect(failing.status == 91 && failing.output.contains("example failed with status 2: dmctl key show nobody"), "\(failing.output)")
    }
}

/// Reading the help tree's examples and running them.
enum ExampleRuns {
    /// A command of the help tree and the example lines of its `--help`.
    struct Command: Sendable, CustomTestStringConvertible {
        /// The words after `dmctl` ("" for the root).
        let path: String
        /// The example lines as printed (continuations joined), shell syntax kept.
        let lines: [String]
        var testDescription: String { "dmctl \(path)".trimmingCharacters(in: .whitespaces) }
        /// The bash function of example-setups.sh that prepares its folder.
        var setupFunction: String {
            path.isEmpty ? "setup_dmctl" : "setup_" + path.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
        }
    }

    /// The repository root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The setups file.
    static let setups = root.appendingPathComponent("Tests/dmctlTests/Fixtures/example-setups.sh")
    /// Where the prepared worlds of this test process are cached (small: homes of a few hundred KB).
    static let cache = CLIRunner.temporaryFolder("example-worlds")

    /// Every command of the help tree with its example lines.
    static func walked() async throws -> [Command] {
        try await HelpTests.walk(CLIRunner(environment: ["COLUMNS": "10000"])).map {
            Command(path: $0.path.joined(separator: " "), lines: HelpExamples.shellLines(in: $0.help))
        }
    }

    /// The commands with examples (the test's arguments); none if help cannot be read.
    static func commands() async -> [Command] { ((try? await walked()) ?? []).filter { !$0.lines.isEmpty } }

    /// The names of the `setup_…` functions defined in the setups file.
    static func setupFunctions() throws -> Set<String> {
        let text = try String(contentsOf: setups, encoding: .utf8)
        return Set(text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("setup_"), let end = line.range(of: "()") else { return nil }
            return String(line[..<end.lowerBound])
        })
    }

    /// Runs `command`'s setup and then its examples in one bash process in `folder`; the
    /// output says which line failed and with what status (90 setup, 91 example, 92 a server's
    /// shutdown).
    static func run(_ command: Command, in folder: URL) async throws -> (status: Int32, output: String) {
        var script = """
            exec 2>&1
            export DMCTL_HOME="$PWD/home" DMCTL_PASSPHRASE='test passphrase'
            source "$SETUPS" || exit 89
            trap 'stop_servers' EXIT
            link_repository || exit 89
            if ! declare -F \(command.setupFunction) >/dev/null; then echo 'no \(command.setupFunction) in example-setups.sh'; exit 90; fi
            \(command.setupFunction) >setup.log 2>&1 || { s=$?; echo 'setup failed: \(command.setupFunction)' "(status $s)"; tail -20 setup.log; exit 90; }

            """
        for line in command.lines {
            script += "run_example \(quoted(line)) || exit 91\n"
        }
        script += "stop_servers || exit 92\n"
        let bash = CLIRunner(executable: URL(fileURLWithPath: "/bin/bash"), environment: [
            "DMCTL_BIN": CLIRunner().binary.path, "ROOT": root.path, "SETUPS": setups.path, "EXAMPLE_CACHE": cache.path,
        ], workingDirectory: folder)
        let r = try await bash.runAsync(["-c", script])
        return (r.status, r.stdout + r.stderr)
    }

    /// `text` as one single-quoted bash word.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
