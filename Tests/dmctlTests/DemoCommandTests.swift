import DataMarketTesting
import Foundation
import Testing

/// What the tests read from `dmctl demo --json`.
private struct DemoOutput: Decodable {
    struct Event: Decodable {
        let height: UInt64
        let module: String
        let kind: String
        let accounts: [String]
        let fields: [String: String]
    }

    struct Summary: Decodable {
        struct Market: Decodable {
            let listed: [String]
            let removed: [String]
            let flippedOwner: String
        }

        struct Queries: Decodable {
            let sqlRows: [[String]]
            let privateResult: String
            let usageReports: Int
            let rewardsMinted: [String: String]
        }

        struct Entry: Decodable {
            let trainer: String
            let claimed: Int64
            let actual: Int64
            let outcome: String
        }

        struct ModelBounty: Decodable {
            let entries: [Entry]
            let winner: String
            let winnerScore: Int64
            let slashed: [String]
            let model: UInt64
            let uses: Int
        }

        struct Round: Decodable {
            let round: UInt64
            let error: UInt64
        }

        struct DataBounty: Decodable {
            let mode: String
            let accuracy: Double
            let referenceAccuracy: Double
            let ciphertexts: Int
            let values: Int
            let valuesPerCiphertext: Int
            let targetError: UInt64
            let rounds: [Round]
            let targetReached: Bool
            let payouts: [String: String]
        }

        struct Balance: Decodable {
            let name: String
            let address: String
            let dmt: String
        }

        let market: Market
        let queries: Queries
        let modelBounty: ModelBounty
        let dataBounty: DataBounty
        let stateHash: String
        let blocks: UInt64
        let transactions: Int
        let verified: Bool
        let balances: [Balance]
    }

    let events: [Event]
    let summary: Summary
}

/// `dmctl demo`, the README's first command, played by the built binary (about 7 s a run in a
/// debug build, so the determinism check plays it twice).
@Suite(.serialized) struct DemoCommandTests {
    static let seed = "7"

    @Test func demoDataBountyMatchesScikitLearnOnItsSplit() async throws {
        // Seed 42's split is the one scripts/sklearn_databounty_reference.py scored.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let reference = try JSONSerialization.jsonObject(
            with: Data(contentsOf: root.appendingPathComponent("Data/breast_cancer.databounty-reference.json"))) as? [String: Any]
        let sklearn = try #require(reference?["accuracy"] as? Double)
        let result = try await CLIRunner().runAsync(["demo", "--seed", "42", "--json"])
        try #require(result.status == 0, "\(result.stderr)")
        let s = try JSONDecoder().decode(DemoOutput.self, from: Data(result.stdout.utf8)).summary
        #expect(s.dataBounty.accuracy >= sklearn - 0.01, "secure \(s.dataBounty.accuracy), scikit-learn \(sklearn)")
        #expect(s.dataBounty.referenceAccuracy >= sklearn - 0.01)
        let table = try await CLIRunner().runAsync(["demo", "--seed", "42"])
        #expect(table.stdout.contains("validation accuracy 97.35 % (plaintext reference learner 97.35 %)"))
    }

    @Test func demoPlaysAWholeRoundAndIsDeterministic() async throws {
        // Run from a folder outside the package: Data/ must be found from the executable's path.
        let elsewhere = CLIRunner.temporaryFolder("dmctl-demo-cwd")
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let first = try await CLIRunner(workingDirectory: elsewhere).runAsync(["demo", "--seed", Self.seed, "--json"])
        try #require(first.status == 0, "\(first.stderr)")
        let out = try JSONDecoder().decode(DemoOutput.self, from: Data(first.stdout.utf8))
        let s = out.summary

        // The label-flipped listing was challenged and removed; the others stay listed.
        #expect(s.market.flippedOwner == "owner-4")
        #expect(s.market.removed == ["owner-4"])
        #expect(s.market.listed == ["owner-1", "owner-2", "owner-3"])
        #expect(out.events.contains { $0.module == "market" && $0.kind == "ChallengeSucceeded" })
        #expect(out.events.filter { $0.module == "market" && $0.kind == "Attested" }.count == 4)

        // The buyer's two queries were reported on chain and minted access rewards.
        #expect(s.queries.usageReports == 2)
        #expect(s.queries.sqlRows.count == 2)
        #expect(!s.queries.privateResult.isEmpty)
        #expect(s.queries.rewardsMinted.count == 3)
        #expect(s.queries.rewardsMinted.values.allSatisfy { $0.hasPrefix("2 ") })
        #expect(out.events.filter { $0.module == "market" && $0.kind == "JobReported" }.count == 2)

        // The inflated claim was slashed; the honest best was paid.
        let inflated = try #require(s.modelBounty.entries.first { $0.claimed > $0.actual })
        #expect(inflated.outcome.hasPrefix("slashed"))
        #expect(s.modelBounty.slashed == [inflated.trainer])
        let honestBest = s.modelBounty.entries.filter { $0.claimed == $0.actual }.map(\.actual).max()
        #expect(s.modelBounty.winnerScore == honestBest)
        #expect(s.modelBounty.entries.first { $0.trainer == s.modelBounty.winner }?.outcome == "paid")
        #expect(out.events.contains { $0.module == "bounty" && $0.kind == "Slashed" && $0.fields["reason"] == "scoreMismatch" })
        #expect(out.events.contains { $0.module == "bounty" && $0.kind == "Paid" })
        #expect(out.events.contains { $0.module == "roles" && $0.kind == "ModelMinted" })
        #expect(out.events.filter { $0.module == "roles" && $0.kind == "ModelUsed" }.count == s.modelBounty.uses)

        // The data bounty reached its target and paid every owner.
        #expect(s.dataBounty.targetReached)
        #expect(s.dataBounty.rounds.last.map { $0.error <= s.dataBounty.targetError } == true)
        #expect(s.dataBounty.payouts.count == 5)
        #expect(s.dataBounty.payouts.values.allSatisfy { $0.hasPrefix("+") && $0 != "+0 DMT" })
        #expect(out.events.contains { $0.module == "databounty" && $0.kind == "DataBountyFinalized" })
        // Exact secure aggregation with packed ciphertexts, its accuracy beside the reference's.
        #expect(s.dataBounty.mode == "exact secure aggregation (packed)")
        #expect(s.dataBounty.accuracy >= 0.95 && s.dataBounty.referenceAccuracy >= 0.95)
        #expect(s.dataBounty.valuesPerCiphertext >= 31 && s.dataBounty.ciphertexts * 31 == s.dataBounty.values)

        // The chain replays to the same state.
        #expect(s.verified)
        #expect(s.blocks > 0 && s.transactions > 0)
        #expect(out.events.allSatisfy { $0.height < s.blocks })

        // Determinism and bad input: the same seed in a --home folder gives the same state hash
        // and balances; a second demo into that folder is refused with exit 2.
        let home = CLIRunner.temporaryFolder("dmctl-demo-home")
        defer { try? FileManager.default.removeItem(at: home) }
        let second = try await CLIRunner().runAsync(["demo", "--seed", Self.seed, "--json", "--home", home.path])
        try #require(second.status == 0, "\(second.stderr)")
        let again = try JSONDecoder().decode(DemoOutput.self, from: Data(second.stdout.utf8))
        #expect(again.summary.stateHash == s.stateHash)
        #expect(again.summary.balances.map(\.dmt) == s.balances.map(\.dmt))
        #expect(again.events.count == out.events.count)
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent("chain").path))
        let refused = try await CLIRunner().runAsync(["demo", "--seed", Self.seed, "--home", home.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("already holds a chain"))
    }

    @Test func demoRefusesAMissingDataFileWithStatusThree() async throws {
        let result = try await CLIRunner().runAsync(["demo", "--data", "/nonexistent/breast_cancer.csv"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("--data: cannot read /nonexistent/breast_cancer.csv"))
    }

    @Test func aFailingPhaseIsNamedWithItsStepAndReason() async throws {
        // A file where the chain folder should be: the accounts phase cannot create the chain.
        let home = CLIRunner.temporaryFolder("dmctl-demo-broken")
        defer { try? FileManager.default.removeItem(at: home) }
        try Data("not a folder".utf8).write(to: home.appendingPathComponent("chain"))
        let result = try await CLIRunner().runAsync(["demo", "--home", home.path])
        #expect(result.status == 3)
        #expect(result.stderr.contains("demo phase 'accounts' failed at step 'create the chain in \(home.appendingPathComponent("chain").path)'"), "\(result.stderr)")
    }

    @Test func demoRefusesAnUnsupportedKeySize() async throws {
        let result = try await CLIRunner().runAsync(["demo", "--paillier-bits", "512"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--paillier-bits: 512 is not supported"))
    }
}
