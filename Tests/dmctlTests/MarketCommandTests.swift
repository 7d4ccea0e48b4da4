import DataMarketTesting
import Foundation
import Testing
import LedgerCore
import MarketKit

/// `dmctl market` end to end through the built binary: a market is created, a backend
/// authorised and a listing of the real breast-cancer file listed by council vote, with
/// refusals exiting 1 and naming the rule.
@Test func marketCommandsPlayARoundThroughTheBinary() async throws {
    let home = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("dmctl-market-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: home) }
    var cli = CLIRunner()
    cli.environment = ["DMCTL_PASSPHRASE": "market test passphrase", "DMCTL_HOME": home.path]
    let secrets = ["alice": String(repeating: "a1", count: 32), "bob": String(repeating: "b2", count: 32), "dt": String(repeating: "d3", count: 32)]
    var addresses: [String: Address] = [:]
    for (name, hex) in secrets.sorted(by: { $0.key < $1.key }) {
        let r = try await cli.runAsync(["key", "import", "--name", name], stdin: hex)
        #expect(r.status == 0, "\(r.stderr)")
        addresses[name] = try PrivateKey(hex: hex).address
    }
    // What `dmctl chain init` does: a file-backed chain with DMT for the three keys.
    let chainFolder = home.appendingPathComponent("chain")
    let dmt = try TokenID("DMT")
    let genesis = GenesisConfig(chainID: 1337, timestamp: UInt64(Date().timeIntervalSince1970) - 10, tokens: [
        .init(symbol: dmt, name: "DataMarket Token", balances: addresses.values.sorted().map { .init(account: $0, amount: 10_000_000_000_000_000_000) })
    ])
    let clock = WallClock(offsetFile: chainFolder.appendingPathComponent("clock-offset"))
    let chain = try Chain.create(genesis: genesis, modules: [MarketModule.self], store: try FileBlockStore(folder: chainFolder), clock: clock)

    func ok(_ args: [String]) async throws -> String {
        let r = try await cli.runAsync(args)
        #expect(r.status == 0, "dmctl \(args.joined(separator: " ")): \(r.stderr)")
        return r.stdout
    }

    let created = try await ok(["market", "create", "cancer", "--network-token", "DMT", "--set", "voteBy=60", "--set", "councilThreshold=0", "--key", "alice"])
    #expect(created.contains("MarketCreated"))
    #expect(created.contains("transaction"))
    #expect(try await ok(["market", "invest", "cancer", "10", "--key", "alice"]).contains("Invested"))
    let shown = try await ok(["market", "show", "cancer", "--json"])
    #expect(shown.contains("\"council\" : 1"))
    // The amount rule: JSON amounts are smallest units with their token named beside them.
    #expect(shown.contains("\"reserve\" : \"10000000000000000000\""))
    #expect(shown.contains("\"networkToken\" : \"DMT\""))
    #expect(try await ok(["market", "show", "cancer"]).contains("10 DMT (10000000000000000000)"))
    #expect(try await ok(["market", "params", "cancer"]).contains("voteBy"))

    let dt = addresses["dt"]?.checksummed ?? ""
    _ = try await ok(["market", "backend", "propose", "cancer", "--url", "https://dt.example", "--address", dt, "--key", "alice"])
    _ = try await ok(["market", "vote", "cancer", "1", "yea", "--key", "alice"])
    try chain.warp(by: 61)
    #expect(try await ok(["market", "resolve", "cancer", "1", "--key", "bob"]).contains("BackendAuthorised"))
    #expect(try await ok(["market", "backend", "list", "cancer"]).contains(dt))

    let csv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Data/breast_cancer.csv")
    let dataHash = Keccak256.hash(Array(try Data(contentsOf: csv)))
    let listing = Listing.id(applicant: addresses["bob"] ?? .zero, dataHash: dataHash)
    #expect(try await ok(["market", "apply", "cancer", "--file", csv.path, "--key", "bob"]).contains(listing.hex))
    _ = try await ok(["market", "attest", "cancer", listing.hex, "--key", "dt"])
    _ = try await ok(["market", "vote", "cancer", "2", "yea", "--key", "alice"])
    try chain.warp(by: 61)
    #expect(try await ok(["market", "resolve", "cancer", "2", "--key", "alice", "--json"]).contains("\"Listed\""))
    #expect(try await ok(["market", "listings", "cancer"]).contains(listing.hex))
    let listingsJSON = try await ok(["market", "listings", "cancer", "--json"])
    #expect(listingsJSON.contains("\"networkToken\" : \"DMT\"") && listingsJSON.contains("\"marketToken\" : \"MKT-CANCER\""))

    let refused = try await cli.runAsync(["market", "vote", "cancer", "2", "yea", "--key", "alice"])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("no open poll 2"))
    let bounds = try await cli.runAsync(["market", "reparam", "propose", "cancer", "quorum", "0", "--key", "alice"])
    #expect(bounds.status == 1)
    #expect(bounds.stderr.contains("quorum = 0 is out of bounds"))
    let usage = try await cli.runAsync(["market", "show", "Bad_Id"])
    #expect(usage.status == 2)
}
