import DataMarketTesting
import Foundation
import Testing

/// Runs each program in `Examples/` (built beside the test bundle as an executable target of
/// the package) and checks that it finishes with status 0 and prints the lines that show it did
/// its job, so the examples keep compiling and keep working.
@Suite struct ExamplesTests {
    /// The built example called `name`: beside the test bundle, else in `.build/debug`.
    static func binary(_ name: String) -> URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug").appendingPathComponent(name)
    }

    /// Runs the example `name` with `arguments` and returns its status and output.
    static func run(_ name: String, _ arguments: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = binary(name)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus,
                (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    @Test func paillierQuickStartComputesOnCiphertextsAndRoundTripsPheJSON() throws {
        let r = try Self.run("PaillierQuickStart")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("42 + (-17)                   = 25"))
        #expect(r.stdout.contains("3.25 * 4 (plaintext)         = 13.0"))
        #expect(r.stdout.contains("E(v) . w                     = 2.0"))          // 1.5·2 − 2·0.5 + 0.25·4 − 10·0.1
        #expect(r.stdout.contains("decrypted after reload       = 2.0"))
        #expect(r.stdout.contains("w . x + b (encrypted)        = -1.3"))
        #expect(r.stdout.contains("same key after reload:       true"))
        #expect(r.stdout.contains("refused: "))
        #expect(r.stdout.hasSuffix("PaillierQuickStart: done\n"))
    }

    @Test func marketRoundListsTheDataAndPaysTheOwnerForCompute() throws {
        let r = try Self.run("MarketRound")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("council: 3 members"))
        #expect(r.stdout.contains("listed true"))
        #expect(r.stdout.contains("chain verified:"))
        #expect(r.stdout.hasSuffix("MarketRound: done\n"))
    }

    @Test func modelBountyRoundSlashesTheInflatedClaimAndPaysTheHonestBest() throws {
        let r = try Self.run("ModelBountyRound")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("569 rows, 30 features"))
        #expect(r.stdout.contains("carol slashed: scoreMismatch"))
        #expect(r.stdout.contains("outcome: paid, winner alice"))
        #expect(r.stdout.hasSuffix("ModelBountyRound: done\n"))
    }

    @Test func modelBountyRoundRefusesAMissingDataFileWithStatus1() throws {
        let r = try Self.run("ModelBountyRound", ["/nonexistent/breast_cancer.csv"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("ModelBountyRound failed:"))
    }

    @Test func encryptedModelScoringPredictsTheSameClassOnCiphertexts() throws {
        let r = try Self.run("EncryptedModelScoring")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("operators: Scaler, LinearClassifier"))
        #expect(r.stdout.contains("host computed 3 encrypted class scores from 13 encrypted features"))
        #expect(r.stdout.contains("; equal"))
        #expect(r.stdout.hasSuffix("EncryptedModelScoring: done\n"))
    }

    @Test func datatrustClientSessionLogsInAddsReadsBackAndQueriesPrivately() throws {
        let r = try Self.run("DatatrustClientSession")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("markets supported: heart (csv)"))
        #expect(r.stdout.contains("Keccak-256 matches: true"))
        #expect(r.stdout.contains("usage reported: true"))
        #expect(r.stdout.contains("datatrust session done"))
    }
}
