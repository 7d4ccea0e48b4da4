import DataMarketTesting
import Foundation
import LedgerCore
import Testing

/// `dmctl node serve` in its own process, with `dmctl --node` clients in others: concurrent
/// transfers share blocks, refusals are typed JSON, the stream follows new blocks, and a node
/// killed with SIGKILL mid-load keeps every transaction it acknowledged.
@Suite struct NodeServeTests {
    /// The body of a JSON object answer, or an empty object.
    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// Starts `dmctl --node URL token transfer` by each of `senders` at once; returns the
    /// clients, running.
    static func transfers(_ home: TestHome, _ node: RunningNode, from senders: [String], to recipient: String, tag: String) throws -> [BackgroundProcess] {
        try senders.map { sender in
            try home.runner.background(
                ["token", "transfer", "--token", "DMT", "--to", recipient, "--amount", "1", "--key", sender, "--json",
                 "--node", node.url, "--home", home.url.path], tag: "\(tag)-\(sender)", in: home.url)
        }
    }

    /// The transaction hash each client that succeeded printed, once all have exited.
    static func acknowledged(_ clients: [BackgroundProcess], expectAll: Bool) async -> [String] {
        var hashes: [String] = []
        for client in clients {
            let status = await client.exitStatus(timeout: .seconds(600))
            if expectAll { #expect(status == 0, "\(client.stderr)") }
            if status == 0, let hash = object(client.stdout)["transactionHash"] as? String { hashes.append(hash) }
        }
        return hashes
    }

    @Test func chainInfoThroughANodePrintsTheLocalSummaryPlusTheNodesPoolAndMode() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["alice", "bob"])
        try await home.okAsync(["token", "transfer", "--token", "DMT", "--to", try await home.addressAsync("bob"), "--amount", "5", "--key", "alice"])
        let local = try await home.objectAsync(["chain", "info"])
        let node = try await RunningNode.start(home, run: 0)
        defer { node.signalStop() }
        // A keys-only home elsewhere: everything it prints comes from the node.
        let remote = try TestHome()
        let info = try await remote.objectAsync(["chain", "info", "--node", node.url])
        for key in ["chainID", "height", "tipHash", "stateHash", "tokens", "nfts", "streams", "time"] {
            #expect(info[key] as? NSObject == local[key] as? NSObject, "\(key): \(info[key] ?? "none") through the node, \(local[key] ?? "none") locally")
        }
        #expect(info["warnings"] as? [String] == [])
        #expect(info["warpOffset"] is Int)
        #expect((info["node"] as? String)?.hasPrefix(node.url) == true, "\(info["node"] ?? "none")")
        #expect(info["dev"] as? Bool == true)
        #expect(info["pending"] as? Int == 0)
        // The table names the same fields as the local one, the node's first.
        let table = try await remote.okAsync(["chain", "info", "--node", node.url])
        for field in ["node", "chain id", "height", "tip", "time", "warp offset", "state hash", "tokens", "nfts", "streams", "warnings", "pending", "dev"] {
            #expect(table.contains(field), "\(field) missing from:\n\(table)")
        }
        // Without --node the summary is unchanged: no node fields.
        #expect(try await home.objectAsync(["chain", "info"])["node"] == nil)
    }

    @Test func concurrentRemoteClientsShareBlocksAndAcknowledgedTransfersSurviveSIGKILL() async throws {
        let home = try TestHome()
        let senders = ["bob", "carol", "dave", "erin"]
        try await home.initChainAsync(keys: ["alice"] + senders)
        var address: [String: String] = [:]
        for name in ["alice"] + senders { address[name] = try await home.addressAsync(name) }
        for name in senders {
            try await home.okAsync(["token", "transfer", "--token", "DMT", "--to", address[name] ?? "", "--amount", "100", "--key", "alice"])
        }
        let aliceStart = try UInt256(decimalInteger: try await home.balanceAsync(address["alice"] ?? ""), field: "alice")
        let heightBefore = try await home.heightAsync()

        // Three rounds of four concurrent clients against one node: all acknowledged. The node
        // builds a block when four are ready or after 5 s, so the clients of a round share one
        // unless the machine spreads their starts over more than 5 s (a 50 ms interval let a
        // loaded CI machine put each transfer in a block of its own).
        var node = try await RunningNode.start(home, run: 0, arguments: ["--dev", "--block-interval", "5000", "--max-block-transactions", "4"])
        var acknowledged: [String] = []
        for round in 0..<3 {
            acknowledged += await Self.acknowledged(try Self.transfers(home, node, from: senders, to: "alice", tag: "r\(round)"), expectAll: true)
        }
        #expect(acknowledged.count == 12)
        let heightAfter = try await home.heightAsync()
        #expect(heightAfter - heightBefore < 12, "twelve transfers from concurrent clients share blocks (\(heightAfter - heightBefore) blocks)")
        // The rest runs on the usual dev node (50 ms interval) over the same folder.
        #expect(await node.stop() == 0, "the node stops cleanly on SIGTERM")
        node = try await RunningNode.start(home, run: 9)

        // Refusals: JSON bodies with 400, 413 and 422, never a 5xx.
        var r = try await Curl.request(["-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"transaction": "0xc3010203"}"#, node.url + "/transactions"])
        #expect(r.status == 400)
        #expect((Self.object(r.body)["detail"] as? String)?.contains("transaction") == true)
        let big = home.url.appendingPathComponent("big.json")
        try Data(("{\"transaction\": \"0x" + String(repeating: "00", count: 300_000) + "\"}").utf8).write(to: big)
        r = try await Curl.request(["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@\(big.path)", node.url + "/transactions"])
        #expect(r.status == 413)
        #expect(Self.object(r.body)["error"] as? String == "payloadTooLarge")
        // bob has 100 - 3 DMT left; 1,000 is more than he holds: 422 with the ledger's code.
        let overdraw = try await home.runAsync(["token", "transfer", "--token", "DMT", "--to", "alice", "--amount", "1000", "--key", "bob", "--node", node.url])
        #expect(overdraw.status == 1, "refused by the protocol: \(overdraw.stderr)")
        #expect(overdraw.stderr.contains("LedgerError."))

        // The stream: everything up to the head, then a live block.
        let headText = try await Curl.request([node.url + "/head"]).body
        let head = Self.object(headText)["height"] as? Int ?? -1
        let history = try await Curl.request([node.url + "/stream?from=0&to=\(head)"])
        for h in 0...head { #expect(history.body.contains("id: \(h)\nevent: block\n"), "block \(h) in the stream") }
        let liveOut = home.url.appendingPathComponent("live.sse")
        let live = try Curl.stream(node.url + "/stream?from=\(head + 1)&to=\(head + 1)", into: liveOut)
        try await Task.sleep(for: .milliseconds(300))
        acknowledged += await Self.acknowledged(try Self.transfers(home, node, from: ["carol"], to: "alice", tag: "live"), expectAll: false)
        #expect(await live.exits(within: .seconds(120)), "the live stream ended after block \(head + 1)")
        let streamed = (try? String(contentsOf: liveOut, encoding: .utf8)) ?? ""
        #expect(streamed.contains("id: \(head + 1)\nevent: block\n"))
        #expect(streamed.contains("\"kind\":\"Transfer\""))

        // SIGKILL the node mid-load three times; restart it each time.
        for kill in 0..<3 {
            let clients = try Self.transfers(home, node, from: senders, to: "alice", tag: "k\(kill)")
            try await Task.sleep(for: .milliseconds(150 + 100 * kill))
            await node.kill9()
            acknowledged += await Self.acknowledged(clients, expectAll: false)
            node = try await RunningNode.start(home, run: kill + 1)
        }
        // Every acknowledged transfer is included after the restarts.
        for hash in acknowledged {
            let status = Self.object(try await Curl.request([node.url + "/transactions/\(hash)"]).body)
            #expect(status["status"] as? String == "included", "\(hash) was acknowledged")
        }
        // Balances are exact: each sender paid 1 DMT per transaction it has on the chain.
        let unit = UInt256(1_000_000_000_000_000_000 as UInt64)
        var paid = UInt256.zero
        for name in senders {
            let account = Self.object(try await Curl.request([node.url + "/accounts/\(address[name] ?? "")"]).body)
            let nonce = account["nonce"] as? Int ?? -1
            let balances = account["balances"] as? [[String: Any]] ?? []
            let expected = try UInt256(100 - UInt64(nonce)).multiplied(by: unit)
            #expect(balances.first { $0["token"] as? String == "DMT" }?["balance"] as? String == expected.description, "\(name)")
            paid = try paid.adding(try UInt256(UInt64(nonce)).multiplied(by: unit))
        }
        // chain info through the node: the same head and state hash the folder reaches.
        let remoteInfo = try await home.runAsync(["chain", "info", "--json", "--node", node.url])
        let remoteHead = Self.object(remoteInfo.stdout)
        #expect(remoteHead["dev"] as? Bool == true, "chain info through the node: \(remoteInfo.stderr)")
        let aliceEnd = (try aliceStart.adding(paid)).description
        let remote = try await home.runAsync(["token", "balance", "--token", "DMT", "--account", "alice", "--json", "--node", node.url])
        #expect(Self.object(remote.stdout)["balance"] as? String == aliceEnd, "token balance read through the node: \(remote.stderr)")
        await node.stop()
        #expect(try await home.balanceAsync(address["alice"] ?? "") == aliceEnd)
        let localInfo = try await home.objectAsync(["chain", "info"])
        #expect(localInfo["stateHash"] as? String == remoteHead["stateHash"] as? String)
        #expect(localInfo["height"] as? Int == remoteHead["height"] as? Int)
        let verify = try await home.runAsync(["chain", "verify"])
        #expect(verify.status == 0, "chain verify after the kills: \(verify.stderr)")
    }
}
