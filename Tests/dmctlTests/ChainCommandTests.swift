import DataMarketTesting
import Foundation
import Testing

/// `dmctl chain ...` end to end through the built binary.
@Suite struct ChainCommandTests {
    static let exampleGenesis = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/genesis.json")

    @Test func initCreatesTheDefaultGenesisAndRefusesASecondInit() async throws {
        let home = try TestHome()
        try await home.okAsync(["key", "new", "--name", "default"])
        let created = try await home.objectAsync(["chain", "init", "--chain-id", "4242"])
        #expect(created["chainID"] as? Int == 4242)
        let info = try await home.objectAsync(["chain", "info"])
        #expect(info["chainID"] as? Int == 4242)
        #expect(info["height"] as? Int == 0)
        #expect(info["tokens"] as? Int == 1)
        let balance = try await home.objectAsync(["token", "balance", "--token", "DMT"])
        #expect(balance["balance"] as? String == "1000000" + String(repeating: "0", count: 18))
        #expect(balance["formatted"] as? String == "1000000")
        let supply = try await home.objectAsync(["token", "supply", "--token", "DMT"])
        #expect(supply["minter"] as? String == (try await home.addressAsync("default")))

        let again = try await home.runAsync(["chain", "init"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds a chain"))
        #expect(try await home.heightAsync() == 0)
        #expect(try await home.objectAsync(["chain", "info"])["stateHash"] as? String == info["stateHash"] as? String)
    }

    @Test func initReadsTheExampleGenesisFile() async throws {
        let home = try TestHome()
        let created = try await home.objectAsync(["chain", "init", "--genesis", Self.exampleGenesis.path])
        #expect(created["chainID"] as? Int == 1337)
        let info = try await home.objectAsync(["chain", "info"])
        #expect(info["tokens"] as? Int == 2)
        #expect(info["time"] as? Int == 1_732_200_000)
        let usdx = try await home.objectAsync(["token", "balance", "--token", "USDX", "--account", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"])
        #expect(usdx["formatted"] as? String == "5000")
        #expect(usdx["decimals"] as? Int == 6)
        let tokens = try #require(try await home.jsonAsync(["token", "list"]) as? [[String: Any]])
        #expect(tokens.map { $0["symbol"] as? String } == ["DMT", "USDX"])
        #expect(tokens[1]["minter"] as? String == "module:genesis:fixed-supply")
    }

    @Test func initRefusesMalformedGenesisAndUnknownKeys() async throws {
        let home = try TestHome()
        let bad = home.url.appendingPathComponent("bad.json")
        try Data(#"{"chainID": 1, "timestamp": 5, "tokens": [{"symbol": "DMT", "name": "x", "decimals": 18, "balances": [{"account": "0x1234", "amount": "1"}]}]}"#.utf8).write(to: bad)
        let r = try await home.runAsync(["chain", "init", "--genesis", bad.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("tokens.[0].balances.[0].account") || r.stderr.contains("account"), "\(r.stderr)")

        let both = try await home.runAsync(["chain", "init", "--genesis", Self.exampleGenesis.path, "--chain-id", "9"])
        #expect(both.status == 2)
        #expect(both.stderr.contains("--chain-id"))

        let missing = try await home.runAsync(["chain", "init", "--genesis", home.url.appendingPathComponent("nope.json").path])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("cannot read"))

        let unknown = try await home.runAsync(["chain", "init", "--key", "zed"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--key: 'zed' is not a 0x address and no key of that name"))

        let noChain = try await home.runAsync(["chain", "info"])
        #expect(noChain.status == 2)
        #expect(noChain.stderr.contains("dmctl chain init"))
    }

    @Test func infoBlocksEventsAndVerifyDescribeTheChain() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["default", "bob"])
        let bob = try await home.addressAsync("bob")
        let alice = try await home.addressAsync("default")
        try await home.okAsync(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "2.5"])
        try await home.okAsync(["token", "transfer", "--token", "DMT", "--to", "default", "--amount", "1", "--key", "bob"])

        let info = try await home.objectAsync(["chain", "info"])
        #expect(info["height"] as? Int == 2)
        #expect((info["tipHash"] as? String)?.count == 66)
        #expect((info["warnings"] as? [Any])?.isEmpty == true)
        #expect(info["warpOffset"] as? Int == 0)

        let blocks = try #require(try await home.jsonAsync(["chain", "blocks"]) as? [[String: Any]])
        #expect(blocks.map { $0["height"] as? Int } == [0, 1, 2])
        #expect(blocks[2]["hash"] as? String == info["tipHash"] as? String)
        #expect(blocks[2]["parentHash"] as? String == blocks[1]["hash"] as? String)
        let tail = try #require(try await home.jsonAsync(["chain", "blocks", "--from", "1", "--limit", "1"]) as? [[String: Any]])
        #expect(tail.map { $0["height"] as? Int } == [1])
        #expect(try await home.runAsync(["chain", "blocks", "--limit", "0"]).status == 2)

        let transfers = try #require(try await home.jsonAsync(["chain", "events", "--account", "bob", "--kind", "Transfer"]) as? [[String: Any]])
        #expect(transfers.count == 2)
        #expect(transfers.map { ($0["fields"] as? [String: String])?["amount"] } == ["2500000000000000000", "1000000000000000000"])
        #expect((transfers[0]["accounts"] as? [String]) == [alice, bob])
        let mints = try #require(try await home.jsonAsync(["chain", "events", "--kind", "Mint", "--to", "0"]) as? [[String: Any]])
        #expect(mints.count == 1)
        let ranged = try #require(try await home.jsonAsync(["chain", "events", "--from", "2", "--to", "2"]) as? [[String: Any]])
        #expect(ranged.map { $0["height"] as? Int } == [2])
        #expect(try await home.runAsync(["chain", "events", "--from", "2", "--to", "1"]).status == 2)

        let verified = try await home.objectAsync(["chain", "verify"])
        #expect(verified["ok"] as? Bool == true)
        #expect(verified["blocks"] as? Int == 3)
        #expect(verified["transactions"] as? Int == 2)
        #expect(verified["stateHash"] as? String == info["stateHash"] as? String)
        let text = try await home.okAsync(["chain", "verify"])
        #expect(text.contains("result        ok"))
    }

    @Test func warpMovesChainTimeAndRejectsMalformedDurations() async throws {
        let home = try TestHome()
        try await home.initChainAsync()
        let before = try await home.objectAsync(["chain", "info"])
        let warped = try await home.objectAsync(["chain", "warp", "15m"])
        #expect(warped["warped"] as? Int == 900)
        #expect(warped["warpOffset"] as? Int == 900)
        #expect(warped["height"] as? Int == 1)
        try await home.okAsync(["chain", "warp", "2h"])
        let after = try await home.objectAsync(["chain", "info"])
        #expect(after["warpOffset"] as? Int == 900 + 7200)
        #expect(after["height"] as? Int == 2)
        let t0 = try #require(before["time"] as? Int), t1 = try #require(after["time"] as? Int)
        #expect(t1 >= t0 + 8100)

        for (bad, says) in [("15x", "unknown unit 'x'"), ("1.5h", "not a duration"), ("+3", "not a duration"), ("h", "no digits"),
                            ("0", "zero"), ("99999999999999999999d", "exceeds"), ("3 d", "not a duration"),
                            ("999999999999d", "more than 10 years"), ("3651d", "at most 3650d")] {
            let r = try await home.runAsync(["chain", "warp", bad])
            #expect(r.status == 2, "warp \(bad)")
            #expect(r.stderr.contains(says), "warp \(bad): \(r.stderr)")
        }
        let overflow = try await home.runAsync(["chain", "warp", "18446744073709551615"])
        #expect(overflow.status == 2)
        #expect(try await home.heightAsync() == 2)
        #expect(try await home.objectAsync(["chain", "info"])["warpOffset"] as? Int == 8100)
    }

    @Test func soakIsHiddenFromHelpAndEveryHelpHasAnExample() async throws {
        let runner = CLIRunner()
        let help = try await runner.runAsync(["chain", "--help"])
        #expect(help.status == 0)
        #expect(!help.stdout.contains("soak"))
        let commands = [["chain"], ["chain", "init"], ["chain", "info"], ["chain", "blocks"], ["chain", "events"], ["chain", "verify"],
                        ["chain", "warp"], ["token"], ["token", "create"], ["token", "mint"], ["token", "burn"], ["token", "transfer"],
                        ["token", "approve"], ["token", "transfer-from"], ["token", "balance"], ["token", "allowance"], ["token", "supply"],
                        ["token", "list"], ["nft"], ["nft", "mint"], ["nft", "transfer"], ["nft", "approve"], ["nft", "show"], ["nft", "list"],
                        ["stream"], ["stream", "open"], ["stream", "claim"], ["stream", "cancel"], ["stream", "show"], ["stream", "list"]]
        for command in commands {
            let r = try await runner.runAsync(command + ["--help"])
            #expect(r.status == 0, "\(command)")
            #expect(r.stdout.contains("Example"), "dmctl \(command.joined(separator: " ")) --help has no example")
        }
    }
}
