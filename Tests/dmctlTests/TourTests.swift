import DataMarketTesting
import Foundation
import Testing

/// The README's tour (`scripts/tour.sh`, run by `make demo`) must keep working.
@Test func tourScriptRunsToTheEndWithTheBuiltBinary() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [root.appendingPathComponent("scripts/tour.sh").path, CLIRunner().binary.path]
    process.currentDirectoryURL = root
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(text)")
    #expect(text.contains("tour finished"))
}

/// The README's tour block, run as it stands by bash in an empty folder (with `dmctl` the built
/// binary): it must create every name and file it uses, and every line must succeed.
@Test func readmeTourBlockIsSelfContainedAndRuns() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let tour = try #require(readme.range(of: "## A five-minute tour of dmctl"))
    let open = try #require(readme.range(of: "```sh\n", range: tour.upperBound..<readme.endIndex))
    let close = try #require(readme.range(of: "```", range: open.upperBound..<readme.endIndex))
    let block = String(readme[open.upperBound..<close.lowerBound])
    #expect(block.contains("dmctl chain init"))
    let folder = CLIRunner.temporaryFolder("readme-tour")
    defer { try? FileManager.default.removeItem(at: folder) }
    let script = "set -euo pipefail\nexport DMCTL_HOME=\"$PWD/home\"\ndmctl() { \"$DMCTL_BIN\" \"$@\"; }\n" + block
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", script]
    process.currentDirectoryURL = folder
    var environment = ProcessInfo.processInfo.environment
    environment["DMCTL_BIN"] = CLIRunner().binary.path
    process.environment = environment
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let text = String(decoding: (try out.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(text)")
    #expect(text.contains("StreamClaim"))
}

/// The root `--help` example, run line by line as printed on a fresh home: it must succeed and
/// leave alice holding DMT (the default genesis funds the key given to `chain init`).
@Test func rootHelpExampleRunsAndLeavesAliceFunded() throws {
    let help = try CLIRunner().run(["--help"]).stdout
    let example = try #require(help.range(of: "Example:"))
    // Up to the blank line that ends the example (kept by the split, so the subcommand list,
    // whose wrapped abstracts may start with "dmctl", is not read as example lines).
    let lines = help[example.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }.drop { $0.isEmpty }.prefix { !$0.isEmpty }
    #expect(lines.count >= 3)
    let home = try TestHome()
    var balance = ""
    for line in lines where line.hasPrefix("dmctl ") {
        let args = line.dropFirst("dmctl ".count).split(separator: " ").map(String.init)
        let r = try home.run(args)
        #expect(r.status == 0, "\(line): \(r.stderr)")
        balance = r.stdout
    }
    let object = try #require(try JSONSerialization.jsonObject(with: Data(balance.utf8)) as? [String: Any])
    #expect(object["balance"] as? String == "1000000000000000000000000")
}
