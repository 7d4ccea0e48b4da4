import DataMarketTesting
import Foundation
import Testing

/// `dmctl chain ...` end to end through the built binary.
@Suite struct ChainCommandTests {
    static let exampleGenesis = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/genesis.json")

    @Test func initCreatesTheDefaultGenesisAndRefusesASecondInit() throws {
        let home = try TestHome()
        try home.ok(["key", "new", "--name", "default"])
        let created = try home.object(["chain", "init", "--chain-id", "4242"])
        #expect(created["chainID"] as? Int == 4242)
        let info = try home.object(["chain", "info"])
        #expect(info["chainID"] as? Int == 4242)
        #expect(info["height"] as? Int == 0)
        #expect(info["tokens"] as? Int == 1)
        let balance = try home.object(["token", "balance", "--token", "DMT"])
        #expect(balance["balance"] as? String == "1000000" + String(repeating: "0", count: 18))
        #expect(balance["formatted"] as? String == "1000000")
        let supply = try home.object(["token", "supply", "--token", "DMT"])
        #expect(supply["minter"] as? String == (try home.address("default")))

        let again = try home.run(["chain", "init"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds a chain"))
        #expect(try home.height() == 0)
        #expect(try home.object(["chain", "info"])["stateHash"] as? String == info["stateHash"] as? String)
    }

    @Test func initReadsTheExampleGenesisFile() throws {
        let home = try TestHome()
        let created = try home.object(["chain", "init", "--genesis", Self.exampleGenesis.path])
        #expect(created["chainID"] as? Int == 1337)
        let info = try home.object(["chain", "info"])
        #expect(info["tokens"] as? Int == 2)
        #expect(info["time"] as? Int == 1_732_200_000)
        let usdx = try home.object(["token", "balance", "--token", "USDX", "--account", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"])
        #expect(usdx["formatted"] as? String == "5000")
        #expect(usdx["decimals"] as? Int == 6)
        let tokens = try #require(try home.json(["token", "list"]) as? [[String: Any]])
        #expect(tokens.map { $0["symbol"] as? String } == ["DMT", "USDX"])
        #expect(tokens[1]["minter"] as? String == "module:genesis:fixed-supply")
    }

    @Test func initRefusesMalformedGenesisAndUnknownKeys() throws {
        let home = try TestHome()
        let bad = home.url.appendingPathComponent("bad.json")
        try Data(#"{"chainID": 1, "timestamp": 5, "tokens": [{"symbol": "DMT", "name": "x", "decimals": 18, "balances": [{"account": "0x1234", "amount": "1"}]}]}"#.utf8).write(to: bad)
        let r = try home.run(["chain", "init", "--genesis", bad.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("tokens.[0].balances.[0].account") || r.stderr.contains("account"), "\(r.stderr)")

        let both = try home.run(["chain", "init", "--genesis", Self.exampleGenesis.path, "--chain-id", "9"])
        #expect(both.status == 2)
        #expect(both.stderr.contains("--chain-id"))

        let missing = try home.run(["chain", "init", "--genesis", home.url.appendingPathComponent("nope.json").path])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("cannot read"))

        let unknown = try home.run(["chain", "init", "--key", "zed"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown key 'zed'"))

        let noChain = try home.run(["chain", "info"])
        #expect(noChain.status == 2)
        #expect(noChain.stderr.contains("dmctl chain init"))
    }

    @Test func infoBlocksEventsAndVerifyDescribeTheChain() throws {
        let home = try TestHome()
        try home.initChain(keys: ["default", "bob"])
        let bob = try home.address("bob")
        let alice = try home.address("default")
        try home.ok(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "2.5"])
        try home.ok(["token", "transfer", "--token", "DMT", "--to", "default", "--amount", "1", "--key", "bob"])

        let info = try home.object(["chain", "info"])
        #expect(info["height"] as? Int == 2)
        #expect((info["tipHash"] as? String)?.count == 66)
        #expect((info["warnings"] as? [Any])?.isEmpty == true)
        #expect(info["warpOffset"] as? Int == 0)

        let blocks = try #require(try home.json(["chain", "blocks"]) as? [[String: Any]])
        #expect(blocks.map { $0["height"] as? Int } == [0, 1, 2])
        #expect(blocks[2]["hash"] as? String == info["tipHash"] as? String)
        #expect(blocks[2]["parentHash"] as? String == blocks[1]["hash"] as? String)
        let tail = try #require(try home.json(["chain", "blocks", "--from", "1", "--limit", "1"]) as? [[String: Any]])
        #expect(tail.map { $0["height"] as? Int } == [1])
        #expect(try home.run(["chain", "blocks", "--limit", "0"]).status == 2)

        let transfers = try #require(try home.json(["chain", "events", "--account", "bob", "--kind", "Transfer"]) as? [[String: Any]])
        #expect(transfers.count == 2)
        #expect(transfers.map { ($0["fields"] as? [String: String])?["amount"] } == ["2500000000000000000", "1000000000000000000"])
        #expect((transfers[0]["accounts"] as? [String]) == [alice, bob])
        let mints = try #require(try home.json(["chain", "events", "--kind", "Mint", "--to", "0"]) as? [[String: Any]])
        #expect(mints.count == 1)
        let ranged = try #require(try home.json(["chain", "events", "--from", "2", "--to", "2"]) as? [[String: Any]])
        #expect(ranged.map { $0["height"] as? Int } == [2])
        #expect(try home.run(["chain", "events", "--from", "2", "--to", "1"]).status == 2)

        let verified = try home.object(["chain", "verify"])
        #expect(verified["ok"] as? Bool == true)
        #expect(verified["blocks"] as? Int == 3)
        #expect(verified["transactions"] as? Int == 2)
        #expect(verified["stateHash"] as? String == info["stateHash"] as? String)
        let text = try home.ok(["chain", "verify"])
        #expect(text.contains("result        ok"))
    }

    @Test func warpMovesChainTimeAndRejectsMalformedDurations() throws {
        let home = try TestHome()
        try home.initChain()
        let before = try home.object(["chain", "info"])
        let warped = try home.object(["chain", "warp", "15m"])
        #expect(warped["warped"] as? Int == 900)
        #expect(warped["warpOffset"] as? Int == 900)
        #expect(warped["height"] as? Int == 1)
        try home.ok(["chain", "warp", "2h"])
        let after = try home.object(["chain", "info"])
        #expect(after["warpOffset"] as? Int == 900 + 7200)
        #expect(after["height"] as? Int == 2)
        let t0 = try #require(before["time"] as? Int), t1 = try #require(after["time"] as? Int)
        #expect(t1 >= t0 + 8100)

        for (bad, says) in [("15x", "unknown unit 'x'"), ("1.5h", "not a duration"), ("+3", "not a duration"), ("h", "no digits"),
                            ("0", "zero"), ("99999999999999999999d", "exceeds"), ("3 d", "not a duration"),
                            ("999999999999d", "more than 10 years"), ("3651d", "at most 3650d")] {
            let r = try home.run(["chain", "warp", bad])
            #expect(r.status == 2, "warp \(bad)")
            #expect(r.stderr.contains(says), "warp \(bad): \(r.stderr)")
        }
        let overflow = try home.run(["chain", "warp", "18446744073709551615"])
        #expect(overflow.status == 2)
        #expect(try home.height() == 2)
        #expect(try home.object(["chain", "info"])["warpOffset"] as? Int == 8100)
    }

    @Test func soakIsHiddenFromHelpAndEveryHelpHasAnExample() throws {
        let runner = CLIRunner()
        let help = try runner.run(["chain", "--help"])
        #expect(help.status == 0)
        #expect(!help.stdout.contains("soak"))
        let commands = [["chain"], ["chain", "init"], ["chain", "info"], ["chain", "blocks"], ["chain", "events"], ["chain", "verify"],
                        ["chain", "warp"], ["token"], ["token", "create"], ["token", "mint"], ["token", "burn"], ["token", "transfer"],
                        ["token", "approve"], ["token", "transfer-from"], ["token", "balance"], ["token", "allowance"], ["token", "supply"],
                        ["token", "list"], ["nft"], ["nft", "mint"], ["nft", "transfer"], ["nft", "approve"], ["nft", "show"], ["nft", "list"],
                        ["stream"], ["stream", "open"], ["stream", "claim"], ["stream", "cancel"], ["stream", "show"], ["stream", "list"]]
        for command in commands {
            let r = try runner.run(command + ["--help"])
            #expect(r.status == 0, "\(command)")
            #expect(r.stdout.contains("Example"), "dmctl \(command.joined(separator: " ")) --help has no example")
        }
    }
}
