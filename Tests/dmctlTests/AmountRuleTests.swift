import DataMarketTesting
import Foundation
import Testing

/// The one amount rule (`dmctl amounts`), checked on one command of each group through the
/// built binary: token units with the token's decimals, `--raw` for smallest units, tables in
/// token units with the symbol, JSON in smallest units with the token named beside them.
@Suite struct AmountRuleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyGroupReadsTokenUnitsAndRawSmallestUnits() throws {
        let home = try TestHome()
        try home.initChain(keys: ["alice", "bob"])
        let before = try home.balance("alice")
        #expect(before == "1000000000000000000000000")

        // token: 1.5 DMT is 1.5 × 10^18; --raw 7 is 7 smallest units.
        try home.ok(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "1.5", "--key", "alice"])
        #expect(try home.balance("bob") == "1500000000000000000")
        try home.ok(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "7", "--raw", "--key", "alice"])
        #expect(try home.balance("bob") == "1500000000000000007")
        #expect(try home.ok(["token", "balance", "--token", "DMT", "--account", "bob"]).contains("1.500000000000000007 DMT (1500000000000000007)"))
        let balance = try home.object(["token", "balance", "--token", "DMT", "--account", "bob"])
        #expect(balance["token"] as? String == "DMT")

        // stream: --amount 2 locks 2 DMT.
        try home.ok(["stream", "open", "--to", "bob", "--token", "DMT", "--amount", "2", "--start", "+1m", "--end", "+1d", "--key", "alice"])
        let stream = try home.object(["stream", "show", "1"])
        #expect(stream["amount"] as? String == "2000000000000000000")
        #expect(stream["token"] as? String == "DMT")

        // market: invest 10 puts 10 DMT in the reserve; --raw 5 adds 5 smallest units.
        try home.ok(["market", "create", "amounts", "--network-token", "DMT", "--set", "challengeStake=2", "--key", "alice"])
        #expect(try home.ok(["market", "params", "amounts", "--json"]).contains("\"challengeStake\" : \"2000000000000000000\""))
        #expect(try home.ok(["market", "params", "amounts"]).contains("2 DMT (2000000000000000000)"))
        try home.ok(["market", "invest", "amounts", "10", "--key", "alice"])
        try home.ok(["market", "invest", "amounts", "5", "--raw", "--key", "alice"])
        let market = try home.object(["market", "show", "amounts"])
        #expect(market["reserve"] as? String == "10000000000000000005")
        #expect(market["networkToken"] as? String == "DMT")
        #expect(try home.ok(["market", "show", "amounts"]).contains("10.000000000000000005 DMT (10000000000000000005)"))

        // bounty: --reward 10 --stake 1 escrows 10 DMT.
        let split = home.url.appendingPathComponent("split").path
        try home.ok(["dataset", "split", "--input", Self.root.appendingPathComponent("Data/breast_cancer.csv").path,
                     "--test-count", "143", "--seed", "7", "--out", split])
        try home.ok(["bounty", "create", "--key", "alice", "--token", "DMT", "--reward", "10", "--stake", "1",
                     "--deadline-in", "3600", "--classes", "2", "--dir", split])
        let bounty = try home.object(["bounty", "show", "1"])
        #expect(bounty["escrowHeld"] as? String == "10000000000000000000")
        #expect(try home.ok(["bounty", "show", "1"]).contains("10 DMT (10000000000000000000)"))

        // roles: pool create --funding 3 takes 3 DMT from the signer.
        let beforePool = try home.balance("alice")
        try home.ok(["pool", "create", "--token", "DMT", "--data-rate", "0.001", "--duration", "1000", "--funding", "3", "--key", "alice"])
        let afterPool = try home.balance("alice")
        #expect(Self.difference(beforePool, afterPool) == 3_000_000_000_000_000_000)
    }

    @Test func badAmountsAreUsageErrorsNamingTheFieldAndTheRule() throws {
        let home = try TestHome()
        try home.initChain(keys: ["alice", "bob"])
        let cases: [[String]] = [
            ["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "-5", "--key", "alice"],
            ["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "1.5", "--raw", "--key", "alice"],
            ["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "0.0000000000000000001", "--key", "alice"],
            ["market", "create", "m", "--network-token", "DMT", "--set", "challengeStake=1e3", "--key", "alice"],
            ["pool", "create", "--token", "DMT", "--duration", "10", "--funding", "-1", "--key", "alice"],
        ]
        let height = try home.height()
        for args in cases {
            let r = try home.run(args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: --"), "\(args): \(r.stderr)")
            #expect(r.stderr.contains("; expected"), "\(args): \(r.stderr)")
        }
        #expect(try home.height() == height)
        // Under --json the error is one JSON object with the same code and status.
        let r = try home.run(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "-5", "--key", "alice", "--json"])
        #expect(r.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stderr.utf8)) as? [String: Any])
        #expect(object["code"] as? String == "usage")
        #expect(object["status"] as? Int == 2)
        #expect((object["error"] as? String)?.contains("--amount: '-5' is negative") == true)
    }

    @Test func theRuleIsPrintedAndGlobalOptionsGoBeforeOrAfterTheCommand() throws {
        let home = try TestHome()
        try home.initChain(keys: ["alice"])
        let rule = try home.ok(["amounts"])
        #expect(rule.contains("--raw") && rule.contains("smallest units") && rule.contains("--json"))
        let help = try home.runner.run(["help", "amounts"])
        #expect(help.status == 0 && help.stdout.contains("input + --raw"))
        let before = try home.runner.run(["--home", home.url.path, "--json", "key", "list"])
        let after = try home.runner.run(["key", "list", "--home", home.url.path, "--json"])
        #expect(before.status == 0 && after.status == 0, "\(before.stderr) \(after.stderr)")
        #expect(before.stdout == after.stdout && before.stdout.contains("alice"))
    }

    /// `a − b` for decimal strings of at most 38 digits.
    static func difference(_ a: String, _ b: String) -> UInt128? {
        guard let x = UInt128(a), let y = UInt128(b), x >= y else { return nil }
        return x - y
    }
}
