import DataMarketTesting
import Foundation
import Testing

/// `dmctl usage` end to end: an owner offers a `$Data` per use, a trainer prepays, records uses
/// and closes; the owner is paid exactly the uses recorded and the rest comes back.
@Test func usageOfferAcceptRecordClosePaysTheOwnerPerUse() async throws {
    let home = try TestHome()
    try await home.initChainAsync(keys: ["alice", "bob"])
    try await home.okAsync(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "10", "--key", "alice"])
    try await home.okAsync(["data", "mint", "--data-hash", "0x" + String(repeating: "ab", count: 32), "--key", "alice"])
    try await home.okAsync(["usage", "offer", "--data", "1", "--trainer", "bob", "--token", "DMT", "--price", "0.5", "--key", "alice"])
    let offer = try await home.objectAsync(["usage", "show", "1"])
    #expect(offer["pricePerUse"] as? String == "500000000000000000")
    #expect(offer["status"] as? String == "open")
    let aliceBefore = try await home.balanceAsync("alice")

    try await home.okAsync(["usage", "accept", "1", "--prepaid-uses", "4", "--key", "bob"])
    #expect(try await home.balanceAsync("bob") == "8000000000000000000")
    try await home.okAsync(["usage", "record", "1", "--count", "2", "--key", "bob"])
    try await home.okAsync(["usage", "close", "1", "--key", "bob"])
    #expect(try await home.balanceAsync("bob") == "9000000000000000000")
    let aliceAfter = try #require(UInt128(try await home.balanceAsync("alice"))), before = try #require(UInt128(aliceBefore))
    #expect(aliceAfter - before == 1_000_000_000_000_000_000)
    #expect(try await home.objectAsync(["usage", "show", "1"])["uses"] as? Int == 2)

    // Refusals keep the state: a second close, and an offer someone else withdraws.
    let height = try await home.heightAsync()
    #expect(try await home.runAsync(["usage", "close", "1", "--key", "bob"]).status == 1)
    #expect(try await home.runAsync(["usage", "offer", "--data", "1", "--token", "DMT", "--price", "-1", "--key", "alice"]).status == 2)
    #expect(try await home.runAsync(["usage", "show", "9"]).status == 1)
    #expect(try await home.heightAsync() == height)
}
