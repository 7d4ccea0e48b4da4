import Foundation
import Testing

/// The `Example:` lines of `--help` do what they say: for each command of the groups listed in
/// ``ExampleRuns/setups`` every example line is *run* by bash (redirections, `$(…)` and
/// comments as a reader's shell would take them), in order, with `dmctl` the built binary, in a
/// fresh folder and home prepared by that command's setup lines (themselves dmctl commands),
/// and must exit 0. Commands of the other groups are only parsed (`HelpExampleTests`) until
/// their examples and setups are written; ``ExampleRuns/parsedOnly`` names them.
@Suite struct ExampleRunTests {
    @Test(arguments: ExampleRuns.commands())
    func everyExampleLineOfTheCommandRunsOnAPreparedHome(_ command: ExampleRuns.Command) throws {
        let folder = CLIRunner.temporaryFolder("example-run")
        defer { try? FileManager.default.removeItem(at: folder) }
        let r = try ExampleRuns.run(command, in: folder)
        #expect(r.status == 0, "dmctl \(command.path) examples:\n\(r.output)")
    }

    @Test func everyGroupWithExamplesIsRunOrNamedAsParsedOnly() throws {
        let commands = try ExampleRuns.walked()
        var ran = 0
        for command in commands where !command.lines.isEmpty {
            let group = command.path.split(separator: " ").first.map(String.init) ?? ""
            if ExampleRuns.parsedOnly.contains(group) { continue }
            #expect(ExampleRuns.setups[command.path] != nil, "dmctl \(command.path) has examples but no setup in ExampleRuns.setups")
            ran += command.lines.count
        }
        #expect(ran >= 60, "only \(ran) example lines run")
    }
}

/// The commands whose examples are run, and how each one's folder is prepared.
enum ExampleRuns {
    /// A command of the help tree and the example lines of its `--help`.
    struct Command: Sendable, CustomTestStringConvertible {
        /// The words after `dmctl` ("" for the root).
        let path: String
        /// The example lines as printed (continuations joined), shell syntax kept.
        let lines: [String]
        var testDescription: String { "dmctl \(path)".trimmingCharacters(in: .whitespaces) }
    }

    /// Groups whose examples are only parsed so far (they need listings, rounds or servers
    /// that no setup here prepares yet).
    static let parsedOnly: Set<String> = [
        "market", "datatrust", "node", "bounty", "databounty", "data", "usage", "portfolio", "model", "eval", "pool",
    ]

    /// Commands of the parsed-only groups whose examples do run, with their setups.
    static let runInParsedOnlyGroups: Set<String> = ["market create", "bounty", "bounty create", "bounty show"]

    static let alice = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  // 0xf39F…2266
    static let bob = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"    // 0x7099…79C8

    static func keys(_ names: String...) -> [String] { names.map { "dmctl key new --name \($0)" } }
    static func chain(_ names: String...) -> [String] {
        names.map { "dmctl key new --name \($0)" } + ["dmctl chain init --key \(names[0])"]
    }
    static let threeNFTs = (1...3).map { "printf 'item \($0)\\n' > item\($0).txt && dmctl nft mint --class data --content-file item\($0).txt --key alice" }
    static let heKeys = ["dmctl he keygen --bits 1024 --out keys", "printf '1\\n-2.5\\n3\\n' > values.csv",
                         "dmctl he encrypt --key keys/public.json --input values.csv > values.jsonl"]
    static let packed = (1...3).map { "dmctl he encrypt --key keys/public.json --packed --bits 32 --parties 5 --range 8 -- 0.5,-\($0) > p\($0).json" }

    /// Setup lines (bash, `dmctl` the built binary) per command path.
    static let setups: [String: [String]] = [
        "": [],
        "key": [], "key new": [], "key list": keys("alice"), "key show": keys("alice"), "key export": keys("alice"),
        "chain": [], "chain init": [], "chain info": chain("default"), "chain blocks": chain("default"),
        "chain events": chain("alice", "bob") + ["dmctl token transfer --token DMT --to bob --amount 1 --key alice"],
        "chain verify": chain("default"), "chain warp": chain("default"),
        "token": chain("alice", "bob"), "token create": chain("alice"), "token mint": chain("minter", "bob"),
        "token burn": chain("minter"), "token transfer": chain("alice"), "token approve": chain("alice", "market-bot"),
        "token transfer-from": chain("alice", "market-bot", "carol")
            + ["dmctl token approve --token DMT --spender market-bot --amount 50 --key alice"],
        "token balance": chain("alice", "bob"), "token allowance": chain("alice", "market-bot"),
        "token supply": chain("default"), "token list": chain("default"),
        "nft": chain("alice"), "nft mint": chain("alice", "bob") + ["dmctl nft mint --class data --content-file Data/breast_cancer.csv --key bob"],
        "nft transfer": chain("alice", "carol") + threeNFTs, "nft approve": chain("alice", "market-bot") + threeNFTs,
        "nft show": chain("alice") + threeNFTs, "nft list": chain("alice", "bob"),
        "stream": chain("alice", "bob"), "stream open": chain("alice", "bob"),
        "stream claim": chain("alice", "bob") + ["dmctl stream open --to bob --token DMT --amount 100 --start +1m --end +1d --key alice", "dmctl chain warp 2h"],
        "stream cancel": chain("alice", "bob") + ["dmctl stream open --to bob --token DMT --amount 100 --start +1m --end +1d --key alice"],
        "stream show": chain("alice", "bob") + ["dmctl stream open --to bob --token DMT --amount 100 --start +1m --end +1d --key alice"],
        "stream list": chain("alice", "bob"),
        "tx": ["echo \(bob) | dmctl key import --name bob", "dmctl key new --name alice", "dmctl chain init --genesis Examples/genesis.json"],
        "tx build": ["dmctl chain init --genesis Examples/genesis.json"],
        "tx sign": ["echo \(bob) | dmctl key import --name bob", "dmctl key new --name alice", "dmctl chain init --genesis Examples/genesis.json",
                    "dmctl tx build --from bob token transfer --token DMT --to alice --amount 5 > transfer.json"],
        "tx submit": ["echo \(bob) | dmctl key import --name bob", "dmctl key new --name alice", "dmctl chain init --genesis Examples/genesis.json",
                      "dmctl tx build --from bob token transfer --token DMT --to alice --amount 5 > transfer.json"],
        "hash": ["printf 'age,diagnosis\\n61,1\\n' > shard-1.csv"], "hash keccak": ["printf 'age,diagnosis\\n61,1\\n' > shard-1.csv"],
        "sign": keys("alice"), "verify": ["echo \(alice) | dmctl key import --name alice"],
        "he": [], "he keygen": [], "he encrypt": heKeys,
        "he decrypt": heKeys + ["dmctl he encrypt --key keys/public.json 2.5 > sum.json"],
        "he add": heKeys + packed + ["dmctl he encrypt --key keys/public.json 1 > a.json", "dmctl he encrypt --key keys/public.json 2 > b.json"],
        "he mul": heKeys + ["dmctl he encrypt --key keys/public.json 1.5 > a.json"],
        "he dot": heKeys + (1...3).map { "dmctl he encrypt --key keys/public.json \($0) > x\($0).json" },
        "dataset": [], "dataset split": [],
        "bounty": chain("req") + ["dmctl dataset split --input Data/breast_cancer.csv --test-count 143 --seed 7 --out bounty1"],
        "bounty create": chain("req") + ["dmctl dataset split --input Data/breast_cancer.csv --test-count 143 --seed 7 --out bounty1"],
        "bounty show": chain("req") + ["dmctl dataset split --input Data/breast_cancer.csv --test-count 143 --seed 7 --out bounty1",
                                       "dmctl bounty create --key req --token DMT --reward 10 --stake 1 --deadline-in 3600 --classes 2 --dir bounty1"],
        "market create": chain("alice"),
        "amounts": [],
    ]

    /// The repository root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every command of the help tree with its example lines.
    static func walked() throws -> [Command] {
        try HelpTests.walk(CLIRunner(environment: ["COLUMNS": "10000"])).map { Command(path: $0.path.joined(separator: " "), lines: shellLines(in: $0.help)) }
    }

    /// The commands whose examples run (the test's arguments); none if help cannot be read.
    static func commands() -> [Command] {
        ((try? walked()) ?? []).filter { command in
            guard !command.lines.isEmpty else { return false }
            let group = command.path.split(separator: " ").first.map(String.init) ?? ""
            return !parsedOnly.contains(group) || runInParsedOnlyGroups.contains(command.path)
        }
    }

    /// The lines of an `Example:` section that a reader would type: `dmctl …` and `export …`,
    /// continuation lines joined.
    static func shellLines(in help: String) -> [String] {
        guard let start = help.range(of: "Example:") else { return [] }
        let end = help.range(of: "\nUSAGE:", range: start.upperBound..<help.endIndex)?.lowerBound ?? help.endIndex
        var joined: [String] = []
        var pending: String?
        for raw in help[start.upperBound..<end].split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let full = pending.map { $0 + " " + line } ?? line
            if full.hasSuffix("\\") {
                pending = String(full.dropLast()).trimmingCharacters(in: .whitespaces)
            } else {
                pending = nil
                joined.append(full)
            }
        }
        return joined.filter { $0.hasPrefix("dmctl ") || $0.hasPrefix("export ") }
    }

    /// Runs `command`'s setup and then its examples in one bash process in `folder`; the
    /// output says which line failed and with what status.
    static func run(_ command: Command, in folder: URL) throws -> (status: Int32, output: String) {
        var script = """
            export DMCTL_HOME="$PWD/home" DMCTL_PASSPHRASE='test passphrase'
            dmctl() { "$DMCTL_BIN" "$@"; }
            ln -s "$ROOT/Data" Data && ln -s "$ROOT/Examples" Examples && ln -s "$ROOT/Tests" Tests

            """
        for line in setups[command.path] ?? [] {
            script += "( \(line) ) >/dev/null || { s=$?; echo \(quoted("setup failed: " + line)) \"(status $s)\"; exit 90; }\n"
        }
        for line in command.lines {
            script += "echo \(quoted("$ " + line))\n"
            script += "\(line)\n"
            script += "s=$?; [ $s -eq 0 ] || { echo \(quoted("example failed: " + line)) \"(status $s)\"; exit 91; }\n"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["DMCTL_BIN"] = CLIRunner().binary.path
        environment["ROOT"] = root.path
        environment["DMCTL_HOME"] = nil
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: (try out.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// `text` as one single-quoted bash word.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
