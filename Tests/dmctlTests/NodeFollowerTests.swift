import DataMarketTesting
import Foundation
import LedgerCore
import MarketKit
import Testing

/// `dmctl node serve --follow` in its own process: a verifying follower of a node, with the
/// market's parties using `dmctl --node <follower>` (some straight at the node) for a whole
/// round (list, challenge, invest, paid query, model bounty); it ends at the leader's state hash, both
/// folders pass `chain verify`, and a follower killed with SIGKILL mid-sync resumes from its own
/// store and converges.
@Suite struct NodeFollowerTests {
    static func head(_ node: RunningNode) async throws -> [String: Any] {
        NodeServeTests.object(try await Curl.request([node.url + "/head"]).body)
    }

    /// Waits until the follower's head is the leader's (height and state hash); returns both heads.
    static func converge(_ leader: RunningNode, _ follower: RunningNode, within limit: Duration = .seconds(120)) async throws
        -> ([String: Any], [String: Any])
    {
        var heads: ([String: Any], [String: Any]) = ([:], [:])
        _ = try await eventually(timeout: limit, every: .milliseconds(100)) {
            heads = (try await head(leader), try await head(follower))
            return (heads.0["height"] as? Int) == (heads.1["height"] as? Int) && (heads.0["stateHash"] as? String) == (heads.1["stateHash"] as? String)
        }
        return heads
    }

    static func follow(_ home: TestHome, _ leader: RunningNode, run: Int) async throws -> RunningNode {
        try await RunningNode.start(home, run: run, arguments: ["--follow", leader.url])
    }

    @Test func partiesUsingAFollowerPlayAMarketRoundThatEndsWithTheLeadersStateHash() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["alice", "dt", "bob", "buyer", "carol"])
        let leader = try await RunningNode.start(home, run: 0)
        defer { leader.signalStop() }
        let followerHome = try TestHome()
        let follower = try await Self.follow(followerHome, leader, run: 0)
        defer { follower.signalStop() }
        #expect(follower.handle.stdout.contains("following \(leader.url)"))

        // Every party signs with its own key here and submits through the follower, which
        // forwards to the leader and answers once it has verified the block holding it.
        func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
            try await home.okAsync(args + ["--node", follower.url], sourceLocation: sourceLocation)
        }
        func warp(_ seconds: Int) async throws {
            let r = try await Curl.request(["-X", "POST", "-H", "Content-Type: application/json", "-d", "{\"seconds\": \(seconds)}", leader.url + "/chain/warp"])
            #expect(r.status == 200, "warp on the leader: \(r.body)")
            // Warping the follower is refused: chain time is the leader's.
            let refused = try await Curl.request(["-X", "POST", "-H", "Content-Type: application/json", "-d", "{\"seconds\": 1}", follower.url + "/chain/warp"])
            #expect(refused.status == 403)
        }
        for who in ["bob", "buyer", "carol"] {
            _ = try await ok(["token", "transfer", "--token", "DMT", "--to", who, "--amount", "1000", "--key", "alice"])
        }
        #expect(try await ok(["market", "create", "heart", "--network-token", "DMT", "--set", "voteBy=60", "--set", "councilThreshold=0", "--key", "alice"])
            .contains("MarketCreated"))
        #expect(try await ok(["market", "invest", "heart", "10", "--key", "alice"]).contains("Invested"))
        #expect(try await ok(["market", "invest", "heart", "5", "--key", "carol"]).contains("Invested"))
        _ = try await ok(["market", "backend", "propose", "heart", "--url", "http://127.0.0.1", "--address", try await home.addressAsync("dt"), "--key", "alice"])
        _ = try await ok(["market", "vote", "heart", "1", "yea", "--key", "alice"])
        try await warp(61)
        #expect(try await ok(["market", "resolve", "heart", "1", "--key", "bob"]).contains("BackendAuthorised"))

        // The datatrust follows the follower: it reads the chain from there and submits its
        // attestations and usage reports through it.
        let folder = home.url.appendingPathComponent("datatrust")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = """
            {"name": "dt-remote", "markets": [{"market": "heart", "schema": {"format": "csv", "columns": [{"name": "age", "type": "integer", "min": 0, "max": 120}]},
              "allowRawSQL": true, "epsilonBudget": "2", "baseCost": "0", "costPerRow": "0"}]}
            """
        try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
        let dtPort = DatatrustMarket.freePort()
        let dtURL = "http://127.0.0.1:\(dtPort)"
        let datatrust = try home.runner.background(
            ["datatrust", "serve", "--port", "\(dtPort)", "--key", "dt", "--node", follower.url, "--home", home.url.path], tag: "datatrust", in: home.url)
        defer { datatrust.terminate() }
        let up = try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            try await home.runAsync(["datatrust", "markets", "--url", dtURL]).status == 0 || !datatrust.isRunning
        }
        try #require(up && datatrust.isRunning, "datatrust did not come up: \(datatrust.stderr)")

        // bob applies through the follower and uploads; the datatrust attests through the follower.
        let text = "age\n11\n12\n13\n"
        let file = home.url.appendingPathComponent("bob.csv")
        try Data(text.utf8).write(to: file)
        let dataHash = Keccak256.hash(Array(text.utf8))
        let bob = try Address(try await home.addressAsync("bob"))
        let listing = Listing.id(applicant: bob, dataHash: dataHash)
        #expect(try await ok(["market", "apply", "heart", "--file", file.path, "--key", "bob"]).contains(listing.hex))
        let added = try await home.runAsync(["datatrust", "add", "--url", dtURL, "--market", "heart", file.path, "--key", "bob"])
        #expect(added.status == 0, "datatrust add: \(added.stderr)")
        let attested = await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            (try? await Curl.request([leader.url + "/events?kind=Attested"]))?.body.contains(listing.hex) == true
        }
        #expect(attested, "the datatrust's attestation reached the leader through the follower")
        _ = try await ok(["market", "vote", "heart", "2", "yea", "--key", "alice"])
        try await warp(61)
        #expect(try await ok(["market", "resolve", "heart", "2", "--key", "alice", "--json"]).contains("\"Listed\""))
        _ = try await ok(["market", "set-access-cost", "heart", listing.hex, "0.2", "--key", "bob"])

        // The buyer pays a job through the follower and queries; the usage report goes through
        // the follower too and pays bob his access cost.
        _ = try await ok(["market", "pay", "heart", "--max-price", "10", "--backend", try await home.addressAsync("dt"), "--key", "buyer"])
        let before = try UInt256(decimalInteger: try await home.balanceAsync(bob.checksummed), field: "bob")
        let query = try await home.runAsync(["datatrust", "query", "--url", dtURL, "--market", "heart", "--job", "heart=1", "--sql", "SELECT age FROM heart ORDER BY age", "--json", "--key", "buyer"])
        try #require(query.status == 0, "query: \(query.stderr) \(datatrust.stderr)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(query.stdout.utf8)) as? [String: Any])
        #expect((result["rows"] as? [[Any]] ?? []).compactMap { ($0.first as? NSNumber)?.intValue } == [11, 12, 13])
        #expect((result["usageReports"] as? [String: String])?["heart"] != nil, "usage reported: \(query.stdout)")
        var after = before
        _ = try await eventually(timeout: .seconds(10), every: .milliseconds(100)) {
            after = try UInt256(decimalInteger: try await home.balanceAsync(bob.checksummed), field: "bob")
            return after != before
        }
        #expect(after == (try before + UInt256(200_000_000_000_000_000)), "bob is paid 0.2 DMT for the read: \(before) → \(after)")
        await datatrust.stop()
        // Its housekeeping runs through the follower too, from a home that has no chain folder.
        let dtHome = try NodeRemoteTests.keysOnlyHome(from: home)
        try FileManager.default.copyItem(at: folder, to: dtHome.url.appendingPathComponent("datatrust"))
        let housekept = try await dtHome.objectAsync(["datatrust", "housekeep", "--key", "dt", "--node", follower.url])
        #expect(housekept["pending"] as? Int == 0 && housekept["postponed"] as? Int == 0, "\(housekept)")
        #expect(!FileManager.default.fileExists(atPath: dtHome.url.appendingPathComponent("chain").path))

        // carol (a council member: she holds MarketToken) challenges bob's listing through the
        // follower; alice votes straight at the leader, carol through the follower; the poll
        // resolves after the vote window and the listing is removed.
        let carolBefore = try UInt256(decimalInteger: try await home.balanceAsync(try await home.addressAsync("carol")), field: "carol")
        #expect(try await ok(["market", "challenge", "heart", listing.hex, "--key", "carol"]).contains("Challenged"))
        _ = try await home.okAsync(["market", "vote", "heart", "3", "yea", "--key", "alice", "--node", leader.url])
        _ = try await ok(["market", "vote", "heart", "3", "yea", "--key", "carol"])
        try await warp(61)
        #expect(try await ok(["market", "resolve", "heart", "3", "--key", "bob"]).contains("ChallengeSucceeded"))
        let listings = try await home.okAsync(["market", "listings", "heart", "--json", "--node", follower.url])
        #expect(!listings.contains(listing.hex), "the challenged listing is gone: \(listings)")
        let carolAfter = try UInt256(decimalInteger: try await home.balanceAsync(try await home.addressAsync("carol")), field: "carol")
        #expect(carolAfter > carolBefore, "carol's stake came back with half of bob's deposit: \(carolBefore) → \(carolAfter)")

        // A model bounty: alice posts it through the follower from a local split; carol trains
        // the reference learner locally and submits sealed predictions through the follower;
        // after the deadline (warped on the leader) alice reveals the truth straight at the
        // leader, carol claims, bob picks, carol reveals and is paid.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let split = home.url.appendingPathComponent("split").path
        _ = try await home.okAsync(["dataset", "split", "--input", root.appendingPathComponent("Data/breast_cancer.csv").path,
                         "--test-count", "143", "--seed", "7", "--out", split])
        #expect(try await ok(["bounty", "create", "--key", "alice", "--token", "DMT", "--reward", "10", "--stake", "1",
                        "--deadline-in", "3600", "--classes", "2", "--dir", split]).contains("BountyCreated"))
        let model = home.url.appendingPathComponent("carol.onnx").path, predictions = home.url.appendingPathComponent("carol-preds.json").path
        let sealed = home.url.appendingPathComponent("carol.secret.json").path
        _ = try await home.okAsync(["bounty", "train", "--dir", split, "--model-out", model, "--predictions-out", predictions])
        _ = try await ok(["bounty", "submit", "--key", "carol", "--bounty", "1", "--predictions", predictions, "--model-file", model, "--secret", sealed])
        _ = try await home.okAsync(["chain", "warp", "3600", "--node", leader.url])
        _ = try await home.okAsync(["bounty", "truth", "--key", "alice", "--secret", split + "/truth-secret.json", "--node", leader.url])
        _ = try await ok(["bounty", "claim", "--key", "carol", "--secret", sealed])
        try await warp(900)
        _ = try await ok(["bounty", "pick", "--key", "bob", "--bounty", "1"])
        #expect(try await ok(["bounty", "reveal", "--key", "carol", "--secret", sealed]).contains("Paid"))
        let bounty = try await home.objectAsync(["bounty", "show", "1", "--node", follower.url])
        #expect(bounty["phase"] as? String == "paid", "\(bounty)")

        // A refusal through the follower is the leader's typed refusal.
        let refused = try await home.runAsync(["market", "vote", "heart", "2", "yea", "--key", "alice", "--node", follower.url])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("no open poll 2"), "\(refused.stderr)")

        let (l, f) = try await Self.converge(leader, follower)
        #expect(l["stateHash"] as? String == f["stateHash"] as? String)
        #expect(l["height"] as? Int == f["height"] as? Int)
        let following = f["following"] as? [String: Any]
        #expect(following?["state"] as? String == "following")
        #expect(following?["leader"] as? String == leader.url + "/")
        let info = try await home.objectAsync(["chain", "info", "--node", follower.url])
        #expect(info["stateHash"] as? String == l["stateHash"] as? String)
        // The follower first: a node waits for its open streams (a follower's) to end before it exits.
        await follower.stop()
        await leader.stop()
        // Both folders replay to the same state hash.
        let leaderInfo = try await home.objectAsync(["chain", "info"])
        let followerInfo = try await followerHome.objectAsync(["chain", "info"])
        #expect(followerInfo["stateHash"] as? String == leaderInfo["stateHash"] as? String)
        #expect(followerInfo["stateHash"] as? String == l["stateHash"] as? String)
        let verifyLeader = try await home.runAsync(["chain", "verify"]), verifyFollower = try await followerHome.runAsync(["chain", "verify"])
        #expect(verifyLeader.status == 0, "\(verifyLeader.stderr)")
        #expect(verifyFollower.status == 0, "\(verifyFollower.stderr)")
    }

    @Test func followerKilledMidSyncTenTimesResumesFromItsStoreAndConverges() async throws {
        // A leader folder of 400 blocks of 20 signed transfers each, written in-process (what
        // `dmctl chain init` and 8,000 submissions would leave), served by `dmctl node serve`.
        let home = try TestHome()
        let sender = PrivateKey.derived(seed: 13, label: "follower-kill/sender")
        let dmt = try TokenID("DMT")
        var builder = TestChain.startedAgo(3600, chainID: 1337)
        builder.fund(dmt, [(sender.address, 1_000_000_000)])
        let writer = try builder.build(in: home, snapshotInterval: 0)
        var nonce: UInt64 = 0
        for _ in 0..<400 {
            var batch: [SignedTransaction] = []
            for _ in 0..<20 {
                let to = PrivateKey.derived(seed: 13, label: "follower-kill/\(nonce % 50)").address
                batch.append(try SignedTransaction.sign(
                    LedgerModule.Call.transfer(token: dmt, to: to, amount: 1), for: LedgerModule.self, chainID: 1337, nonce: nonce, with: sender))
                nonce += 1
            }
            try writer.submit(batch)
        }
        let total = Int(writer.height)
        let leader = try await RunningNode.start(home, run: 0, arguments: [])
        defer { leader.signalStop() }
        // The follower reads the leader through a slow link, so a sync of the whole chain takes
        // seconds however fast or loaded the machine is, and the kills below land during it.
        let leaderPort = try #require(URL(string: leader.url)?.port)
        let link = try ThrottledProxy(toPort: leaderPort, bytesPerSecond: 256 * 1024)
        defer { link.close() }
        let chainBytes = allFiles(under: home.url.appendingPathComponent("chain")).reduce(0) {
            $0 + ((try? FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? Int) ?? 0)
        }
        print("followerKilledMidSync: \(total) blocks, \(chainBytes) bytes in the leader's folder, link \(link.bytesPerSecond) B/s")

        let seed = ProcessInfo.processInfo.environment["FOLLOWER_KILL_SEED"].flatMap(UInt64.init) ?? UInt64(Date().timeIntervalSince1970 * 1000)
        print("followerKilledMidSync: seed \(seed) (rerun with FOLLOWER_KILL_SEED=\(seed))")
        var rng = SplitMix64(seed: seed)
        let followerHome = try TestHome()
        var heights: [Int] = []
        for run in 0..<10 {
            // The kill point is a seeded height in the run's tenth of the chain (so every kill
            // lands mid-sync however loaded the machine is), plus a seeded few milliseconds.
            let target = run * total / 10 + 1 + Int(rng.below(UInt64(total / 10)))
            let follower = try await RunningNode.start(followerHome, run: run, arguments: ["--follow", link.url])
            // Read in-process (URLSession), not through a curl child that may wait for a process
            // slot while the follower syncs past the kill point.
            _ = await eventually(timeout: .seconds(300), every: .milliseconds(10)) {
                (Int(await NodeForwardingTests.get(follower.url, "/head")?.body["height"] ?? "") ?? 0) >= target
            }
            try await Task.sleep(for: .milliseconds(rng.below(20)))
            await follower.kill9()
            let height = try await followerHome.heightAsync()
            #expect(height >= (heights.last ?? 0), "seed \(seed): after kill \(run) the follower holds \(height) blocks, fewer than before")
            heights.append(height)
        }
        print("followerKilledMidSync: heights after each SIGKILL \(heights) of \(total)")
        #expect(heights.contains { $0 > 0 && $0 < total }, "seed \(seed): no kill landed mid-sync (\(heights) of \(total))")
        let follower = try await Self.follow(followerHome, leader, run: 10)
        let (l, f) = try await Self.converge(leader, follower)
        #expect(f["height"] as? Int == total, "seed \(seed)")
        #expect(f["stateHash"] as? String == l["stateHash"] as? String, "seed \(seed)")
        await follower.stop()
        let verify = try await followerHome.runAsync(["chain", "verify"])
        #expect(verify.status == 0, "seed \(seed): \(verify.stderr)")
        #expect(try await followerHome.objectAsync(["chain", "info"])["stateHash"] as? String == l["stateHash"] as? String)
    }

    /// The README's "Run a market across machines" block, run as it stands by bash in an empty
    /// folder with `dmctl` the built binary on PATH: every line must succeed.
    @Test func readmeAcrossMachinesBlockRuns() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Run a market across machines"))
        let open = try #require(readme.range(of: "```sh\n", range: section.upperBound..<readme.endIndex))
        let close = try #require(readme.range(of: "```", range: open.upperBound..<readme.endIndex))
        let written = String(readme[open.upperBound..<close.lowerBound])
        #expect(written.contains("--follow") && written.contains("datatrust serve") && written.contains("--node"))
        // The block as written, on ports nothing else listens on (other suites run beside it).
        var block = written
        for port in ["18545", "18546", "18080"] {
            #expect(block.contains(":" + port), "the README block no longer uses port \(port)")
            let free = String(DatatrustMarket.freePort())
            block = block.replacingOccurrences(of: ":" + port, with: ":" + free).replacingOccurrences(of: "--port " + port, with: "--port " + free)
        }
        let folder = CLIRunner.temporaryFolder("readme-across")
        defer { try? FileManager.default.removeItem(at: folder) }
        // `dmctl` is the binary itself (not a shell function), so `&` gives the server's own pid.
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: bin.appendingPathComponent("dmctl"), withDestinationURL: CLIRunner().binary)
        // The runner leaves DMCTL_HOME, DMCTL_STORE and DMCTL_NODE out; the block sets its home.
        let bash = CLIRunner(
            executable: URL(fileURLWithPath: "/bin/bash"),
            environment: ["PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "DMCTL_PASSPHRASE": "readme passphrase"],
            workingDirectory: folder)
        let result = try await bash.runAsync(["-c", "set -euo pipefail\nexport DMCTL_HOME=\"$PWD/home\"\n" + block + "\necho readme-block-finished\n"])
        let text = result.stdout + result.stderr
        let logs = ["node.log", "follower.log", "datatrust.log"].map { name in
            "\(name): " + ((try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
        #expect(result.status == 0, "\(text)\n\(logs)")
        #expect(text.contains("readme-block-finished"))
        #expect(text.contains("\"following\""), "the follower's head shows its replication: \(text)")
    }
}
