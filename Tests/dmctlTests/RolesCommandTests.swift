import DataMarketTesting
import Foundation
import Testing
import LedgerCore
import MarketKit

/// A deterministic test key.
private func testKey(_ n: UInt8) throws -> PrivateKey { try PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [n]) }

@Test func rolesCommandsRunAWholeCycleThroughTheBuiltBinary() async throws {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("dmctl-roles-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: home) }
    let cli = CLIRunner(environment: ["DMCTL_PASSPHRASE": "roles test passphrase"])
    func dm(_ args: [String], stdin: String? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await cli.runAsync(args + ["--home", home.path], stdin: stdin)
    }
    func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let r = try await dm(args + ["--json"])
        #expect(r.status == 0, "dmctl \(args.joined(separator: " ")) failed: \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout
    }

    // Keys for the data owner, the curator, the trainer and two users.
    let names = ["alice", "carol", "trent", "dave", "erin"]
    var keys: [String: PrivateKey] = [:]
    for (i, name) in names.enumerated() {
        let k = try testKey(UInt8(101 + i))
        keys[name] = k
        let hex = k.bytes.map { String(format: "%02x", $0) }.joined()
        #expect(try await dm(["key", "import", "--name", name], stdin: hex).status == 0)
    }
    // A chain in the home folder with 1,000 DMT each (made in-process: chain init is another branch's command).
    let dmt = try TokenID("DMT")
    let start = UInt256(1_000).multipliedFullWidth(by: 1_000_000_000_000_000_000).low
    let genesis = GenesisConfig(chainID: 31_337, timestamp: UInt64(Date().timeIntervalSince1970), tokens: [
        .init(symbol: dmt, name: "DataMarket Token", balances: names.compactMap { keys[$0] }.map { .init(account: $0.address, amount: start) })
    ])
    let chainFolder = home.appendingPathComponent("chain", isDirectory: true)
    _ = try Chain.create(genesis: genesis, modules: [MarketModule.self, RolesModule.self], store: try FileBlockStore(folder: chainFolder),
                         clock: WallClock(offsetFile: chainFolder.appendingPathComponent("clock-offset")))

    // Upload and disclose.
    let csv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Data/breast_cancer.csv")
    let minted = try await ok(["data", "mint", "--data-file", csv.path, "--name", "wdbc", "--key", "alice"])
    let data = try #require(eventField(minted, kind: "DataMinted", "data"))
    #expect(eventField(minted, kind: "DataMinted", "dataHash") == Keccak256.hash(Array(try Data(contentsOf: csv))).hex)
    _ = try await ok(["data", "disclose", data, "--abstract", "569 biopsies", "--tag", "tabular", "--tag", "wdbc", "--referenceable", "--key", "alice"])

    // Curate: a bad entry is a usage error (exit 2); the real one mints the portfolio.
    #expect(try await dm(["portfolio", "create", "--entry", "\(data)=10000", "--bonus-token", "DMT", "--key", "carol"]).status == 2)
    let weights = try await dm(["portfolio", "create", "--entry", "\(data):9999", "--bonus-token", "DMT", "--key", "carol"])
    #expect(weights.status == 1)
    #expect(weights.stderr.contains("sum to 9999 basis points, expected exactly 10000"))
    let created = try await ok(["portfolio", "create", "--entry", "\(data):10000", "--bonus-token", "DMT", "--name", "all of wdbc", "--key", "carol"])
    let portfolio = try #require(eventField(created, kind: "PortfolioCreated", "portfolio"))
    #expect(try await ok(["portfolio", "show", portfolio]).contains("\"weight\" : 10000"))

    // Train, price and use.
    let model = try #require(eventField(try await ok([
        "model", "mint", "--model-hash", Keccak256.hash(Array("weights".utf8)).hex, "--portfolio", portfolio, "--token", "DMT",
        "--price", "1", "--bounty", "modelmarket:1", "--key", "trent",
    ]), kind: "ModelMinted", "model"))
    _ = try await ok(["model", "price", model, "--price", "1000003", "--raw", "--key", "trent"])
    let early = try await dm(["eval", "post", model, "--rating", "5", "--inputs-hash", Keccak256.hash([1]).hex, "--outputs-hash", Keccak256.hash([2]).hex,
                        "--text-hash", Keccak256.hash([3]).hex, "--key", "erin"])
    #expect(early.status == 1)
    #expect(early.stderr.contains("has paid for no use of model \(model)"))
    #expect(try await dm(["model", "use", model, "--max-price", "1000002", "--raw", "--key", "dave"]).status == 1)
    let used = try await ok(["model", "use", model, "--key", "dave"])
    #expect(eventField(used, kind: "ModelUsed", "toModelOwner") == "600003")
    _ = try await ok(["model", "use", model, "--max-price", "1000003", "--raw", "--key", "erin"])

    // Evaluate, review, show: w(dave) = 2, w(erin) = 1 → floor(100·(5·2 + 3·1)/3) = 433.
    for (who, rating) in [("dave", "5"), ("erin", "3")] {
        _ = try await ok(["eval", "post", model, "--rating", rating, "--inputs-file", csv.path, "--outputs-hash", Keccak256.hash([2]).hex,
                    "--text-hash", Keccak256.hash([3]).hex, "--key", who])
    }
    _ = try await ok(["eval", "review", "1", "--helpful", "--key", "erin"])
    #expect(try await dm(["eval", "review", "1", "--unhelpful", "--key", "erin"]).status == 1)
    let shown = try await ok(["eval", "show", model])
    #expect(shown.contains("\"scoreHundredths\" : 433"))
    #expect(try await dm(["eval", "show", model]).stdout.contains("4.33 / 5"))

    // A pool; the untied $Data does not accrue, and the claim says why.
    _ = try await ok(["pool", "create", "--token", "DMT", "--data-rate", "1", "--raw", "--duration", "1000", "--funding", "1000", "--key", "carol"])
    let claim = try await dm(["data", "claim", data, "--pool", "1", "--key", "alice"])
    #expect(claim.status == 1)
    #expect(claim.stderr.contains("not tied to a market listing"))

    // Exact balances, read from the same chain folder.
    let chain = try Chain.open(store: try FileBlockStore(folder: chainFolder), modules: [MarketModule.self, RolesModule.self])
    func balance(_ name: String) -> UInt256 { keys[name].map { chain.state.ledger.balance(of: $0.address, in: dmt) } ?? .zero }
    #expect(balance("dave") == (try start - 1_000_003))
    #expect(balance("erin") == (try start - 1_000_003))
    #expect(balance("trent") == (try start + 1_200_006))
    #expect(balance("carol") == (try start + 200_000 - 1_000))
    #expect(balance("alice") == (try start + 600_000))
    #expect(chain.state(of: RolesModule.self).data(taggedWith: ["wdbc"]).map(\.id) == [UInt64(data) ?? 0])
}
