import DataMarketTesting
import Foundation
import Hummingbird
@testable import LedgerCore
import Testing
@testable import ChainNode

/// Verifying followers in-process, over real loopback HTTP: a follower replicates its leader,
/// reaches the same state hash, forwards what is submitted to it, and refuses a leader whose
/// block does not verify, with the block's height and the reason.
@Suite struct FollowerTests {
    /// Runs `app` until the returned task is cancelled; returns the task and the bound port.
    static func serve(_ app: some ApplicationProtocol & Sendable, ports: AsyncStream<Int>) async throws -> (Task<Void, any Error>, Int) {
        let task = Task { try await app.runService() }
        for await port in ports { return (task, port) }
        task.cancel()
        throw RemoteNodeError.unreachable("the test server did not start")
    }

    @Test func followerReplicatesTheLeaderAndForwardsWhatIsSubmittedToIt() async throws {
        let leader = try await NodeFixture.node()
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let (server, port) = try await Self.serve(NodeServer.application(for: leader, port: 0) { continuation.yield($0) }, ports: ports)
        defer { server.cancel() }
        let keys = NodeFixture.keys
        for nonce in 0..<3 {
            _ = try await leader.submit(try NodeFixture.transfer(keys[1], to: keys[2].address, amount: 1, nonce: UInt64(nonce)), sender: keys[1].address)
        }
        let remote = RemoteNode(base: try #require(URL(string: "http://127.0.0.1:\(port)")))
        #expect(try await remote.genesis() == leader.chain.genesis)
        #expect(await eventually { await leader.pendingCount == 0 })

        let follower = try Node(following: remote, chain: try NodeFixture.chain())
        await follower.startFollowing()
        #expect(await follower.waitForReplication(of: leader.chain.height, timeout: .seconds(20)))
        #expect(try follower.chain.stateHash() == (try leader.chain.stateHash()))

        // Submitted to the follower: forwarded, included by the leader, replicated back.
        let tx = try NodeFixture.transfer(keys[3], to: keys[0].address, amount: 7, nonce: 0)
        let hash = try await follower.submit(tx, sender: keys[3].address)
        let outcome = try await follower.waitForOutcome(of: hash, timeout: .seconds(20))
        guard case .included(let height, _, _, _) = outcome else {
            Issue.record("the forwarded transfer is \(String(describing: outcome)) on the follower")
            return
        }
        #expect(try await leader.status(of: hash) == outcome)
        #expect(follower.chain.state.ledger.balance(of: keys[0].address, in: NodeFixture.dmt) == 1_007)
        #expect(height <= leader.chain.height)
        // A transaction the leader refuses is refused on the follower with the leader's code.
        let stale = try NodeFixture.transfer(keys[3], to: keys[0].address, amount: 2, nonce: 0)
        await #expect(throws: NodeError.self) { _ = try await follower.submit(stale, sender: keys[3].address) }
        // Warping a follower is refused: chain time is the leader's.
        await #expect(throws: NodeError.self) { _ = try await follower.warp(by: 10) }
        #expect(try follower.chain.stateHash() == (try leader.chain.stateHash()))
        #expect(await follower.followStatus?.refusedHeight == nil)
        await follower.stop()
        await leader.stop()
    }

    @Test func aLeaderBlockThatDoesNotVerifyIsRefusedWithItsHeightAndReason() async throws {
        // An honest chain of four blocks, then a fake leader serving it with block 3's receipt
        // altered (its header roots recomputed, so only the replay shows the lie).
        let honest = try NodeFixture.chain()
        let keys = NodeFixture.keys
        for nonce in 0..<4 { try honest.submit(try NodeFixture.transfer(keys[1], to: keys[2].address, amount: 1, nonce: UInt64(nonce))) }
        var blocks = try honest.blocks(from: 0)
        let b3 = blocks[3]
        let forged = b3.receipts.map { Receipt(transactionHash: $0.transactionHash, sender: $0.sender, module: $0.module, events: []) }
        blocks[3] = Block(
            header: BlockHeader(
                height: 3, parentHash: b3.header.parentHash, timestamp: b3.header.timestamp, transactionsRoot: b3.header.transactionsRoot,
                receiptsRoot: Block.receiptsRoot(forged), extra: b3.header.extra),
            transactions: b3.transactions, receipts: forged)
        let served = blocks
        let router = Router()
        router.get("/genesis") { _, _ in NodeServer.json(honest.genesis) }
        router.get("/blocks") { request, _ in
            let from = request.uri.queryParameters.get("from").flatMap(UInt64.init) ?? 0
            let page = served.filter { $0.height >= from }.map(NodeAPI.BlockBody.init)
            return NodeServer.json(NodeAPI.BlockPage(blocks: page, next: nil))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let (server, port) = try await Self.serve(app, ports: ports)
        defer { server.cancel() }

        let remote = RemoteNode(base: try #require(URL(string: "http://127.0.0.1:\(port)")))
        let follower = try Node(following: remote, chain: try NodeFixture.chain())
        await follower.startFollowing()
        #expect(await eventually { await follower.followStatus?.refusedHeight != nil })
        let status = await follower.followStatus
        #expect(status?.refusedHeight == 3)
        #expect(status?.refusal?.contains("receipt 0") == true, "\(String(describing: status?.refusal))")
        #expect(follower.chain.height == 2)
        #expect(await follower.head == 2)
        // /head says so.
        let head = NodeAPI.Following(try #require(status))
        #expect(head.state == "refused")
        await follower.stop()
    }

    @Test func serverSentEventsAreParsedWhateverTheChunkBoundaries() {
        let text = "retry: 1000\n\n: keep-alive\n\nid: 7\nevent: block\ndata: {\"a\":1}\n\nevent: event\r\ndata: x\ndata: y\n\n"
        let bytes = Array(text.utf8)
        var whole = ServerSentEventParser()
        let expected = whole.feed(bytes)
        #expect(expected == [
            ServerSentEvent(id: "7", event: "block", data: "{\"a\":1}"),
            ServerSentEvent(id: "7", event: "event", data: "x\ny"),
        ])
        for cut in 1..<bytes.count {
            var parser = ServerSentEventParser()
            let messages = parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...])
            #expect(messages == expected, "split at \(cut)")
        }
    }
}
