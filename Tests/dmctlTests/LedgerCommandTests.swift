import DataMarketTesting
import Foundation
import LedgerCore
import Testing

/// `dmctl token|nft|stream ...` end to end through the built binary, including every refusal
/// with its exit status, its message, and a state left unchanged.
@Suite struct LedgerCommandTests {
    static let e18 = String(repeating: "0", count: 18)

    /// Height and the given balances, to compare before and after a refused command.
    private func snapshot(_ home: TestHome, _ accounts: [String], token: String = "DMT") async throws -> [String] {
        let height = try await home.heightAsync()
        return try await ["\(height)"] + accounts.asyncMap { try await home.balanceAsync($0, token) }
    }

    /// The events of a receipt printed with --json.
    private func events(_ receipt: [String: Any]) -> [(kind: String, fields: [String: String])] {
        ((receipt["events"] as? [[String: Any]]) ?? []).map { ($0["kind"] as? String ?? "", $0["fields"] as? [String: String] ?? [:]) }
    }

    @Test func tokenCommandsCreateMintMoveAndReport() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["default", "bob", "carol"])
        let created = try await home.objectAsync(["token", "create", "--symbol", "DATA", "--name", "Data Credits", "--decimals", "6", "--key", "bob"])
        #expect(created["height"] as? Int == 1)
        #expect((created["transactionHash"] as? String)?.count == 66)
        #expect(events(created).map(\.kind) == ["TokenCreated"])

        let minted = try await home.objectAsync(["token", "mint", "--token", "DATA", "--to", "carol", "--amount", "12.5", "--key", "bob"])
        #expect(events(minted).first?.fields["amount"] == "12500000")
        try await home.okAsync(["token", "mint", "--token", "DATA", "--to", "bob", "--amount", "100", "--raw", "--key", "bob"])
        #expect(try await home.balanceAsync("carol", "DATA") == "12500000")
        #expect(try await home.balanceAsync("bob", "DATA") == "100")

        let moved = try await home.objectAsync(["token", "transfer", "--token", "DATA", "--to", "default", "--amount", "2.25", "--key", "carol"])
        #expect(events(moved).map(\.kind) == ["Transfer"])
        #expect(try await home.balanceAsync("default", "DATA") == "2250000")
        #expect(try await home.balanceAsync("carol", "DATA") == "10250000")

        try await home.okAsync(["token", "approve", "--token", "DATA", "--spender", "default", "--amount", "5", "--key", "carol"])
        let allowance = try await home.objectAsync(["token", "allowance", "--token", "DATA", "--owner", "carol", "--spender", "default"])
        #expect(allowance["allowance"] as? String == "5000000")
        let pulled = try await home.objectAsync(["token", "transfer-from", "--token", "DATA", "--from", "carol", "--to", "bob", "--amount", "3"])
        #expect(events(pulled).first?.fields["amount"] == "3000000")
        #expect(try await home.balanceAsync("bob", "DATA") == "3000100")
        #expect(try await home.balanceAsync("carol", "DATA") == "7250000")
        #expect(try await home.objectAsync(["token", "allowance", "--token", "DATA", "--owner", "carol", "--spender", "default"])["allowance"] as? String == "2000000")

        let burned = try await home.objectAsync(["token", "burn", "--token", "DATA", "--amount", "0.0001", "--key", "bob"])
        #expect(events(burned).first?.kind == "Burn")
        let supply = try await home.objectAsync(["token", "supply", "--token", "DATA"])
        #expect(supply["totalSupply"] as? String == "\(12_500_000 + 100 - 100)")
        let table = try await home.okAsync(["token", "balance", "--token", "DATA", "--account", "carol"])
        #expect(table.contains("7.25 DATA (7250000)"))
        let receiptTable = try await home.okAsync(["token", "transfer", "--token", "DATA", "--to", "bob", "--amount", "1", "--key", "carol"])
        #expect(receiptTable.contains("Transfer"))
        #expect(receiptTable.contains("amount=1000000"))
        #expect(try await home.heightAsync() == 8)
    }

    @Test func tokenRefusalsExitWithTheirStatusAndChangeNothing() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["default", "bob"])
        try await home.okAsync(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "10"])
        let accounts = ["default", "bob"]
        let before = try await snapshot(home, accounts)

        let cases: [(args: [String], status: Int32, says: String)] = [
            (["token", "transfer", "--token", "DMT", "--to", "default", "--amount", "10.5", "--key", "bob"], 1, "insufficient DMT balance"),
            (["token", "transfer-from", "--token", "DMT", "--from", "default", "--to", "bob", "--amount", "1", "--key", "bob"], 1, "allowance exceeded"),
            (["token", "mint", "--token", "DMT", "--to", "bob", "--amount", "1", "--key", "bob"], 1, "may not mint or burn DMT"),
            (["token", "burn", "--token", "DMT", "--amount", "1", "--key", "bob"], 1, "may not mint or burn DMT"),
            (["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "1,5"], 2, "--amount: invalid character \",\""),
            (["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "1e18"], 2, "--amount: invalid character"),
            (["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "0.0000000000000000001"], 2, "19 fractional digits"),
            (["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "1.5", "--raw"], 2, "--amount"),
            (["token", "transfer", "--token", "DMT", "--to", "zed", "--amount", "1"], 2, "--to: 'zed' is not a 0x address and no key of that name"),
            (["token", "transfer", "--token", "DMT", "--to", "0x1234", "--amount", "1"], 2, "--to"),
            (["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "1", "--key", "zed"], 2, "no key named 'zed'"),
            (["token", "transfer", "--token", "dmt", "--to", "bob", "--amount", "1"], 2, "--token: token symbol 'dmt' is invalid"),
            (["token", "transfer", "--token", "NOPE", "--to", "bob", "--amount", "1"], 1, "no token with symbol NOPE"),
            (["token", "create", "--symbol", "DMT", "--name", "again"], 1, "token DMT already exists"),
        ]
        for c in cases {
            let r = try await home.runAsync(c.args)
            #expect(r.status == c.status, "\(c.args.joined(separator: " ")): \(r.stderr)")
            #expect(r.stderr.contains(c.says), "\(c.args.joined(separator: " ")): \(r.stderr)")
        }
        // Allowance exceeded after a partial approval, and a wrong passphrase.
        try await home.okAsync(["token", "approve", "--token", "DMT", "--spender", "bob", "--amount", "1"])
        let afterApprove = try await snapshot(home, accounts)
        let over = try await home.runAsync(["token", "transfer-from", "--token", "DMT", "--from", "default", "--to", "bob", "--amount", "1.000000000000000001", "--key", "bob"])
        #expect(over.status == 1)
        #expect(over.stderr.contains("approved"), "\(over.stderr)")
        #expect(over.stderr.contains("1000000000000000001"))
        let wrong = try await home.runAsync(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "1"], env: ["DMCTL_PASSPHRASE": "wrong"])
        #expect(wrong.status == 2)

        #expect(Array(try await snapshot(home, accounts).dropFirst()) == Array(before.dropFirst()))
        #expect(try await snapshot(home, accounts) == afterApprove)
        #expect(Int(afterApprove[0]) == Int(before[0]).map { $0 + 1 })
        #expect(try await home.objectAsync(["chain", "verify"])["ok"] as? Bool == true)
    }

    @Test func nftCommandsMintMoveShowAndList() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["default", "bob", "carol"])
        let content = home.url.appendingPathComponent("data.csv")
        try Data("id,radius\n1,17.99\n2,20.57\n".utf8).write(to: content)
        let expectedHash = try await home.okAsync(["hash", "keccak", content.path]).trimmingCharacters(in: .whitespacesAndNewlines)

        let minted = try await home.objectAsync(["nft", "mint", "--class", "data", "--content-file", content.path, "--meta", "name=cancer",
                                      "--meta", "rows=2", "--royalty", "default:250"])
        #expect(events(minted).first?.kind == "NFTMint")
        #expect(events(minted).first?.fields["contentHash"] == expectedHash)
        let model = try await home.objectAsync(["nft", "mint", "--class", "model", "--content-hash", "0x" + String(repeating: "ab", count: 32),
                                     "--link", "1", "--to", "bob", "--meta", "name=lr-v1"])
        #expect(events(model).first?.fields["id"] == "2")

        let shown = try await home.objectAsync(["nft", "show", "1"])
        #expect(shown["class"] as? String == "data")
        #expect(shown["contentHash"] as? String == expectedHash)
        #expect(shown["metadata"] as? [String: String] == ["name": "cancer", "rows": "2"])
        #expect((shown["royalty"] as? [String: Any])?["basisPoints"] as? Int == 250)
        #expect(shown["owner"] as? String == (try await home.addressAsync("default")))
        #expect(try await home.objectAsync(["nft", "show", "2"])["links"] as? [Int] == [1])

        try await home.okAsync(["nft", "transfer", "1", "--to", "carol"])
        let carols = try #require(try await home.jsonAsync(["nft", "list", "--owner", "carol"]) as? [[String: Any]])
        #expect(carols.map { $0["id"] as? Int } == [1])
        let all = try #require(try await home.jsonAsync(["nft", "list"]) as? [[String: Any]])
        #expect(all.map { $0["id"] as? Int } == [1, 2])
        #expect(try await home.okAsync(["nft", "list", "--owner", "bob"]).contains("lr-v1"))

        // Approval lets bob move carol's NFT once.
        try await home.okAsync(["nft", "approve", "1", "--spender", "bob", "--key", "carol"])
        try await home.okAsync(["nft", "transfer", "1", "--to", "bob", "--key", "bob"])
        #expect(try await home.objectAsync(["nft", "show", "1"])["owner"] as? String == (try await home.addressAsync("bob")))

        // Refusals.
        let height = try await home.heightAsync()
        let notOwner = try await home.runAsync(["nft", "transfer", "2", "--to", "default", "--key", "carol"])
        #expect(notOwner.status == 1)
        #expect(notOwner.stderr.contains("may not move NFT 2"))
        #expect(notOwner.stderr.contains(try await home.addressAsync("bob")))
        let missing = try await home.runAsync(["nft", "show", "9"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no NFT with id 9"))
        for (args, says) in [(["nft", "mint", "--class", "song", "--content-hash", "0x" + String(repeating: "00", count: 32)], "--class: 'song'"),
                             (["nft", "mint", "--class", "data"], "exactly one of --content-hash"),
                             (["nft", "mint", "--class", "data", "--content-hash", "0x1234"], "--content-hash"),
                             (["nft", "mint", "--class", "data", "--content-hash", "0x" + String(repeating: "00", count: 32), "--royalty", "bob:10001"], "exceeds 10000"),
                             (["nft", "mint", "--class", "data", "--content-hash", "0x" + String(repeating: "00", count: 32), "--meta", "novalue"], "--meta")] {
            let r = try await home.runAsync(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains(says), "\(args): \(r.stderr)")
        }
        let badLink = try await home.runAsync(["nft", "mint", "--class", "portfolio", "--content-hash", "0x" + String(repeating: "00", count: 32), "--link", "77"])
        #expect(badLink.status == 1)
        #expect(badLink.stderr.contains("links to NFT 77"))
        #expect(try await home.heightAsync() == height)
        #expect(try await home.objectAsync(["nft", "show", "2"])["owner"] as? String == (try await home.addressAsync("bob")))
    }

    @Test func streamOpenWarpClaimCancelPaysExactlyTheVestedParts() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["default", "bob", "mallory"])
        let payerStart = try UInt256(decimalInteger: try await home.balanceAsync("default"))

        // 100000 smallest units over 100000 s: one unit vests per second, so the vested part at
        // block time t is exactly t − start. The window is given in Unix seconds a day after the
        // chain's own time, and every check below reads its times from receipts: a command
        // may take minutes on a loaded machine without reaching a boundary (a day before
        // start, a day after the warps), so no check depends on how fast the commands run.
        let amount: UInt64 = 100_000
        let chainTime = try #require((try await home.objectAsync(["chain", "info"])["time"] as? Int).map(UInt64.init))
        let opened = try await home.objectAsync(["stream", "open", "--to", "bob", "--token", "DMT", "--amount", "\(amount)", "--raw",
                                      "--start", "\(chainTime + 86_400)", "--end", "\(chainTime + 86_400 + amount)"])
        let openFields = try #require(events(opened).first?.fields)
        let start = try #require(UInt64(openFields["start"] ?? "")), end = try #require(UInt64(openFields["end"] ?? ""))
        #expect(start == chainTime + 86_400)
        #expect(end - start == amount)
        #expect(openFields["id"] == "1")

        let early = try await home.runAsync(["stream", "claim", "1", "--key", "bob"])
        #expect(early.status == 1)
        #expect(early.stderr.contains("nothing vested"))

        try await home.okAsync(["chain", "warp", "\(86_400 + 400)"])
        let claim = try await home.objectAsync(["stream", "claim", "1", "--key", "bob"])
        let claimTime = try #require((claim["time"] as? Int).map(UInt64.init))
        let claimed = try #require(UInt64(events(claim).first?.fields["amount"] ?? ""))
        #expect(claimed == claimTime - start)
        #expect(try await home.balanceAsync("bob") == "\(claimed)")

        let stranger = try await home.runAsync(["stream", "claim", "1", "--key", "mallory"])
        #expect(stranger.status == 1)
        #expect(stranger.stderr.contains("may not do this on stream 1"))
        #expect(stranger.stderr.contains(try await home.addressAsync("bob")))
        let strangerCancel = try await home.runAsync(["stream", "cancel", "1", "--key", "bob"])
        #expect(strangerCancel.status == 1)

        try await home.okAsync(["chain", "warp", "5m"])
        let shown = try await home.objectAsync(["stream", "show", "1"])
        #expect(shown["claimed"] as? String == "\(claimed)")
        #expect(shown["status"] as? String == "vesting")
        let cancel = try await home.objectAsync(["stream", "cancel", "1"])
        let cancelTime = try #require((cancel["time"] as? Int).map(UInt64.init))
        let fields = try #require(events(cancel).first?.fields)
        let vested = min(cancelTime - start, amount)
        #expect(vested < amount, "the stream had fully vested before the cancel")
        #expect(fields["paidToPayee"] == "\(vested - claimed)")
        #expect(fields["refundedToPayer"] == "\(amount - vested)")
        #expect(try await home.balanceAsync("bob") == "\(vested)")
        #expect(try await home.balanceAsync("default") == (try payerStart - UInt256(vested)).description)
        let closed = try await home.runAsync(["stream", "claim", "1", "--key", "bob"])
        #expect(closed.status == 1)
        #expect(closed.stderr.contains("stream 1 is closed"))

        // A stream warped past its end pays the whole amount, to the unit.
        try await home.okAsync(["stream", "open", "--to", "bob", "--token", "DMT", "--amount", "7.000000000000000003", "--start", "+1m", "--end", "+2h"])
        try await home.okAsync(["chain", "warp", "1d"])
        let full = try await home.objectAsync(["stream", "claim", "2", "--key", "bob"])
        #expect(events(full).first?.fields["amount"] == "7000000000000000003")
        #expect(try #require(try await home.jsonAsync(["stream", "list", "--account", "bob"]) as? [[String: Any]]).map { $0["status"] as? String } == ["cancelled", "paid"])

        for (args, says) in [(["stream", "open", "--to", "bob", "--token", "DMT", "--amount", "1", "--start", "+1x", "--end", "+2h"], "--start"),
                             (["stream", "open", "--to", "bob", "--token", "DMT", "--amount", "1", "--start", "soon", "--end", "+2h"], "--start: 'soon'")] {
            let r = try await home.runAsync(args)
            #expect(r.status == 2)
            #expect(r.stderr.contains(says), "\(r.stderr)")
        }
        let backwards = try await home.runAsync(["stream", "open", "--to", "bob", "--token", "DMT", "--amount", "1", "--start", "+2h", "--end", "+1h"])
        #expect(backwards.status == 1)
        #expect(backwards.stderr.contains("stream window"))
        #expect(try await home.objectAsync(["chain", "verify"])["ok"] as? Bool == true)
    }
}
