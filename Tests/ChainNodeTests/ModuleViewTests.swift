import ChainNode
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerCore
import Testing

/// The module state views in process: what the node serves decodes to the view types and
/// matches the state it was built from, unknown ids are 404 and malformed ones 400 naming the
/// field, and `GET /state` is the state whose hash the head names.
struct ModuleViewTests {
    @Test func nftAndStreamViewsMatchTheStateAndUnknownIdsAre404() async throws {
        let node = try await NodeFixture.node()
        let alice = NodeFixture.keys[0], bob = NodeFixture.keys[1]
        let draft = NFTDraft(kind: .model, contentHash: Keccak256.hash([1, 2, 3]), metadata: ["name": "lr"])
        _ = try node.chain.send(.mintNFT(draft: draft, to: nil), to: LedgerModule.self, from: alice)
        _ = try node.chain.send(
            .openStream(payee: bob.address, token: NodeFixture.dmt, amount: 600, start: NodeFixture.start + 10, end: NodeFixture.start + 70),
            to: LedgerModule.self, from: alice)
        let app = Application(router: NodeServer.router(for: node))
        try await app.test(.router) { client in
            let nft = try JSONDecoder().decode(NodeAPI.NFTView.self, from: Data(try await client.execute(uri: "/nfts/1", method: .get).body.readableBytesView))
            #expect(nft == NodeAPI.NFTView(try #require(node.chain.state.ledger.nfts[1])))
            #expect(nft.owner == alice.address && nft.metadata["name"] == "lr")
            let owned = try await client.execute(uri: "/nfts?owner=\(bob.address.checksummed)", method: .get)
            #expect(try JSONDecoder().decode([NodeAPI.NFTView].self, from: Data(owned.body.readableBytesView)).isEmpty)

            let stream = try JSONDecoder().decode(NodeAPI.StreamView.self, from: Data(try await client.execute(uri: "/streams/1", method: .get).body.readableBytesView))
            // The chain's clock stands at the start: nothing has vested yet.
            #expect(stream.status == "pending" && stream.vested == .zero && stream.amount == 600 && stream.now == NodeFixture.start)

            for (uri, status) in [("/nfts/2", 404), ("/streams/9", 404), ("/bounties/1", 404), ("/databounties/1", 404), ("/models/1", 404),
                                  ("/markets/none", 404), ("/nfts/x", 400), ("/streams/-1", 400), ("/markets/NOT%20A%20SLUG", 400),
                                  ("/nfts?owner=0x12", 400), ("/streams?account=bob", 400)] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(Int(r.status.code) == status, "\(uri)")
                let body = NodeFixture.object(r.body)
                #expect(body["error"] is String && body["detail"] is String, "\(uri)")
            }
            let bad = NodeFixture.object(try await client.execute(uri: "/nfts/x", method: .get).body)
            #expect((bad["detail"] as? String)?.hasPrefix("id:") == true)

            // Empty module states are empty lists, not errors.
            #expect(NodeFixture.object(try await client.execute(uri: "/markets", method: .get).body)["markets"] as? [Any] != nil)
            #expect(try await client.execute(uri: "/models", method: .get).body.readableBytes == 2)
        }
        await node.stop()
    }

    @Test func theStateSnapshotHashesToTheHeadsStateHash() async throws {
        let node = try await NodeFixture.node()
        _ = try node.chain.send(.transfer(token: NodeFixture.dmt, to: NodeFixture.keys[2].address, amount: 7), to: LedgerModule.self, from: NodeFixture.keys[0])
        let app = Application(router: NodeServer.router(for: node))
        try await app.test(.router) { client in
            let snapshot = try JSONDecoder().decode(
                NodeAPI.StateSnapshot.self, from: Data(try await client.execute(uri: "/state", method: .get).body.readableBytesView))
            let head = try JSONDecoder().decode(NodeAPI.Head.self, from: Data(try await client.execute(uri: "/head", method: .get).body.readableBytesView))
            #expect(snapshot.height == head.height && snapshot.height == 1)
            #expect(snapshot.stateHash == head.stateHash)
            #expect(Keccak256.hash(try Hex.decode(String(snapshot.state.dropFirst(2)), field: "state")) == head.stateHash)
            let genesis = try JSONDecoder().decode(GenesisConfig.self, from: Data(try await client.execute(uri: "/genesis", method: .get).body.readableBytesView))
            #expect(genesis == node.chain.genesis)
        }
        await node.stop()
    }
}
