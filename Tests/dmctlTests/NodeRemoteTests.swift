import DataMarketTesting
import Foundation
import LedgerCore
import Testing

/// `dmctl --node URL` from a home that holds only keys: every command group signs locally and
/// reads through the node (its module views and its state), no chain folder appears, and what
/// the commands print with `--json` is exactly what the node's module views serve.
@Suite struct NodeRemoteTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A home with a copy of `source`'s keys and nothing else.
    static func keysOnlyHome(from source: TestHome) throws -> TestHome {
        let home = try TestHome()
        try FileManager.default.copyItem(at: source.url.appendingPathComponent("keys"), to: home.url.appendingPathComponent("keys"))
        return home
    }

    /// The JSON a node serves at `path`.
    static func served(_ node: RunningNode, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Any {
        let r = try await Curl.request([node.url + path])
        #expect(r.status == 200, "GET \(path): \(r.status) \(r.body)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(r.body.utf8), options: [.fragmentsAllowed])
    }

    /// `value` with the `now` entries (chain time at the moment of reading) removed at any depth.
    static func withoutNow(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            return object.filter { $0.key != "now" }.mapValues(withoutNow)
        }
        if let array = value as? [Any] { return array.map(withoutNow) }
        return value
    }

    static func same(_ a: Any, _ b: Any) -> Bool {
        NSDictionary(dictionary: ["v": withoutNow(a)]).isEqual(to: ["v": withoutNow(b)])
    }

    @Test func everyCommandGroupWorksFromAKeysOnlyHomeAndPrintsTheNodesViews() async throws {
        let owner = try TestHome()
        try await owner.initChainAsync(keys: ["alice", "bob", "carol"])
        let node = try await RunningNode.start(owner, run: 0)
        defer { node.signalStop() }
        let remote = try Self.keysOnlyHome(from: owner)

        /// `dmctl <args> --node URL --json` in the keys-only home; must succeed.
        func ok(_ args: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> Any {
            try await remote.jsonAsync(args + ["--node", node.url], sourceLocation: sourceLocation)
        }
        func field(_ receipt: Any, _ kind: String, _ name: String) -> String? {
            let events = (receipt as? [String: Any])?["events"] as? [[String: Any]] ?? []
            return events.first { $0["kind"] as? String == kind }.flatMap { ($0["fields"] as? [String: String])?[name] }
        }

        // token: a transfer signed here, nonce and balances from the node.
        _ = try await ok(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "5", "--key", "alice"])
        _ = try await ok(["token", "transfer", "--token", "DMT", "--to", "carol", "--amount", "50", "--key", "alice"])
        #expect((try await ok(["token", "balance", "--token", "DMT", "--account", "bob"]) as? [String: Any])?["balance"] as? String == "5000000000000000000")
        #expect((try await ok(["token", "supply", "--token", "DMT"]) as? [String: Any])?["totalSupply"] as? String == "1000000000000000000000000")

        // nft: minted through the node; `nft show` prints the node's GET /nfts/{id}.
        let minted = try await ok(["nft", "mint", "--class", "data", "--content-hash", Keccak256.hash([7]).hex, "--meta", "name=seven", "--key", "alice"])
        let nftID = try #require(field(minted, "NFTMint", "id"), "\(minted)")
        #expect(Self.same(try await ok(["nft", "show", nftID]), try await Self.served(node, "/nfts/\(nftID)")))
        #expect(Self.same(try await ok(["nft", "list"]), try await Self.served(node, "/nfts")))

        // stream: the start time comes from the node's clock.
        _ = try await ok(["stream", "open", "--to", "bob", "--token", "DMT", "--amount", "2", "--start", "+1m", "--end", "+1d", "--key", "alice"])
        let stream = try #require(try await ok(["stream", "show", "1"]) as? [String: Any])
        #expect(stream["amount"] as? String == "2000000000000000000")
        #expect(stream["status"] as? String == "pending")
        #expect(Self.same(stream, try await Self.served(node, "/streams/1")))

        // market: create, invest, a backend poll, a warp on the dev node, and the resolution.
        _ = try await ok(["market", "create", "remote", "--network-token", "DMT", "--set", "voteBy=60", "--set", "councilThreshold=0", "--key", "alice"])
        _ = try await ok(["market", "invest", "remote", "10", "--key", "alice"])
        let market = try #require(try await ok(["market", "show", "remote"]) as? [String: Any])
        #expect(market["reserve"] as? String == "10000000000000000000")
        #expect(Self.same(market, try await Self.served(node, "/markets/remote")))
        let carol = try await owner.addressAsync("carol")
        _ = try await ok(["market", "backend", "propose", "remote", "--url", "https://dt.example", "--address", carol, "--key", "alice"])
        _ = try await ok(["market", "vote", "remote", "1", "yea", "--key", "alice"])
        let polls = try #require(try await Self.served(node, "/markets/remote/polls") as? [String: Any])
        #expect((polls["polls"] as? [Any])?.count == 1)
        _ = try await ok(["chain", "warp", "61"])
        #expect(field(try await ok(["market", "resolve", "remote", "1", "--key", "bob"]), "BackendAuthorised", "url") != nil)
        #expect(Self.same(try await ok(["market", "listings", "remote"]), try await Self.served(node, "/markets/remote/listings")))

        // bounty: the split is local files; the deadline is the node's time plus an hour.
        let split = remote.url.appendingPathComponent("split").path
        _ = try await remote.okAsync(["dataset", "split", "--input", Self.root.appendingPathComponent("Data/breast_cancer.csv").path,
                           "--test-count", "143", "--seed", "7", "--out", split])
        _ = try await ok(["bounty", "create", "--key", "alice", "--token", "DMT", "--reward", "10", "--stake", "1",
                    "--deadline-in", "3600", "--classes", "2", "--dir", split])
        let bounty = try #require(try await ok(["bounty", "show", "1"]) as? [String: Any])
        #expect(bounty["escrowHeld"] as? String == "10000000000000000000")
        #expect(bounty["phase"] as? String == "open")
        #expect(Self.same(bounty, try await Self.served(node, "/bounties/1")))

        // databounty: Paillier keys and weights are local files.
        let dir = remote.url.path
        _ = try await remote.okAsync(["he", "keygen", "--bits", "512", "--out", "\(dir)/he"])
        try Data(#"{"values": [1, 2, 3, 0]}"#.utf8).write(to: URL(fileURLWithPath: "\(dir)/w0.json"))
        try Data(#"{"features": [[1, 2, 3], [3, 2, 1]], "labels": [0, 1]}"#.utf8).write(to: URL(fileURLWithPath: "\(dir)/val.json"))
        _ = try await ok(["databounty", "create", "--key", "bob", "--token", "DMT", "--features", "3", "--initial-error", "3700",
                    "--target-error", "800", "--deadline-in", "86400", "--secret", "\(dir)/secret.json", "--reward", "1", "--bond", "1",
                    "--stake", "0.1", "--initial-weights", "\(dir)/w0.json", "--public-key", "\(dir)/he/public.json", "--validation", "\(dir)/val.json"])
        let dataBounty = try #require(try await ok(["databounty", "show", "1"]) as? [String: Any])
        #expect(dataBounty["phase"] as? String == "training")
        #expect(Self.same(dataBounty, try await Self.served(node, "/databounties/1")))

        // roles: $Data, a $Model trained on it, a paid use and an evaluation.
        let data = try #require(field(try await ok(["data", "mint", "--data-hash", Keccak256.hash([9]).hex, "--referenceable", "--key", "alice"]), "DataMinted", "data"))
        let model = try #require(field(try await ok([
            "model", "mint", "--model-hash", Keccak256.hash([10]).hex, "--data", data, "--token", "DMT", "--price", "1", "--key", "bob",
        ]), "ModelMinted", "model"))
        _ = try await ok(["model", "use", model, "--key", "carol"])
        _ = try await ok(["eval", "post", model, "--rating", "4", "--inputs-hash", Keccak256.hash([1]).hex, "--outputs-hash", Keccak256.hash([2]).hex,
                    "--text-hash", Keccak256.hash([3]).hex, "--key", "carol"])
        let evaluated = try #require(try await ok(["eval", "show", model]) as? [Any])
        #expect(((evaluated.first as? [String: Any])?["scoreHundredths"] as? Int) == 400)
        #expect(Self.same(evaluated, [try await Self.served(node, "/models/\(model)")]))

        // The keys-only home never grew a chain folder; the node's folder verifies, and its own
        // reads (without --node) print what the remote reads printed.
        #expect(!FileManager.default.fileExists(atPath: remote.url.appendingPathComponent("chain").path))
        let info = try #require(try await ok(["chain", "info"]) as? [String: Any])
        let lastMarket = try await ok(["market", "show", "remote"])
        await node.stop()
        #expect(try await owner.objectAsync(["chain", "info"])["stateHash"] as? String == info["stateHash"] as? String)
        #expect(Self.same(try await owner.jsonAsync(["market", "show", "remote"]), lastMarket))
        #expect(try await owner.runAsync(["chain", "verify"]).status == 0)
    }

    @Test func aNodeThatIsDownIsAStorageErrorNamingIt() async throws {
        let owner = try TestHome()
        try await owner.initChainAsync(keys: ["alice"])
        let remote = try Self.keysOnlyHome(from: owner)
        let r = try await remote.runAsync(["market", "show", "nowhere", "--node", "http://127.0.0.1:9"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("127.0.0.1:9"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: remote.url.appendingPathComponent("chain").path))
    }
}
