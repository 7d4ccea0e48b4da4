import DataMarketTesting
import Foundation
import Testing

/// Bad input in every command group, through the built binary on one prepared home: each case
/// must exit with its documented status, name the field and say what was expected, and leave the
/// chain's state hash unchanged.
@Suite struct BadInputTests {
    /// One bad command line and what dmctl must answer.
    struct Case {
        let args: [String]
        let status: Int32
        /// Texts the error message must contain (the field, the expectation).
        let says: [String]
    }

    /// Amount texts that the amount rule refuses, whatever the command.
    static let badAmounts = ["-5", "1.2.3", "abc", "1e18", ".5", "1.", "", "0.0000000000000000001",
                             "1" + String(repeating: "0", count: 80), "１", "1,5", " 1", "0x10"]

    static func cases(split: String) -> [Case] {
        var all: [Case] = []
        // The amount rule, in every group that takes amounts.
        let amountTemplates: [([String], String)] = [
            (["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "@", "--key", "alice"], "--amount"),
            (["token", "approve", "--token", "DMT", "--spender", "bob", "--amount", "@", "--key", "alice"], "--amount"),
            (["token", "mint", "--token", "DMT", "--to", "bob", "--amount", "@", "--key", "alice"], "--amount"),
            (["stream", "open", "--to", "bob", "--token", "DMT", "--amount", "@", "--start", "+1m", "--end", "+1d", "--key", "alice"], "--amount"),
            (["market", "divest", "cancer", "--min-payout", "@", "--key", "alice"], "--min-payout"),
            (["market", "pay", "cancer", "--max-price", "@", "--backend", "bob", "--key", "alice"], "--max-price"),
            (["market", "create", "other", "--network-token", "DMT", "--set", "challengeStake=@", "--key", "alice"], "--set challengeStake"),
            (["bounty", "create", "--key", "alice", "--token", "DMT", "--reward", "@", "--stake", "1", "--deadline-in", "3600",
              "--classes", "2", "--dir", split], "--reward"),
            (["pool", "fund", "1", "--amount", "@", "--key", "alice"], "--amount"),
            (["usage", "offer", "--data", "1", "--token", "DMT", "--price", "@", "--key", "alice"], "--price"),
            (["portfolio", "create", "--entry", "1:10000", "--bonus-token", "DMT", "--bonus-per-use", "@", "--key", "alice"], "--bonus-per-use"),
        ]
        for (template, field) in amountTemplates {
            for bad in badAmounts {
                all.append(Case(args: template.map { $0 == "@" ? bad : $0 }, status: 2, says: [field, "expected"]))
            }
        }
        // --raw takes integers only.
        for (template, field) in amountTemplates.prefix(4) {
            all.append(Case(args: template.map { $0 == "@" ? "1.5" : $0 } + ["--raw"], status: 2, says: [field, "smallest units"]))
        }
        // Accounts: an address or a key name, everywhere.
        for bad in ["nobody", "0x1234", "0xZZ9970C51812dc3A010C7d01b50e0d17dc79C8", "bad name!"] {
            all.append(Case(args: ["token", "transfer", "--token", "DMT", "--to", bad, "--amount", "1", "--key", "alice"], status: 2, says: ["--to"]))
            all.append(Case(args: ["token", "balance", "--token", "DMT", "--account", bad], status: 2, says: ["--account"]))
            all.append(Case(args: ["market", "pay", "cancer", "--max-price", "1", "--backend", bad, "--key", "alice"], status: 2, says: ["--backend"]))
            all.append(Case(args: ["market", "backend", "propose", "cancer", "--url", "https://x", "--address", bad, "--key", "alice"], status: 2, says: ["--address"]))
            all.append(Case(args: ["usage", "offer", "--data", "1", "--trainer", bad, "--token", "DMT", "--price", "1", "--key", "alice"], status: 2, says: ["--trainer"]))
        }
        // Token symbols, market ids, parameters, hashes, durations.
        for bad in ["dmt!", "", "TOOLONGSYMBOLTOOLONGSYMBOL1"] {
            all.append(Case(args: ["token", "balance", "--token", bad, "--account", "alice"], status: 2, says: ["--token"]))
        }
        all.append(Case(args: ["token", "transfer", "--token", "NOPE", "--to", "bob", "--amount", "1", "--key", "alice"], status: 1, says: ["--amount", "NOPE", "expected"]))
        for bad in ["Bad_Id", "", String(repeating: "a", count: 30)] {
            all.append(Case(args: ["market", "show", bad], status: 2, says: ["market"]))
        }
        all.append(Case(args: ["market", "create", "other", "--network-token", "DMT", "--set", "nosuch=1", "--key", "alice"], status: 2, says: ["--set", "expected"]))
        all.append(Case(args: ["market", "create", "other", "--network-token", "DMT", "--set", "quorum=-1", "--key", "alice"], status: 2, says: ["quorum", "expected"]))
        all.append(Case(args: ["market", "reparam", "propose", "cancer", "nosuch", "1", "--key", "alice"], status: 2, says: ["parameter", "expected"]))
        all.append(Case(args: ["market", "reparam", "propose", "cancer", "challengeStake", "1.5.1", "--key", "alice"], status: 2, says: ["value", "expected"]))
        for bad in ["0x12", "zz", "0x" + String(repeating: "g", count: 64)] {
            all.append(Case(args: ["market", "apply", "cancer", "--data-hash", bad, "--key", "alice"], status: 2, says: ["data-hash"]))
            all.append(Case(args: ["market", "attest", "cancer", bad, "--key", "alice"], status: 2, says: ["listing"]))
            all.append(Case(args: ["data", "mint", "--data-hash", bad, "--key", "alice"], status: 2, says: ["--data-hash"]))
        }
        for bad in ["15x", "1.5h", "3651d", "0", "99999999999999999999d"] {
            all.append(Case(args: ["chain", "warp", bad], status: 2, says: ["DURATION", "expected"]))
        }
        for bad in ["0x0", "xyz"] {
            all.append(Case(args: ["verify", "--address", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "--message-hex", bad, "--signature", "0x00"],
                            status: 2, says: ["--message-hex"]))
        }
        // Refusals by the protocol: exit 1, state unchanged.
        all.append(Case(args: ["market", "vote", "cancer", "99", "yea", "--key", "alice"], status: 1, says: ["99"]))
        all.append(Case(args: ["token", "transfer", "--token", "DMT", "--to", "alice", "--amount", "1", "--key", "bob"], status: 1, says: []))
        all.append(Case(args: ["usage", "show", "42"], status: 1, says: ["42"]))
        // Missing files: exit 3.
        all.append(Case(args: ["market", "apply", "cancer", "--file", "/nonexistent/rows.csv", "--key", "alice"], status: 3, says: ["--file"]))
        all.append(Case(args: ["bounty", "create", "--key", "alice", "--token", "DMT", "--reward", "1", "--stake", "1", "--deadline-in", "3600",
                               "--classes", "2", "--dir", "/nonexistent"], status: 3, says: ["/nonexistent"]))
        return all
    }

    @Test func everyGroupRefusesBadInputWithItsStatusFieldAndExpectationAndKeepsTheState() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["alice", "bob"])
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let split = home.url.appendingPathComponent("split").path
        try await home.okAsync(["dataset", "split", "--input", root.appendingPathComponent("Data/breast_cancer.csv").path,
                     "--test-count", "143", "--seed", "7", "--out", split])
        try await home.okAsync(["market", "create", "cancer", "--network-token", "DMT", "--key", "alice"])
        try await home.okAsync(["pool", "create", "--token", "DMT", "--data-rate", "0.001", "--duration", "3600", "--funding", "1", "--key", "alice"])
        try await home.okAsync(["data", "mint", "--data-hash", "0x" + String(repeating: "cd", count: 32), "--referenceable", "--key", "alice"])
        let before = try await home.objectAsync(["chain", "info"])
        let cases = Self.cases(split: split)
        #expect(cases.count >= 150)
        for c in cases {
            let r = try await home.runAsync(c.args)
            let line = "dmctl \(c.args.joined(separator: " "))"
            #expect(r.status == c.status, "\(line): exit \(r.status), expected \(c.status): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error:"), "\(line): \(r.stderr)")
            for text in c.says { #expect(r.stderr.contains(text), "\(line): \(r.stderr) does not say \(text)") }
        }
        let after = try await home.objectAsync(["chain", "info"])
        #expect(after["stateHash"] as? String == before["stateHash"] as? String)
        #expect(after["height"] as? Int == before["height"] as? Int)
    }

    /// Bad account texts and the reason dmctl must give for each, whichever command reads it.
    static let badAccounts: [(text: String, reason: String)] = [
        ("nosuchkey", "is not a 0x address and no key of that name is in the keystore;"),
        ("f39fd6e51aad88f6f4ce6ab8827279cfffb92266", "(an address needs its 0x prefix)"),
        ("0x12", "is not an address: 2 hex digits (1 byte) where an address has 40;"),
        ("0x1234", "is not an address: 4 hex digits (2 bytes) where an address has 40;"),
        ("0x123", "is not an address: 3 hex digits, an odd number;"),
        ("0xZZ9970C51812dc3A010C7d01b50e0d17dc79C8", "is not an address: \"Z\" at offset"),
        ("0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "checksum does not match (0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266, or all lowercase)"),
        ("bad name!", "is neither a 0x address nor a valid key name;"),
        ("", "is neither a 0x address nor a valid key name;"),
    ]

    @Test func aBadAccountGetsOneMessageFromLedgerMarketAndRolesCommandsAndChangesNothing() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["alice", "bob"])
        try await home.okAsync(["market", "create", "cancer", "--network-token", "DMT", "--key", "alice"])
        let before = try await home.objectAsync(["chain", "info"])
        // The same bad text under a ledger, a market and two roles commands; each names its own option.
        let commands: [(field: String, args: (String) -> [String])] = [
            ("--to", { ["token", "transfer", "--token", "DMT", "--to", $0, "--amount", "1", "--key", "alice"] }),
            ("--backend", { ["market", "pay", "cancer", "--max-price", "1", "--backend", $0, "--key", "alice"] }),
            ("--host", { ["model", "bundle", "buy", "1", "--uses", "1", "--host", $0, "--key", "alice"] }),
            ("--trainer", { ["usage", "offer", "--data", "1", "--trainer", $0, "--token", "DMT", "--price", "1", "--key", "alice"] }),
        ]
        let expected = "; expected a 0x address (0x + 40 hex digits) or the name of a key in \(home.url.appendingPathComponent("keys").path) (see dmctl key list)"
        for bad in Self.badAccounts {
            var messages: Set<String> = []
            for command in commands {
                let r = try await home.runAsync(command.args(bad.text))
                let line = "dmctl \(command.args(bad.text).joined(separator: " "))"
                #expect(r.status == 2, "\(line): exit \(r.status): \(r.stderr)")
                let prefix = "error: \(command.field): '\(bad.text)' "
                #expect(r.stderr.hasPrefix(prefix), "\(line): \(r.stderr)")
                #expect(r.stderr.contains(bad.reason), "\(line): \(r.stderr) does not say \(bad.reason)")
                #expect(r.stderr.contains(expected), "\(line): \(r.stderr)")
                messages.insert(String(r.stderr.dropFirst(prefix.count)))
            }
            #expect(messages.count == 1, "'\(bad.text)' is refused in different words: \(messages)")
        }
        let after = try await home.objectAsync(["chain", "info"])
        #expect(after["stateHash"] as? String == before["stateHash"] as? String)
        #expect(after["height"] as? Int == before["height"] as? Int)
    }
}
