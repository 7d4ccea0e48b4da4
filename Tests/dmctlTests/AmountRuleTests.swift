import DataMarketTesting
import Foundation
import Testing

/// The one amount rule (`dmctl amounts`), checked on one command of each group through the
/// built binary: token units with the token's decimals, `--raw` for smallest units, tables in
/// token units with the symbol, JSON in smallest units with the token named beside them.
@Suite struct AmountRuleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyGroupReadsTokenUnitsAndRawSmallestUnits() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["alice", "bob"])
        let before = try await home.balanceAsync("alice")
        #expect(before == "1000000000000000000000000")

        // token: 1.5 DMT is 1.5 × 10^18; --raw 7 is 7 smallest units.
        try await home.okAsync(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "1.5", "--key", "alice"])
        #expect(try await home.balanceAsync("bob") == "1500000000000000000")
        try await home.okAsync(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "7", "--raw", "--key", "alice"])
        #expect(try await home.balanceAsync("bob") == "1500000000000000007")
        #expect(try await home.okAsync(["token", "balance", "--token", "DMT", "--account", "bob"]).contains("1.500000000000000007 DMT (1500000000000000007)"))
        let balance = try await home.objectAsync(["token", "balance", "--token", "DMT", "--account", "bob"])
        #expect(balance["token"] as? String == "DMT")

        // stream: --amount 2 locks 2 DMT.
        try await home.okAsync(["stream", "open", "--to", "bob", "--token", "DMT", "--amount", "2", "--start", "+1m", "--end", "+1d", "--key", "alice"])
        let stream = try await home.objectAsync(["stream", "show", "1"])
        #expect(stream["amount"] as? String == "2000000000000000000")
        #expect(stream["token"] as? String == "DMT")

        // market: invest 10 puts 10 DMT in the reserve; --raw 5 adds 5 smallest units.
        try await home.okAsync(["market", "create", "amounts", "--network-token", "DMT", "--set", "challengeStake=2", "--key", "alice"])
        #expect(try await home.okAsync(["market", "params", "amounts", "--json"]).contains("\"challengeStake\" : \"2000000000000000000\""))
        #expect(try await home.okAsync(["market", "params", "amounts"]).contains("2 DMT (2000000000000000000)"))
        try await home.okAsync(["market", "invest", "amounts", "10", "--key", "alice"])
        try await home.okAsync(["market", "invest", "amounts", "5", "--raw", "--key", "alice"])
        let market = try await home.objectAsync(["market", "show", "amounts"])
        #expect(market["reserve"] as? String == "10000000000000000005")
        #expect(market["networkToken"] as? String == "DMT")
        #expect(try await home.okAsync(["market", "show", "amounts"]).contains("10.000000000000000005 DMT (10000000000000000005)"))

        // bounty: --reward 10 --stake 1 escrows 10 DMT.
        let split = home.url.appendingPathComponent("split").path
        try await home.okAsync(["dataset", "split", "--input", Self.root.appendingPathComponent("Data/breast_cancer.csv").path,
                     "--test-count", "143", "--seed", "7", "--out", split])
        try await home.okAsync(["bounty", "create", "--key", "alice", "--token", "DMT", "--reward", "10", "--stake", "1",
                     "--deadline-in", "3600", "--classes", "2", "--dir", split])
        let bounty = try await home.objectAsync(["bounty", "show", "1"])
        #expect(bounty["escrowHeld"] as? String == "10000000000000000000")
        #expect(try await home.okAsync(["bounty", "show", "1"]).contains("10 DMT (10000000000000000000)"))

        // roles: pool create --funding 3 takes 3 DMT from the signer.
        let beforePool = try await home.balanceAsync("alice")
        try await home.okAsync(["pool", "create", "--token", "DMT", "--data-rate", "0.001", "--duration", "1000", "--funding", "3", "--key", "alice"])
        let afterPool = try await home.balanceAsync("alice")
        #expect(Self.difference(beforePool, afterPool) == 3_000_000_000_000_000_000)
    }

    @Test func badAmountsAreUsageErrorsNamingTheFieldAndTheRule() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["alice", "bob"])
        let cases: [[String]] = [
            ["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "-5", "--key", "alice"],
            ["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "1.5", "--raw", "--key", "alice"],
            ["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "0.0000000000000000001", "--key", "alice"],
            ["market", "create", "m", "--network-token", "DMT", "--set", "challengeStake=1e3", "--key", "alice"],
            ["pool", "create", "--token", "DMT", "--duration", "10", "--funding", "-1", "--key", "alice"],
        ]
        let height = try await home.heightAsync()
        for args in cases {
            let r = try await home.runAsync(args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: --"), "\(args): \(r.stderr)")
            #expect(r.stderr.contains("; expected"), "\(args): \(r.stderr)")
        }
        #expect(try await home.heightAsync() == height)
        // Under --json the error is one JSON object with the same code and status.
        let r = try await home.runAsync(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "-5", "--key", "alice", "--json"])
        #expect(r.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stderr.utf8)) as? [String: Any])
        #expect(object["code"] as? String == "usage")
        #expect(object["status"] as? Int == 2)
        #expect((object["error"] as? String)?.contains("--amount: '-5' is negative") == true)
    }

    @Test func theRuleIsPrintedAndGlobalOptionsGoBeforeOrAfterTheCommand() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["alice"])
        let rule = try await home.okAsync(["amounts"])
        #expect(rule.contains("--raw") && rule.contains("smallest units") && rule.contains("--json"))
        let help = try await home.runner.runAsync(["help", "amounts"])
        #expect(help.status == 0 && help.stdout.contains("input + --raw"))
        let before = try await home.runner.runAsync(["--home", home.url.path, "--json", "key", "list"])
        let after = try await home.runner.runAsync(["key", "list", "--home", home.url.path, "--json"])
        #expect(before.status == 0 && after.status == 0, "\(before.stderr) \(after.stderr)")
        #expect(before.stdout == after.stdout && before.stdout.contains("alice"))
    }

    /// `a − b` for decimal strings of at most 38 digits.
    static func difference(_ a: String, _ b: String) -> UInt128? {
        guard let x = UInt128(a), let y = UInt128(b), x >= y else { return nil }
        return x - y
    }
}
