import DataMarketTesting
import Foundation
import Testing

/// The README's tour (`scripts/tour.sh`, run by `make demo`) must keep working.
@Test func tourScriptRunsToTheEndWithTheBuiltBinary() async throws {
    let bash = CLIRunner(executable: URL(fileURLWithPath: "/bin/bash"), workingDirectory: PackageRoot.url)
    let r = try await bash.runAsync([PackageRoot.file("scripts/tour.sh").path, CLIRunner().binary.path])
    #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
    #expect(r.stdout.contains("tour finished") || r.stderr.contains("tour finished"))
}

/// The README's tour block, run as it stands by bash in an empty folder (with `dmctl` the built
/// binary): it must create every name and file it uses, and every line must succeed.
@Test func readmeTourBlockIsSelfContainedAndRuns() async throws {
    let readme = try String(contentsOf: PackageRoot.file("README.md"), encoding: .utf8)
    let tour = try #require(readme.range(of: "## A five-minute tour of dmctl"))
    let open = try #require(readme.range(of: "```sh\n", range: tour.upperBound..<readme.endIndex))
    let close = try #require(readme.range(of: "```", range: open.upperBound..<readme.endIndex))
    let block = String(readme[open.upperBound..<close.lowerBound])
    #expect(block.contains("dmctl chain init"))
    let folder = CLIRunner.temporaryFolder("readme-tour")
    defer { try? FileManager.default.removeItem(at: folder) }
    let script = "set -euo pipefail\nexport DMCTL_HOME=\"$PWD/home\"\ndmctl() { \"$DMCTL_BIN\" \"$@\"; }\n" + block
    let bash = CLIRunner(executable: URL(fileURLWithPath: "/bin/bash"), environment: ["DMCTL_BIN": CLIRunner().binary.path],
                         workingDirectory: folder)
    let r = try await bash.runAsync(["-c", "exec 2>&1\n" + script])
    #expect(r.status == 0, "\(r.stdout)")
    #expect(r.stdout.contains("StreamClaim"))
}

/// The root `--help` example, run line by line as printed on a fresh home: it must succeed and
/// leave alice holding DMT (the default genesis funds the key given to `chain init`).
@Test func rootHelpExampleRunsAndLeavesAliceFunded() async throws {
    let help = try await CLIRunner().runAsync(["--help"]).stdout
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
        let r = try await home.runAsync(args)
        #expect(r.status == 0, "\(line): \(r.stderr)")
        balance = r.stdout
    }
    let object = try #require(try JSONSerialization.jsonObject(with: Data(balance.utf8)) as? [String: Any])
    #expect(object["balance"] as? String == "1000000000000000000000000")
}
