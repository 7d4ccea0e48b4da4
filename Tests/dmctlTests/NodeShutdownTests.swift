import DataMarketTesting
import Foundation
import LedgerCore
import Testing

/// `dmctl node serve` stopped with SIGTERM while clients hold its live stream open (a
/// follower, a raw SSE reader, a `wait` submission): it answers them, ends the streams and exits
/// 0 within seconds; the follower keeps serving reads and follows again when the node is back.
@Suite struct NodeShutdownTests {
    typealias RunningNode = NodeServeTests.RunningNode

    /// Sends SIGTERM and waits up to `seconds` for the exit; returns how long it took, or nil
    /// when the process is still running (then it is killed).
    static func terminate(_ node: RunningNode, within seconds: Double = 10) -> Double? {
        let started = Date()
        kill(node.process.processIdentifier, SIGTERM)
        while node.process.isRunning, Date().timeIntervalSince(started) < seconds {
            Thread.sleep(forTimeInterval: 0.02)
        }
        guard !node.process.isRunning else {
            node.kill9()
            return nil
        }
        node.process.waitUntilExit()
        return Date().timeIntervalSince(started)
    }

    /// `curl -sN` reading `url` into `file` in the background.
    static func reader(_ url: String, into file: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sN", "-o", file.path, url]
        try process.run()
        return process
    }

    /// `curl` in the background writing its body and, last, `--status:<code>` into `file`.
    static func backgroundRequest(_ args: [String], into file: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-s", "-o", file.path, "-w", "%{http_code}"] + args
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        return process
    }

    static func waitForExit(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return !process.isRunning
    }

    static func waitForText(_ file: URL, _ text: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if ((try? String(contentsOf: file, encoding: .utf8)) ?? "").contains(text) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    @Test func sigtermEndsOpenStreamsAndExitsZeroAndTheFollowerFollowsTheRestartedNode() throws {
        let home = try TestHome()
        try home.initChain(keys: ["alice", "bob"])
        let bob = try home.address("bob")
        let port = DatatrustMarket.freePort()
        var leader = try NodeServeTests.startNode(home, 0, arguments: ["--block-interval", "50"], port: port)
        let followerHome = try TestHome()
        let follower = try NodeFollowerTests.follow(followerHome, leader, run: 0)
        defer {
            leader.stop()
            follower.stop()
        }
        _ = try home.ok(["token", "transfer", "--token", "DMT", "--to", bob, "--amount", "5", "--key", "alice", "--node", leader.url])
        var (l, f) = try NodeFollowerTests.converge(leader, follower)
        #expect(f["height"] as? Int == l["height"] as? Int)
        let heightBefore = l["height"] as? Int ?? -1

        // Attached: the follower's own stream, a raw SSE reader, and a submission waiting (its
        // nonce leaves a gap, so no block can include it before the node stops).
        let sse = home.url.appendingPathComponent("leader.sse")
        let reader = try Self.reader(leader.url + "/stream?from=0", into: sse)
        defer { if reader.isRunning { reader.terminate() } }
        #expect(Self.waitForText(sse, "id: \(heightBefore)\nevent: block", seconds: 20), "the reader got the blocks so far")
        let alice = try PrivateKey(hex: try Self.privateKeyHex(home, "alice"))
        let aliceNonce = NodeServeTests.object(try NodeServeTests.curl([leader.url + "/accounts/\(alice.address.checksummed)"]).body)["nonce"] as? Int ?? 0
        let gapped = try SignedTransaction.sign(
            LedgerModule.Call.transfer(token: try TokenID("DMT"), to: try Address(bob), amount: 1), for: LedgerModule.self,
            chainID: UInt64(l["chainID"] as? Int ?? 0), nonce: UInt64(aliceNonce + 3), with: alice)
        let waitFile = home.url.appendingPathComponent("wait.json")
        let waiting = try Self.backgroundRequest(
            ["-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"transaction": "\#(Hex.encode(gapped.encoded))"}"#,
             leader.url + "/transactions?wait=true&timeout=60"], into: waitFile)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(waiting.isRunning, "the submission waits for a block")

        let took = try #require(Self.terminate(leader), "the node did not exit within 10 s of SIGTERM with streams open")
        #expect(leader.process.terminationReason == .exit)
        #expect(leader.process.terminationStatus == 0, "\((try? String(contentsOf: home.url.appendingPathComponent("node-0.err"), encoding: .utf8)) ?? "")")
        print("node exited \(took) s after SIGTERM")
        #expect(took < 10)
        // The waiting submission was answered (still pending: 202), and the reader's stream ended.
        #expect(Self.waitForExit(waiting, seconds: 5), "the wait submission was answered")
        let answer = NodeServeTests.object((try? String(contentsOf: waitFile, encoding: .utf8)) ?? "")
        #expect(answer["status"] as? String == "pending", "\(answer)")
        #expect(Self.waitForExit(reader, seconds: 5), "the SSE reader's stream ended")

        // The follower still serves reads while its leader is down.
        let read = try NodeServeTests.curl([follower.url + "/head"])
        #expect(read.status == 200)
        #expect(NodeServeTests.object(read.body)["height"] as? Int == heightBefore)
        let account = try NodeServeTests.curl([follower.url + "/accounts/\(bob)"])
        #expect(account.status == 200)

        // The node restarted on the same folder and port: the follower follows it again, and a
        // transaction submitted through the follower is included and replicated.
        leader = try NodeServeTests.startNode(home, 1, arguments: ["--block-interval", "50"], port: port)
        let through = try home.run(["token", "transfer", "--token", "DMT", "--to", bob, "--amount", "2", "--key", "alice", "--json", "--node", follower.url])
        #expect(through.status == 0, "\(through.stderr)")
        (l, f) = try NodeFollowerTests.converge(leader, follower)
        #expect((l["height"] as? Int ?? 0) > heightBefore)
        #expect(f["height"] as? Int == l["height"] as? Int)
        #expect(f["stateHash"] as? String == l["stateHash"] as? String)

        // SIGTERM of the follower with a client attached to its stream: exits 0 within 10 s.
        let followerSSE = home.url.appendingPathComponent("follower.sse")
        let followerReader = try Self.reader(follower.url + "/stream?from=0", into: followerSSE)
        defer { if followerReader.isRunning { followerReader.terminate() } }
        #expect(Self.waitForText(followerSSE, "id: \(l["height"] as? Int ?? 0)\nevent: block", seconds: 20))
        let followerTook = try #require(Self.terminate(follower), "the follower did not exit within 10 s of SIGTERM")
        print("follower exited \(followerTook) s after SIGTERM")
        #expect(follower.process.terminationReason == .exit)
        #expect(follower.process.terminationStatus == 0)
        #expect(Self.waitForExit(followerReader, seconds: 5), "the follower's SSE reader's stream ended")
        // The leader, no stream attached now, also exits 0.
        #expect(Self.terminate(leader) != nil)
        #expect(leader.process.terminationStatus == 0)
        #expect(try home.run(["chain", "verify"]).status == 0)
        #expect(try followerHome.run(["chain", "verify"]).status == 0)
    }

    /// The private key of `name` in `home`, as hex.
    static func privateKeyHex(_ home: TestHome, _ name: String) throws -> String {
        let exported = try home.object(["key", "export", name])
        return try #require(exported["privateKey"] as? String, "key export \(name): \(exported)")
    }
}
