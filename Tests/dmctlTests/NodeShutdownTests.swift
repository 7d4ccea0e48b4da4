import DataMarketTesting
import Foundation
import LedgerCore
import Testing

/// `dmctl node serve` stopped with SIGTERM while clients hold its live stream open (a
/// follower, a raw SSE reader, a `wait` submission): it answers them, ends the streams and exits
/// 0 within seconds; the follower keeps serving reads and follows again when the node is back.
@Suite struct NodeShutdownTests {
    /// Sends SIGTERM and waits up to `limit` for the exit; returns how many seconds it took,
    /// or nil when the process is still running (then it is killed).
    static func terminate(_ node: RunningNode, within limit: Duration = .seconds(10)) async -> Double? {
        let clock = ContinuousClock()
        let started = clock.now
        node.handle.terminate()
        guard await node.handle.exits(within: limit) else {
            await node.kill9()
            return nil
        }
        let took = started.duration(to: clock.now)
        return Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
    }

    @Test func sigtermEndsOpenStreamsAndExitsZeroAndTheFollowerFollowsTheRestartedNode() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["alice", "bob"])
        let bob = try await home.addressAsync("bob")
        let port = DatatrustMarket.freePort()
        var leader = try await RunningNode.start(home, run: 0, arguments: ["--block-interval", "50"], port: port)
        let followerHome = try TestHome()
        let follower = try await NodeFollowerTests.follow(followerHome, leader, run: 0)
        defer {
            leader.signalStop()
            follower.signalStop()
        }
        _ = try await home.okAsync(["token", "transfer", "--token", "DMT", "--to", bob, "--amount", "5", "--key", "alice", "--node", leader.url])
        var (l, f) = try await NodeFollowerTests.converge(leader, follower)
        #expect(f["height"] as? Int == l["height"] as? Int)
        let heightBefore = l["height"] as? Int ?? -1

        // Attached: the follower's own stream, a raw SSE reader, and a submission waiting (its
        // nonce leaves a gap, so no block can include it before the node stops).
        let sse = home.url.appendingPathComponent("leader.sse")
        let reader = try Curl.stream(leader.url + "/stream?from=0", into: sse)
        defer { reader.terminate() }
        #expect(await Self.eventuallyContains(sse, "id: \(heightBefore)\nevent: block", within: .seconds(20)), "the reader got the blocks so far")
        let alice = try PrivateKey(hex: try await Self.privateKeyHex(home, "alice"))
        let aliceNonce = NodeServeTests.object(try await Curl.request([leader.url + "/accounts/\(alice.address.checksummed)"]).body)["nonce"] as? Int ?? 0
        let gapped = try SignedTransaction.sign(
            LedgerModule.Call.transfer(token: try TokenID("DMT"), to: try Address(bob), amount: 1), for: LedgerModule.self,
            chainID: UInt64(l["chainID"] as? Int ?? 0), nonce: UInt64(aliceNonce + 3), with: alice)
        let waitFile = home.url.appendingPathComponent("wait.json")
        let waiting = try Curl.background(
            ["-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"transaction": "\#(Hex.encode(gapped.encoded))"}"#,
             leader.url + "/transactions?wait=true&timeout=60"], into: waitFile)
        try await Task.sleep(for: .milliseconds(500))
        #expect(waiting.isRunning, "the submission waits for a block")

        let took = try #require(await Self.terminate(leader), "the node did not exit within 10 s of SIGTERM with streams open")
        #expect(leader.process.terminationReason == .exit)
        #expect(leader.process.terminationStatus == 0, "\(leader.handle.stderr)")
        print("node exited \(took) s after SIGTERM")
        #expect(took < 10)
        // The waiting submission was answered (still pending: 202), and the reader's stream ended.
        #expect(await waiting.exits(within: .seconds(5)), "the wait submission was answered")
        let answer = NodeServeTests.object((try? String(contentsOf: waitFile, encoding: .utf8)) ?? "")
        #expect(answer["status"] as? String == "pending", "\(answer)")
        #expect(await reader.exits(within: .seconds(5)), "the SSE reader's stream ended")

        // The follower still serves reads while its leader is down.
        let read = try await Curl.request([follower.url + "/head"])
        #expect(read.status == 200)
        #expect(NodeServeTests.object(read.body)["height"] as? Int == heightBefore)
        let account = try await Curl.request([follower.url + "/accounts/\(bob)"])
        #expect(account.status == 200)

        // The node restarted on the same folder and port: the follower follows it again, and a
        // transaction submitted through the follower is included and replicated.
        leader = try await RunningNode.start(home, run: 1, arguments: ["--block-interval", "50"], port: port)
        let through = try await home.runAsync(["token", "transfer", "--token", "DMT", "--to", bob, "--amount", "2", "--key", "alice", "--json", "--node", follower.url])
        #expect(through.status == 0, "\(through.stderr)")
        (l, f) = try await NodeFollowerTests.converge(leader, follower)
        #expect((l["height"] as? Int ?? 0) > heightBefore)
        #expect(f["height"] as? Int == l["height"] as? Int)
        #expect(f["stateHash"] as? String == l["stateHash"] as? String)

        // SIGTERM of the follower with a client attached to its stream: exits 0 within 10 s.
        let followerSSE = home.url.appendingPathComponent("follower.sse")
        let followerReader = try Curl.stream(follower.url + "/stream?from=0", into: followerSSE)
        defer { followerReader.terminate() }
        #expect(await Self.eventuallyContains(followerSSE, "id: \(l["height"] as? Int ?? 0)\nevent: block", within: .seconds(20)))
        let followerTook = try #require(await Self.terminate(follower), "the follower did not exit within 10 s of SIGTERM")
        print("follower exited \(followerTook) s after SIGTERM")
        #expect(follower.process.terminationReason == .exit)
        #expect(follower.process.terminationStatus == 0)
        #expect(await followerReader.exits(within: .seconds(5)), "the follower's SSE reader's stream ended")
        // The leader, no stream attached now, also exits 0.
        #expect(await Self.terminate(leader) != nil)
        #expect(leader.process.terminationStatus == 0)
        #expect(try await home.runAsync(["chain", "verify"]).status == 0)
        #expect(try await followerHome.runAsync(["chain", "verify"]).status == 0)
    }

    /// The private key of `name` in `home`, as hex.
    static func privateKeyHex(_ home: TestHome, _ name: String) async throws -> String {
        let exported = try await home.objectAsync(["key", "export", name])
        return try #require(exported["privateKey"] as? String, "key export \(name): \(exported)")
    }

    /// Whether `file` comes to contain `text` within `limit`.
    static func eventuallyContains(_ file: URL, _ text: String, within limit: Duration) async -> Bool {
        await eventually(timeout: limit, every: .milliseconds(50)) {
            ((try? String(contentsOf: file, encoding: .utf8)) ?? "").contains(text)
        }
    }
}
