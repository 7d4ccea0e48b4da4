import DataMarketTesting
import Foundation
import LedgerCore
import Testing

/// `dmctl node serve` in its own process, with `dmctl --node` clients in others: concurrent
/// transfers share blocks, refusals are typed JSON, the stream follows new blocks, and a node
/// killed with SIGKILL mid-load keeps every transaction it acknowledged.
@Suite struct NodeServeTests {
    /// A running node process and its base URL.
    struct RunningNode {
        let process: Process
        let url: String

        func kill9() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
    }

    /// Starts `dmctl node serve --port <port> <arguments>` on `home` (port 0: any free one) and
    /// waits for its URL.
    static func startNode(_ home: TestHome, _ run: Int, arguments: [String] = ["--dev", "--block-interval", "50"], port: Int = 0) throws -> RunningNode {
        let out = home.url.appendingPathComponent("node-\(run).out"), err = home.url.appendingPathComponent("node-\(run).err")
        let process = try home.runner.start(
            ["node", "serve", "--port", "\(port)"] + arguments + ["--home", home.url.path], stdout: out, stderr: err)
        for _ in 0..<600 {
            let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on "), let end = text[range.upperBound...].firstIndex(of: " ") {
                return RunningNode(process: process, url: String(text[range.upperBound..<end]))
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        let err2 = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        throw CLIError(message: "node did not start: \(err2)")
    }

    struct CLIError: Error { let message: String }

    /// `curl` with `args`; returns the HTTP status and body.
    static func curl(_ args: [String]) throws -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let marker = "\n--status:"
        process.arguments = ["-s", "-w", "\(marker)%{http_code}"] + args
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let range = text.range(of: marker, options: .backwards) else { return (0, text) }
        return (Int(text[range.upperBound...]) ?? 0, String(text[..<range.lowerBound]))
    }

    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// Starts `dmctl --node URL token transfer` by each of `senders` at once; returns the
    /// processes and their output files.
    static func transfers(_ home: TestHome, _ node: RunningNode, from senders: [String], to recipient: String, tag: String) throws -> [(Process, URL, URL)] {
        try senders.map { sender in
            let out = home.url.appendingPathComponent("\(tag)-\(sender).out"), err = home.url.appendingPathComponent("\(tag)-\(sender).err")
            let p = try home.runner.start(
                ["token", "transfer", "--token", "DMT", "--to", recipient, "--amount", "1", "--key", sender, "--json",
                 "--node", node.url, "--home", home.url.path], stdout: out, stderr: err)
            return (p, out, err)
        }
    }

    @Test func chainInfoThroughANodePrintsTheLocalSummaryPlusTheNodesPoolAndMode() throws {
        let home = try TestHome()
        try home.initChain(keys: ["alice", "bob"])
        try home.ok(["token", "transfer", "--token", "DMT", "--to", try home.address("bob"), "--amount", "5", "--key", "alice"])
        let local = try home.object(["chain", "info"])
        let node = try Self.startNode(home, 0)
        defer { node.stop() }
        // A keys-only home elsewhere: everything it prints comes from the node.
        let remote = try TestHome()
        let info = try remote.object(["chain", "info", "--node", node.url])
        for key in ["chainID", "height", "tipHash", "stateHash", "tokens", "nfts", "streams", "time"] {
            #expect(info[key] as? NSObject == local[key] as? NSObject, "\(key): \(info[key] ?? "none") through the node, \(local[key] ?? "none") locally")
        }
        #expect(info["warnings"] as? [String] == [])
        #expect(info["warpOffset"] is Int)
        #expect((info["node"] as? String)?.hasPrefix(node.url) == true, "\(info["node"] ?? "none")")
        #expect(info["dev"] as? Bool == true)
        #expect(info["pending"] as? Int == 0)
        // The table names the same fields as the local one, the node's first.
        let table = try remote.ok(["chain", "info", "--node", node.url])
        for field in ["node", "chain id", "height", "tip", "time", "warp offset", "state hash", "tokens", "nfts", "streams", "warnings", "pending", "dev"] {
            #expect(table.contains(field), "\(field) missing from:\n\(table)")
        }
        // Without --node the summary is unchanged: no node fields.
        #expect(try home.object(["chain", "info"])["node"] == nil)
    }

    @Test func concurrentRemoteClientsShareBlocksAndAcknowledgedTransfersSurviveSIGKILL() throws {
        let home = try TestHome()
        let senders = ["bob", "carol", "dave", "erin"]
        try home.initChain(keys: ["alice"] + senders)
        var address: [String: String] = [:]
        for name in ["alice"] + senders { address[name] = try home.address(name) }
        for name in senders {
            try home.ok(["token", "transfer", "--token", "DMT", "--to", address[name] ?? "", "--amount", "100", "--key", "alice"])
        }
        let aliceStart = try UInt256(decimalInteger: try home.balance(address["alice"] ?? ""), field: "alice")
        let heightBefore = try home.height()

        // Three rounds of four concurrent clients against one node: all acknowledged.
        var node = try Self.startNode(home, 0)
        var acknowledged: [String] = []
        for round in 0..<3 {
            for (p, out, err) in try Self.transfers(home, node, from: senders, to: "alice", tag: "r\(round)") {
                p.waitUntilExit()
                let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
                #expect(p.terminationStatus == 0, "\((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
                if let hash = Self.object(text)["transactionHash"] as? String { acknowledged.append(hash) }
            }
        }
        #expect(acknowledged.count == 12)
        let heightAfter = try home.height()
        #expect(heightAfter - heightBefore < 12, "twelve transfers from concurrent clients share blocks (\(heightAfter - heightBefore) blocks)")

        // Refusals: JSON bodies with 400, 413 and 422, never a 5xx.
        var r = try Self.curl(["-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"transaction": "0xc3010203"}"#, node.url + "/transactions"])
        #expect(r.status == 400)
        #expect((Self.object(r.body)["detail"] as? String)?.contains("transaction") == true)
        let big = home.url.appendingPathComponent("big.json")
        try Data(("{\"transaction\": \"0x" + String(repeating: "00", count: 300_000) + "\"}").utf8).write(to: big)
        r = try Self.curl(["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@\(big.path)", node.url + "/transactions"])
        #expect(r.status == 413)
        #expect(Self.object(r.body)["error"] as? String == "payloadTooLarge")
        // bob has 100 - 3 DMT left; 1,000 is more than he holds: 422 with the ledger's code.
        let overdraw = try home.run(["token", "transfer", "--token", "DMT", "--to", "alice", "--amount", "1000", "--key", "bob", "--node", node.url])
        #expect(overdraw.status == 1, "refused by the protocol: \(overdraw.stderr)")
        #expect(overdraw.stderr.contains("LedgerError."))

        // The stream: everything up to the head, then a live block.
        let headText = try Self.curl([node.url + "/head"]).body
        let head = Self.object(headText)["height"] as? Int ?? -1
        let history = try Self.curl([node.url + "/stream?from=0&to=\(head)"])
        for h in 0...head { #expect(history.body.contains("id: \(h)\nevent: block\n"), "block \(h) in the stream") }
        let liveOut = home.url.appendingPathComponent("live.sse")
        let live = Process()
        live.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        live.arguments = ["-sN", "-o", liveOut.path, node.url + "/stream?from=\(head + 1)&to=\(head + 1)"]
        try live.run()
        Thread.sleep(forTimeInterval: 0.3)
        for (p, out, _) in try Self.transfers(home, node, from: ["carol"], to: "alice", tag: "live") {
            p.waitUntilExit()
            if p.terminationStatus == 0, let hash = Self.object((try? String(contentsOf: out, encoding: .utf8)) ?? "")["transactionHash"] as? String {
                acknowledged.append(hash)
            }
        }
        live.waitUntilExit()
        let streamed = (try? String(contentsOf: liveOut, encoding: .utf8)) ?? ""
        #expect(streamed.contains("id: \(head + 1)\nevent: block\n"))
        #expect(streamed.contains("\"kind\":\"Transfer\""))

        // SIGKILL the node mid-load three times; restart it each time.
        for kill in 0..<3 {
            let clients = try Self.transfers(home, node, from: senders, to: "alice", tag: "k\(kill)")
            Thread.sleep(forTimeInterval: 0.15 + 0.1 * Double(kill))
            node.kill9()
            for (p, out, _) in clients {
                p.waitUntilExit()
                if p.terminationStatus == 0, let hash = Self.object((try? String(contentsOf: out, encoding: .utf8)) ?? "")["transactionHash"] as? String {
                    acknowledged.append(hash)
                }
            }
            node = try Self.startNode(home, kill + 1)
        }
        // Every acknowledged transfer is included after the restarts.
        for hash in acknowledged {
            let status = Self.object(try Self.curl([node.url + "/transactions/\(hash)"]).body)
            #expect(status["status"] as? String == "included", "\(hash) was acknowledged")
        }
        // Balances are exact: each sender paid 1 DMT per transaction it has on the chain.
        let unit = UInt256(1_000_000_000_000_000_000 as UInt64)
        var paid = UInt256.zero
        for name in senders {
            let account = Self.object(try Self.curl([node.url + "/accounts/\(address[name] ?? "")"]).body)
            let nonce = account["nonce"] as? Int ?? -1
            let balances = account["balances"] as? [[String: Any]] ?? []
            let expected = try UInt256(100 - UInt64(nonce)).multiplied(by: unit)
            #expect(balances.first { $0["token"] as? String == "DMT" }?["balance"] as? String == expected.description, "\(name)")
            paid = try paid.adding(try UInt256(UInt64(nonce)).multiplied(by: unit))
        }
        // chain info through the node: the same head and state hash the folder reaches.
        let remoteInfo = try home.run(["chain", "info", "--json", "--node", node.url])
        let remoteHead = Self.object(remoteInfo.stdout)
        #expect(remoteHead["dev"] as? Bool == true, "chain info through the node: \(remoteInfo.stderr)")
        let aliceEnd = (try aliceStart.adding(paid)).description
        let remote = try home.run(["token", "balance", "--token", "DMT", "--account", "alice", "--json", "--node", node.url])
        #expect(Self.object(remote.stdout)["balance"] as? String == aliceEnd, "token balance read through the node: \(remote.stderr)")
        node.stop()
        #expect(try home.balance(address["alice"] ?? "") == aliceEnd)
        let localInfo = try home.object(["chain", "info"])
        #expect(localInfo["stateHash"] as? String == remoteHead["stateHash"] as? String)
        #expect(localInfo["height"] as? Int == remoteHead["height"] as? Int)
        let verify = try home.run(["chain", "verify"])
        #expect(verify.status == 0, "chain verify after the kills: \(verify.stderr)")
    }
}
