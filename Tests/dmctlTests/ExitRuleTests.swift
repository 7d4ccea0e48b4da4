import DataMarketTesting
import Foundation
import Testing

/// The exit-status and whole-number rules hold in the corners found last: a missing dataset is
/// a missing file (3) like everywhere else; `bounty create` names a bad amount before it looks
/// at `--dir`; ports, limits and intervals are range-checked before anything starts.
@Suite struct ExitRuleTests {
    @Test func datasetSplitOfAMissingOrUnreadableFileIsStorageStatus3AndWritesNothing() async throws {
        let home = try TestHome()
        let out = home.url.appendingPathComponent("split")
        for input in [home.url.appendingPathComponent("missing.csv").path, home.url.path] {
            let r = try await home.runAsync(["dataset", "split", "--input", input, "--test-count", "10", "--out", out.path])
            #expect(r.status == 3, "\(input): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: --input: cannot read") && r.stderr.contains("expected a readable labelled CSV file"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // Bad content is still usage, status 2.
        let bad = home.url.appendingPathComponent("bad.csv")
        try Data("1,2,x\n".utf8).write(to: bad)
        let r = try await home.runAsync(["dataset", "split", "--input", bad.path, "--test-count", "1", "--out", out.path])
        #expect(r.status == 2 && r.stderr.contains("--input"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func bountyCreateNamesABadAmountBeforeAMissingDirAndChangesNothing() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["req"])
        let height = try await home.heightAsync()
        let missing = home.url.appendingPathComponent("no-such-split").path
        for (option, value) in [("--reward", "-5"), ("--reward", "ten"), ("--stake", "0.0000000000000000001")] {
            var args = ["bounty", "create", "--key", "req", "--token", "DMT", "--reward", "10", "--stake", "1", "--deadline-in", "3600",
                        "--classes", "2", "--dir", missing]
            if let i = args.firstIndex(of: option) { args[i + 1] = value }
            let r = try await home.runAsync(args)
            #expect(r.status == 2, "\(option) \(value): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: \(option)") && r.stderr.contains("expected"), "\(option) \(value): \(r.stderr)")
        }
        // Good amounts, missing folder: now the folder is named, as a missing file (3).
        let r = try await home.runAsync(["bounty", "create", "--key", "req", "--token", "DMT", "--reward", "10", "--stake", "1", "--deadline-in", "3600",
                              "--classes", "2", "--dir", missing])
        #expect(r.status == 3 && r.stderr.contains("no-such-split"), "\(r.stderr)")
        #expect(try await home.heightAsync() == height)
    }

    @Test func portsLimitsAndIntervalsOutsideTheirRangeAreUsageErrorsThatNameTheOption() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["host"])
        let cases: [([String], String, String)] = [
            (["model", "serve", "--key", "host", "--port", "0"], "--port", "from 1 to 65535"),
            (["model", "serve", "--key", "host", "--port", "70000"], "--port", "from 1 to 65535"),
            (["model", "serve", "--key", "host", "--port", "-1"], "--port", "from 1 to 65535"),
            (["model", "serve", "--key", "host", "--report-interval", "0"], "--report-interval", "from 1 to 86400"),
            (["model", "serve", "--key", "host", "--rate-limit", "-4"], "--rate-limit", "at least 1"),
            (["model", "serve", "--key", "host", "--rate-window", "0"], "--rate-window", "from 1 to 86400"),
            (["datatrust", "serve", "--key", "host", "--port", "0"], "--port", "from 1 to 65535"),
            (["datatrust", "serve", "--key", "host", "--port", "65536"], "--port", "from 1 to 65535"),
            (["datatrust", "serve", "--key", "host", "--port", "-8080"], "--port", "from 1 to 65535"),
            (["node", "serve", "--follow", "http://127.0.0.1:9", "--forward-retry-ms", "999"], "--forward-retry-ms", "from 1000 to 86400000"),
            (["node", "serve", "--follow", "http://127.0.0.1:9", "--forward-retry-ms", "86400001"], "--forward-retry-ms", "from 1000 to 86400000"),
            (["model", "run", "--model", "m.onnx", "--input", "in.csv", "--limit", "-3"], "--limit", "at least 0"),
            (["chain", "blocks", "--limit", "0"], "--limit", "from 1 to 100000"),
            (["chain", "blocks", "--limit", "-2"], "--limit", "from 1 to 100000"),
        ]
        for (args, option, expected) in cases {
            let r = try await home.runAsync(args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: \(option):") && r.stderr.contains("expected a whole number \(expected)"), "\(args): \(r.stderr)")
        }
        // The refused server created nothing in the home.
        #expect(!FileManager.default.fileExists(atPath: home.url.appendingPathComponent("modelhost").path))
        #expect(!FileManager.default.fileExists(atPath: home.url.appendingPathComponent("datatrust").path))
    }
}
