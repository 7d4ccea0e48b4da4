import DataMarketTesting
import Foundation
import Testing

/// No input makes dmctl crash: every file-taking option (and standard input where a command
/// reads it) is fed a folder, a missing path, `/dev/null` and bytes that are not UTF-8; each run
/// must exit with a documented status (0-3, never a signal) and a failure must say `error:`.
@Test func everyFileTakingOptionSurvivesFoldersMissingPathsDevNullAndBinaryBytes() async throws {
    let home = try TestHome()
    try await home.initChainAsync(keys: ["alice"])
    let scratch = CLIRunner.temporaryFolder("nocrash")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let folder = scratch.appendingPathComponent("a-folder").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let binary = scratch.appendingPathComponent("binary.bin").path
    try Data([0xFF, 0xFE, 0x00, 0xC3, 0x28, 0x80, 0x0A]).write(to: URL(fileURLWithPath: binary))
    let missing = scratch.appendingPathComponent("missing/nothing.json").path
    let inputs = [folder, missing, "/dev/null", binary]
    let hash = "0x" + String(repeating: "11", count: 32)
    let emptyHome = scratch.appendingPathComponent("empty-home").path

    let templates: [[String]] = [
        ["hash", "keccak", "@"],
        ["nft", "mint", "--class", "data", "--content-file", "@", "--key", "alice"],
        ["market", "apply", "cancer", "--file", "@", "--key", "alice"],
        ["data", "mint", "--data-file", "@", "--key", "alice"],
        ["tx", "submit", "--typed-data", "@", "--signature", "0x" + String(repeating: "00", count: 65)],
        ["tx", "sign", "@", "--key", "alice"],
        ["bounty", "create", "--key", "alice", "--token", "DMT", "--reward", "1", "--stake", "1", "--deadline-in", "60", "--classes", "2", "--dir", "@"],
        ["bounty", "submit", "--key", "alice", "--bounty", "1", "--predictions", "@", "--model-hash", hash, "--secret", scratch.appendingPathComponent("s.json").path],
        ["bounty", "reveal", "--key", "alice", "--secret", "@"],
        ["dataset", "split", "--input", "@", "--test-count", "1", "--seed", "1", "--out", scratch.appendingPathComponent("split").path],
        ["key", "new", "--name", "fromfile", "--passphrase-file", "@"],
    ]
    var cases = 0
    for template in templates {
        for input in inputs {
            let args = template.map { $0 == "@" ? input : $0 }
            let r = try await home.runAsync(args)
            cases += 1
            #expect((0...3).contains(r.status), "dmctl \(args.joined(separator: " ")) ended with \(r.status): \(r.stderr)")
            if r.status != 0 { #expect(r.stderr.hasPrefix("error:"), "dmctl \(args.joined(separator: " ")): \(r.stderr)") }
        }
    }
    // chain init reads its genesis only into a home without a chain.
    for input in inputs {
        let r = try await home.runner.runAsync(["chain", "init", "--genesis", input, "--home", emptyHome])
        cases += 1
        #expect((1...3).contains(r.status), "chain init --genesis \(input): \(r.status) \(r.stderr)")
        #expect(r.stderr.hasPrefix("error:"), "chain init --genesis \(input): \(r.stderr)")
    }
    // Standard input: a folder, /dev/null and binary bytes.
    for path in [folder, "/dev/null", binary] {
        for args in [["key", "import", "--name", "stdin-key"], ["hash", "keccak"]] {
            let r = try await home.runner.runAsync(args + ["--home", home.url.path], stdinPath: path)
            cases += 1
            #expect((0...3).contains(r.status), "dmctl \(args.joined(separator: " ")) < \(path): \(r.status) \(r.stderr)")
            if r.status != 0 { #expect(r.stderr.hasPrefix("error:"), "\(args) < \(path): \(r.stderr)") }
        }
    }
    #expect(cases >= 50)
}
