import DataMarketTesting
import Foundation
import Testing

/// Runs each program in `Examples/` (built beside the test bundle as an executable target of
/// the package) and checks that it finishes with status 0 and prints the lines that show it did
/// its job, so the examples keep compiling and keep working.
@Suite struct ExamplesTests {
    /// Runs the example `name` (built beside the test bundle) with `arguments`, without holding a thread.
    static func run(_ name: String, _ arguments: [String] = []) async throws -> CLIRunner.Result {
        try await CLIRunner(executable: CLIRunner.builtProduct(name)).runAsync(arguments)
    }

    /// Runs the example `name`, expects status 0, every line of `printed` in its output, and an
    /// output ending with `last`.
    static func expectRuns(_ name: String, printing printed: [String], last: String? = nil,
                           sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let r = try await run(name)
        #expect(r.status == 0, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        for line in printed { #expect(r.stdout.contains(line), "\(name) did not print \(line)", sourceLocation: sourceLocation) }
        if let last { #expect(r.stdout.hasSuffix(last), "\(name) did not end with \(last)", sourceLocation: sourceLocation) }
    }

    @Test func paillierQuickStartComputesOnCiphertextsAndRoundTripsPheJSON() async throws {
        try await Self.expectRuns("PaillierQuickStart", printing: [
            "42 + (-17)                   = 25",
            "3.25 * 4 (plaintext)         = 13.0",
            "E(v) . w                     = 2.0",  // 1.5·2 − 2·0.5 + 0.25·4 − 10·0.1
            "decrypted after reload       = 2.0",
            "w . x + b (encrypted)        = -1.3",
            "same key after reload:       true",
            "refused: ",
        ], last: "PaillierQuickStart: done\n")
    }

    @Test func marketRoundListsTheDataAndPaysTheOwnerForCompute() async throws {
        try await Self.expectRuns("MarketRound", printing: [
            "council: 3 members",
            "listed true",
            "chain verified:",
        ], last: "MarketRound: done\n")
    }

    @Test func modelBountyRoundSlashesTheInflatedClaimAndPaysTheHonestBest() async throws {
        try await Self.expectRuns("ModelBountyRound", printing: [
            "569 rows, 30 features",
            "carol slashed: scoreMismatch",
            "outcome: paid, winner alice",
        ], last: "ModelBountyRound: done\n")
    }

    @Test func modelBountyRoundRefusesAMissingDataFileWithStatus1() async throws {
        let r = try await Self.run("ModelBountyRound", ["/nonexistent/breast_cancer.csv"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("ModelBountyRound failed:"))
    }

    @Test func encryptedModelScoringPredictsTheSameClassOnCiphertexts() async throws {
        try await Self.expectRuns("EncryptedModelScoring", printing: [
            "operators: Scaler, LinearClassifier",
            "host computed 3 encrypted class scores from 13 encrypted features",
            "; equal",
        ], last: "EncryptedModelScoring: done\n")
    }

    @Test func datatrustClientSessionLogsInAddsReadsBackAndQueriesPrivately() async throws {
        try await Self.expectRuns("DatatrustClientSession", printing: [
            "markets supported: heart (csv)",
            "Keccak-256 matches: true",
            "usage reported: true",
            "datatrust session done",
        ])
    }
}
