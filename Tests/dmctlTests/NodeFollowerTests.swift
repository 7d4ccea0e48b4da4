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
    typealias Node = NodeServeTests.RunningNode

    static func head(_ node: Node) throws -> [String: Any] {
        NodeServeTests.object(try NodeServeTests.curl([node.url + "/head"]).body)
    }

    /// Waits until the follower's head is the leader's (height and state hash); returns both heads.
    static func converge(_ leader: Node, _ follower: Node, seconds: Double = 120) throws -> ([String: Any], [String: Any]) {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let l = try head(leader), f = try head(follower)
            let same = (l["height"] as? Int) == (f["height"] as? Int) && (l["stateHash"] as? String) == (f["stateHash"] as? String)
            if same || Date() > deadline { return (l, f) }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    static func follow(_ home: TestHome, _ leader: Node, run: Int) throws -> Node {
        try NodeServeTests.startNode(home, run, arguments: ["--follow", leader.url])
    }

    @Test func partiesUsingAFollowerPlayAMarketRoundThatEndsWithTheLeadersStateHash() throws {
        let home = try TestHome()
        try home.initChain(keys: ["alice", "dt", "bob", "buyer", "carol"])
        let leader = try NodeServeTests.startNode(home, 0)
        defer { leader.stop() }
        let followerHome = try TestHome()
        let follower = try Self.follow(followerHome, leader, run: 0)
        defer { follower.stop() }
        let followerLine = (try? String(contentsOf: followerHome.url.appendingPathComponent("node-0.out"), encoding: .utf8)) ?? ""
        #expect(followerLine.contains("following \(leader.url)"))

        // Every party signs with its own key here and submits through the follower, which
        // forwards to the leader and answers once it has verified the block holding it.
        func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            try home.ok(args + ["--node", follower.url], sourceLocation: sourceLocation)
        }
        func warp(_ seconds: Int) throws {
            let r = try NodeServeTests.curl(["-X", "POST", "-H", "Content-Type: application/json", "-d", "{\"seconds\": \(seconds)}", leader.url + "/chain/warp"])
            #expect(r.status == 200, "warp on the leader: \(r.body)")
            // Warping the follower is refused: chain time is the leader's.
            let refused = try NodeServeTests.curl(["-X", "POST", "-H", "Content-Type: application/json", "-d", "{\"seconds\": 1}", follower.url + "/chain/warp"])
            #expect(refused.status == 403)
        }
        for who in ["bob", "buyer", "carol"] {
            _ = try ok(["token", "transfer", "--token", "DMT", "--to", who, "--amount", "1000", "--key", "alice"])
        }
        #expect(try ok(["market", "create", "heart", "--network-token", "DMT", "--set", "voteBy=60", "--set", "councilThreshold=0", "--key", "alice"])
            .contains("MarketCreated"))
        #expect(try ok(["market", "invest", "heart", "10", "--key", "alice"]).contains("Invested"))
        #expect(try ok(["market", "invest", "heart", "5", "--key", "carol"]).contains("Invested"))
        _ = try ok(["market", "backend", "propose", "heart", "--url", "http://127.0.0.1", "--address", try home.address("dt"), "--key", "alice"])
        _ = try ok(["market", "vote", "heart", "1", "yea", "--key", "alice"])
        try warp(61)
        #expect(try ok(["market", "resolve", "heart", "1", "--key", "bob"]).contains("BackendAuthorised"))

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
        let dtLog = home.url.appendingPathComponent("datatrust.log")
        let datatrust = try home.runner.start(
            ["datatrust", "serve", "--port", "\(dtPort)", "--key", "dt", "--node", follower.url, "--home", home.url.path], stdout: dtLog, stderr: dtLog)
        defer { if datatrust.isRunning { datatrust.terminate(); datatrust.waitUntilExit() } }
        var up = try home.run(["datatrust", "markets", "--url", dtURL])
        for _ in 0..<300 where up.status != 0 && datatrust.isRunning {
            Thread.sleep(forTimeInterval: 0.1)
            up = try home.run(["datatrust", "markets", "--url", dtURL])
        }
        try #require(up.status == 0, "datatrust did not come up: \((try? String(contentsOf: dtLog, encoding: .utf8)) ?? "")")

        // bob applies through the follower and uploads; the datatrust attests through the follower.
        let text = "age\n11\n12\n13\n"
        let file = home.url.appendingPathComponent("bob.csv")
        try Data(text.utf8).write(to: file)
        let dataHash = Keccak256.hash(Array(text.utf8))
        let bob = try Address(try home.address("bob"))
        let listing = Listing.id(applicant: bob, dataHash: dataHash)
        #expect(try ok(["market", "apply", "heart", "--file", file.path, "--key", "bob"]).contains(listing.hex))
        let added = try home.run(["datatrust", "add", "--url", dtURL, "--market", "heart", file.path, "--key", "bob"])
        #expect(added.status == 0, "datatrust add: \(added.stderr)")
        var attested = false
        for _ in 0..<300 where !attested {
            let events = try? NodeServeTests.curl([leader.url + "/events?kind=Attested"])
            attested = events?.body.contains(listing.hex) == true
            if !attested { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(attested, "the datatrust's attestation reached the leader through the follower")
        _ = try ok(["market", "vote", "heart", "2", "yea", "--key", "alice"])
        try warp(61)
        #expect(try ok(["market", "resolve", "heart", "2", "--key", "alice", "--json"]).contains("\"Listed\""))
        _ = try ok(["market", "set-access-cost", "heart", listing.hex, "0.2", "--key", "bob"])

        // The buyer pays a job through the follower and queries; the usage report goes through
        // the follower too and pays bob his access cost.
        _ = try ok(["market", "pay", "heart", "--max-price", "10", "--backend", try home.address("dt"), "--key", "buyer"])
        let before = try UInt256(decimalInteger: try home.balance(bob.checksummed), field: "bob")
        let query = try home.run(["datatrust", "query", "--url", dtURL, "--market", "heart", "--job", "heart=1", "--sql", "SELECT age FROM heart ORDER BY age", "--json", "--key", "buyer"])
        try #require(query.status == 0, "query: \(query.stderr) \((try? String(contentsOf: dtLog, encoding: .utf8)) ?? "")")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(query.stdout.utf8)) as? [String: Any])
        #expect((result["rows"] as? [[Any]] ?? []).compactMap { ($0.first as? NSNumber)?.intValue } == [11, 12, 13])
        #expect((result["usageReports"] as? [String: String])?["heart"] != nil, "usage reported: \(query.stdout)")
        var after = before
        for _ in 0..<100 where after == before {
            after = try UInt256(decimalInteger: try home.balance(bob.checksummed), field: "bob")
            if after == before { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(after == (try before + UInt256(200_000_000_000_000_000)), "bob is paid 0.2 DMT for the read: \(before) → \(after)")
        datatrust.terminate()
        datatrust.waitUntilExit()
        // Its housekeeping runs through the follower too, from a home that has no chain folder.
        let dtHome = try NodeRemoteTests.keysOnlyHome(from: home)
        try FileManager.default.copyItem(at: folder, to: dtHome.url.appendingPathComponent("datatrust"))
        let housekept = try dtHome.object(["datatrust", "housekeep", "--key", "dt", "--node", follower.url])
        #expect(housekept["pending"] as? Int == 0 && housekept["postponed"] as? Int == 0, "\(housekept)")
        #expect(!FileManager.default.fileExists(atPath: dtHome.url.appendingPathComponent("chain").path))

        // carol (a council member: she holds MarketToken) challenges bob's listing through the
        // follower; alice votes straight at the leader, carol through the follower; the poll
        // resolves after the vote window and the listing is removed.
        let carolBefore = try UInt256(decimalInteger: try home.balance(try home.address("carol")), field: "carol")
        #expect(try ok(["market", "challenge", "heart", listing.hex, "--key", "carol"]).contains("Challenged"))
        _ = try home.ok(["market", "vote", "heart", "3", "yea", "--key", "alice", "--node", leader.url])
        _ = try ok(["market", "vote", "heart", "3", "yea", "--key", "carol"])
        try warp(61)
        #expect(try ok(["market", "resolve", "heart", "3", "--key", "bob"]).contains("ChallengeSucceeded"))
        let listings = try home.ok(["market", "listings", "heart", "--json", "--node", follower.url])
        #expect(!listings.contains(listing.hex), "the challenged listing is gone: \(listings)")
        let carolAfter = try UInt256(decimalInteger: try home.balance(try home.address("carol")), field: "carol")
        #expect(carolAfter > carolBefore, "carol's stake came back with half of bob's deposit: \(carolBefore) → \(carolAfter)")

        // A model bounty: alice posts it through the follower from a local split; carol trains
        // the reference learner locally and submits sealed predictions through the follower;
        // after the deadline (warped on the leader) alice reveals the truth straight at the
        // leader, carol claims, bob picks, carol reveals and is paid.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let split = home.url.appendingPathComponent("split").path
        _ = try home.ok(["dataset", "split", "--input", root.appendingPathComponent("Data/breast_cancer.csv").path,
                         "--test-count", "143", "--seed", "7", "--out", split])
        #expect(try ok(["bounty", "create", "--key", "alice", "--token", "DMT", "--reward", "10", "--stake", "1",
                        "--deadline-in", "3600", "--classes", "2", "--dir", split]).contains("BountyCreated"))
        let model = home.url.appendingPathComponent("carol.onnx").path, predictions = home.url.appendingPathComponent("carol-preds.json").path
        let sealed = home.url.appendingPathComponent("carol.secret.json").path
        _ = try home.ok(["bounty", "train", "--dir", split, "--model-out", model, "--predictions-out", predictions])
        _ = try ok(["bounty", "submit", "--key", "carol", "--bounty", "1", "--predictions", predictions, "--model-file", model, "--secret", sealed])
        _ = try home.ok(["chain", "warp", "3600", "--node", leader.url])
        _ = try home.ok(["bounty", "truth", "--key", "alice", "--secret", split + "/truth-secret.json", "--node", leader.url])
        _ = try ok(["bounty", "claim", "--key", "carol", "--secret", sealed])
        try warp(900)
        _ = try ok(["bounty", "pick", "--key", "bob", "--bounty", "1"])
        #expect(try ok(["bounty", "reveal", "--key", "carol", "--secret", sealed]).contains("Paid"))
        let bounty = try home.object(["bounty", "show", "1", "--node", follower.url])
        #expect(bounty["phase"] as? String == "paid", "\(bounty)")

        // A refusal through the follower is the leader's typed refusal.
        let refused = try home.run(["market", "vote", "heart", "2", "yea", "--key", "alice", "--node", follower.url])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("no open poll 2"), "\(refused.stderr)")

        let (l, f) = try Self.converge(leader, follower)
        #expect(l["stateHash"] as? String == f["stateHash"] as? String)
        #expect(l["height"] as? Int == f["height"] as? Int)
        let following = f["following"] as? [String: Any]
        #expect(following?["state"] as? String == "following")
        #expect(following?["leader"] as? String == leader.url + "/")
        let info = try home.object(["chain", "info", "--node", follower.url])
        #expect(info["stateHash"] as? String == l["stateHash"] as? String)
        // The follower first: a node waits for its open streams (a follower's) to end before it exits.
        follower.stop()
        leader.stop()
        // Both folders replay to the same state hash.
        let leaderInfo = try home.object(["chain", "info"])
        let followerInfo = try followerHome.object(["chain", "info"])
        #expect(followerInfo["stateHash"] as? String == leaderInfo["stateHash"] as? String)
        #expect(followerInfo["stateHash"] as? String == l["stateHash"] as? String)
        let verifyLeader = try home.run(["chain", "verify"]), verifyFollower = try followerHome.run(["chain", "verify"])
        #expect(verifyLeader.status == 0, "\(verifyLeader.stderr)")
        #expect(verifyFollower.status == 0, "\(verifyFollower.stderr)")
    }

    @Test func followerKilledMidSyncTenTimesResumesFromItsStoreAndConverges() throws {
        // A leader folder of 400 blocks of 20 signed transfers each, written in-process (what
        // `dmctl chain init` and 8,000 submissions would leave), served by `dmctl node serve`.
        let home = try TestHome()
        let sender = PrivateKey.derived(seed: 13, label: "follower-kill/sender")
        let dmt = try TokenID("DMT")
        let genesis = GenesisConfig(chainID: 1337, timestamp: UInt64(Date().timeIntervalSince1970) - 3600, tokens: [
            .init(symbol: dmt, name: "DataMarket Token", balances: [.init(account: sender.address, amount: 1_000_000_000)])
        ])
        let folder = home.url.appendingPathComponent("chain")
        let writer = try Chain.create(
            genesis: genesis, store: try FileBlockStore(folder: folder), clock: WallClock(offsetFile: folder.appendingPathComponent("clock-offset")),
            snapshotInterval: 0)
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
        let leader = try NodeServeTests.startNode(home, 0, arguments: [])
        defer { leader.stop() }

        let seed = ProcessInfo.processInfo.environment["FOLLOWER_KILL_SEED"].flatMap(UInt64.init) ?? UInt64(Date().timeIntervalSince1970 * 1000)
        print("followerKilledMidSync: seed \(seed) (rerun with FOLLOWER_KILL_SEED=\(seed))")
        var rng = SplitMix64(seed: seed)
        let followerHome = try TestHome()
        var heights: [Int] = []
        for run in 0..<10 {
            // The kill point is a seeded height in the run's tenth of the chain (so every kill
            // lands mid-sync however loaded the machine is), plus a seeded few milliseconds.
            let target = run * total / 10 + 1 + Int(rng.below(UInt64(total / 10)))
            let follower = try Self.follow(followerHome, leader, run: run)
            let deadline = Date().addingTimeInterval(300)
            while Date() < deadline, (try Self.head(follower)["height"] as? Int ?? 0) < target {
                Thread.sleep(forTimeInterval: 0.01)
            }
            Thread.sleep(forTimeInterval: Double(rng.below(20)) / 1_000)
            follower.kill9()
            let height = try followerHome.height()
            #expect(height >= (heights.last ?? 0), "seed \(seed): after kill \(run) the follower holds \(height) blocks, fewer than before")
            heights.append(height)
        }
        print("followerKilledMidSync: heights after each SIGKILL \(heights) of \(total)")
        #expect(heights.contains { $0 > 0 && $0 < total }, "seed \(seed): no kill landed mid-sync (\(heights) of \(total))")
        let follower = try Self.follow(followerHome, leader, run: 10)
        let (l, f) = try Self.converge(leader, follower)
        #expect(f["height"] as? Int == total, "seed \(seed)")
        #expect(f["stateHash"] as? String == l["stateHash"] as? String, "seed \(seed)")
        follower.stop()
        let verify = try followerHome.run(["chain", "verify"])
        #expect(verify.status == 0, "seed \(seed): \(verify.stderr)")
        #expect(try followerHome.object(["chain", "info"])["stateHash"] as? String == l["stateHash"] as? String)
    }

    /// The README's "Run a market across machines" block, run as it stands by bash in an empty
    /// folder with `dmctl` the built binary on PATH: every line must succeed.
    @Test func readmeAcrossMachinesBlockRuns() throws {
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "set -euo pipefail\nexport DMCTL_HOME=\"$PWD/home\"\n" + block + "\necho readme-block-finished\n"]
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["DMCTL_PASSPHRASE"] = "readme passphrase"
        environment["DMCTL_NODE"] = nil
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: (try out.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
        process.waitUntilExit()
        let logs = ["node.log", "follower.log", "datatrust.log"].map { name in
            "\(name): " + ((try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
        #expect(process.terminationStatus == 0, "\(text)\n\(logs)")
        #expect(text.contains("readme-block-finished"))
        #expect(text.contains("\"following\""), "the follower's head shows its replication: \(text)")
    }
}
