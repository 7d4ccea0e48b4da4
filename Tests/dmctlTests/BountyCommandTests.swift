import DataMarketTesting
import Foundation
import Testing
import LedgerCore
import ModelMarketKit

/// End to end through the built binary: a model bounty on breast_cancer.csv where an inflated
/// claim is slashed and the honest trainer is paid.
@Suite struct BountyCommandTests {
    let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("dmctl-bounty-\(UUID().uuidString)")
    let env = ["DMCTL_PASSPHRASE": "correct horse battery staple"]
    let keys = (1...3).map { n in (try? PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [UInt8(n)])) ?? PrivateKey.generate() }

    func dmctl(_ args: [String], stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let r = try await CLIRunner().runAsync(args + ["--home", folder.path], stdin: stdin, env: env)
        #expect(r.status == 0, "dmctl \(args.joined(separator: " ")): \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout
    }

    /// Moves the home's clock forward as `dmctl` sees it (the chain-CLI's warp command lives on another branch).
    func warp(_ seconds: UInt64) throws {
        let chain = try Chain.open(store: try FileBlockStore(folder: folder.appendingPathComponent("chain")),
                                   modules: [ModelBountyModule.self, DataBountyModule.self],
                                   clock: WallClock(offsetFile: folder.appendingPathComponent("chain/clock-offset")))
        try chain.warp(by: seconds)
    }

    @Test func modelBountyRoundThroughTheCLI() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let dmt = try TokenID("DMT")
        var builder = TestChain.startedAgo(10, chainID: 31337)
        builder.fund(dmt, keys.map { ($0.address, 1_000_000) })
        _ = try builder.build(inFolder: folder.appendingPathComponent("chain"))
        for (name, key) in zip(["req", "alice", "bob"], keys) {
            _ = try await dmctl(["key", "import", "--name", name], stdin: Hex.encode(key.bytes))
        }
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/breast_cancer.csv")
        let split = folder.appendingPathComponent("split").path
        let out = try await dmctl(["dataset", "split", "--input", data.path, "--test-count", "143", "--seed", "7", "--out", split, "--json"])
        #expect(out.contains("\"test\" : 143"))
        _ = try await dmctl(["bounty", "create", "--key", "req", "--token", "DMT", "--reward", "1000", "--stake", "100", "--raw",
                       "--deadline-in", "3600", "--classes", "2", "--dir", split])
        // Trainers: alice with the reference learner, bob with a weak one (he will inflate his claim).
        let publication = try BountyPublication(dataset: try LabeledDataset.load(contentsOf: data), testCount: 143, seed: 7)
        let good = LogisticRegression.train(features: publication.train.features, labels: publication.train.labels).predict(publication.test.features)
        let weak = [Int64](repeating: 1, count: 143)
        for (name, values) in [("alice", good), ("bob", weak)] {
            let file = folder.appendingPathComponent("\(name)-preds.json")
            try JSONEncoder().encode(["values": values]).write(to: file)
            _ = try await dmctl(["bounty", "submit", "--key", name, "--bounty", "1", "--predictions", file.path,
                           "--model-hash", Keccak256.hash(name).hex, "--secret", folder.appendingPathComponent("\(name).secret.json").path])
        }
        try warp(3600)
        let late = try await CLIRunner().runAsync(["bounty", "submit", "--key", "req", "--bounty", "1", "--predictions", folder.appendingPathComponent("bob-preds.json").path,
                                        "--model-hash", Keccak256.hash("x").hex, "--secret", folder.appendingPathComponent("x.json").path, "--home", folder.path], env: env)
        #expect(late.status == 1 && late.stderr.contains("submission window closed at"))
        _ = try await dmctl(["bounty", "truth", "--key", "req", "--secret", "\(split)/truth-secret.json"])
        _ = try await dmctl(["bounty", "claim", "--key", "alice", "--secret", folder.appendingPathComponent("alice.secret.json").path])
        _ = try await dmctl(["bounty", "claim", "--key", "bob", "--secret", folder.appendingPathComponent("bob.secret.json").path, "--score", "10000"])
        try warp(900)
        _ = try await dmctl(["bounty", "pick", "--key", "alice", "--bounty", "1"])
        let slashed = try await dmctl(["bounty", "reveal", "--key", "bob", "--secret", folder.appendingPathComponent("bob.secret.json").path])
        #expect(slashed.contains("Slashed") && slashed.contains("reason=scoreMismatch"))
        let paid = try await dmctl(["bounty", "reveal", "--key", "alice", "--secret", folder.appendingPathComponent("alice.secret.json").path])
        #expect(paid.contains("Paid"))
        let show = try await dmctl(["bounty", "show", "1", "--json"])
        #expect(show.contains("\"phase\" : \"paid\"") && show.contains(keys[1].address.checksummed))
        let chain = try Chain.open(store: try FileBlockStore(folder: folder.appendingPathComponent("chain")), modules: [ModelBountyModule.self, DataBountyModule.self])
        #expect(chain.state.ledger.balance(of: keys[1].address, in: dmt) == UInt256(1_000_000 + 1100))
        #expect(chain.state.ledger.balance(of: keys[2].address, in: dmt) == UInt256(1_000_000 - 100))
    }
}
