import DataMarketTesting
import Foundation
import Testing

/// Negative numbers after an option are read as its value (never as an option name): they
/// work where the option allows them and are refused with "must not be negative" (or the
/// amount rule's "is negative") where it does not; a negative positional is told to go after `--`.
@Test func negativeNumbersParseWhereAllowedAndAreRefusedClearlyWhereNot() async throws {
    let home = try TestHome()
    try await home.initChainAsync(keys: ["alice", "bob"])
    let keys = home.url.appendingPathComponent("he").path
    try await home.okAsync(["he", "keygen", "--bits", "1024", "--out", keys])
    let a = home.url.appendingPathComponent("a.json")
    let encrypted = try await home.runner.runAsync(["--home", home.url.path, "he", "encrypt", "--key", keys + "/public.json", "--", "-4"])
    #expect(encrypted.status == 0, "\(encrypted.stderr)")
    try Data(encrypted.stdout.utf8).write(to: a)

    // Allowed: the plain operand of he add/mul (also as --value=-7), after `--` for a VALUE.
    let sum = home.url.appendingPathComponent("sum.json")
    try Data(try await home.okAsync(["he", "add", "--key", keys + "/public.json", a.path, "--value", "-7"]).utf8).write(to: sum)
    #expect(try await home.okAsync(["he", "decrypt", "--key", keys + "/private.json", sum.path]) == "-11\n")
    let product = home.url.appendingPathComponent("product.json")
    try Data(try await home.okAsync(["he", "mul", "--key", keys + "/public.json", a.path, "--value", "-2.5"]).utf8).write(to: product)
    #expect(try await home.okAsync(["he", "decrypt", "--key", keys + "/private.json", product.path]) == "10.0\n")

    let before = try await home.objectAsync(["chain", "info"])["stateHash"] as? String
    // Refused, naming the option: amounts (the amount rule), unsigned counts and heights.
    let refusals: [([String], [String])] = [
        (["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "-5", "--key", "alice"], ["--amount", "negative"]),
        (["stream", "open", "--to", "bob", "--token", "DMT", "--amount", "-0.5", "--start", "+1m", "--end", "+1d", "--key", "alice"], ["--amount", "negative"]),
        (["token", "approve", "--token", "DMT", "--spender", "bob", "--amount", "-1", "--key", "alice"], ["--amount", "negative"]),
        (["chain", "events", "--from", "-1"], ["--from", "'-1' must not be negative"]),
        (["usage", "accept", "1", "--prepaid-uses", "-4", "--key", "bob"], ["--prepaid-uses", "must not be negative"]),
        (["token", "create", "--symbol", "NEG", "--name", "n", "--decimals", "-1", "--key", "alice"], ["--decimals", "must not be negative"]),
        (["chain", "blocks", "--limit", "-5"], ["--limit", "-5", "expected a whole number from 1 to 100000"]),
        (["nft", "show", "-3"], ["'-3'", "after `--`", "must not be negative"]),
        (["market", "invest", "cancer", "-5", "--key", "alice"], ["'-5'", "after `--`"]),
    ]
    for (args, says) in refusals {
        let r = try await home.runAsync(args)
        #expect(r.status == 2, "dmctl \(args.joined(separator: " ")): \(r.status) \(r.stderr)")
        for text in says { #expect(r.stderr.contains(text), "dmctl \(args.joined(separator: " ")): \(r.stderr)") }
        #expect(!r.stderr.contains("Missing value"), "\(r.stderr)")
    }
    #expect(try await home.objectAsync(["chain", "info"])["stateHash"] as? String == before)
}
