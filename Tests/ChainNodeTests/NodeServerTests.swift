import ChainNode
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerCore
import Testing

/// The node's API in process: submissions from concurrent clients share blocks, every refusal
/// is a typed JSON answer with the right status, and reads see what was included.
struct NodeServerTests {
    @Test func concurrentClientsShareBlocksAndBalancesAreExact() async throws {
        let node = try await NodeFixture.node()
        let app = Application(router: NodeServer.router(for: node))
        let keys = NodeFixture.keys
        let sink = keys[3].address
        try await app.test(.router) { client in
            // Three senders, five transfers each, every nonce submitted at once and out of order.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for sender in 0..<3 {
                    for nonce in (0..<5).reversed() {
                        let tx = try NodeFixture.transfer(keys[sender], to: sink, amount: UInt256(UInt64(10 + sender)), nonce: UInt64(nonce))
                        group.addTask {
                            let r = try await client.execute(uri: "/transactions?wait=true", method: .post, body: NodeFixture.body(tx))
                            return Int(r.status.code)
                        }
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            let account = NodeFixture.object(try await client.execute(uri: "/accounts/\(sink.checksummed)", method: .get).body)
            let balances = account["balances"] as? [[String: Any]] ?? []
            #expect(balances.first?["balance"] as? String == "\(1_000 + 5 * (10 + 11 + 12))")
            let sender = NodeFixture.object(try await client.execute(uri: "/accounts/\(keys[0].address.checksummed)", method: .get).body)
            #expect(sender["nonce"] as? Int == 5)
            #expect(sender["pendingNonce"] as? Int == 5)
        }
        // Fifteen transactions in fewer blocks than transactions: clients shared blocks.
        #expect(node.chain.height < 15)
        let txCount = try node.chain.blocks().reduce(0) { $0 + $1.transactions.count }
        #expect(txCount == 15)
        _ = try node.chain.verify()
        await node.stop()
    }

    @Test func refusalsAreTypedJSONNever5xx() async throws {
        let node = try await NodeFixture.node(NodeConfiguration(blockIntervalMilliseconds: 20, maxBodyBytes: 4096))
        let app = Application(router: NodeServer.router(for: node))
        let alice = NodeFixture.keys[0], bob = NodeFixture.keys[1]
        try await app.test(.router) { client in
            // Not hex: 400 naming the field.
            var r = try await client.execute(uri: "/transactions", method: .post, body: ByteBuffer(string: #"{"transaction": "0xzz"}"#))
            #expect(r.status.code == 400)
            #expect((NodeFixture.object(r.body)["detail"] as? String)?.contains("transaction") == true)
            // Well-formed hex, not a transaction: 400 naming the RLP field.
            r = try await client.execute(uri: "/transactions", method: .post, body: ByteBuffer(string: #"{"transaction": "0xc3010203"}"#))
            #expect(r.status.code == 400)
            #expect((NodeFixture.object(r.body)["detail"] as? String)?.contains("transaction") == true)
            // Missing field, and a body that is not JSON.
            r = try await client.execute(uri: "/transactions", method: .post, body: ByteBuffer(string: #"{"tx": "0x00"}"#))
            #expect(r.status.code == 400)
            #expect((NodeFixture.object(r.body)["detail"] as? String)?.contains("missing field \"transaction\"") == true)
            r = try await client.execute(uri: "/transactions", method: .post, body: ByteBuffer(string: "{"))
            #expect(r.status.code == 400)
            // Too large: 413.
            r = try await client.execute(uri: "/transactions", method: .post, body: ByteBuffer(string: String(repeating: "a", count: 10_000)))
            #expect(r.status.code == 413)
            #expect(NodeFixture.object(r.body)["error"] as? String == "payloadTooLarge")
            // More than the balance: refused in the block, 422 with the ledger's code.
            let overdraw = try NodeFixture.transfer(bob, to: alice.address, amount: 1_001, nonce: 0)
            r = try await client.execute(uri: "/transactions?wait=true", method: .post, body: NodeFixture.body(overdraw))
            #expect(r.status.code == 422)
            let refused = NodeFixture.object(r.body)
            #expect(refused["status"] as? String == "refused")
            #expect((refused["error"] as? String)?.hasPrefix("LedgerError.") == true)
            // Its status stays refused.
            r = try await client.execute(uri: "/transactions/\(overdraw.hash.hex)", method: .get)
            #expect(NodeFixture.object(r.body)["status"] as? String == "refused")
            // Another chain: refused at the door.
            let foreign = try SignedTransaction.sign(
                LedgerModule.Call.transfer(token: NodeFixture.dmt, to: bob.address, amount: 1), for: LedgerModule.self, chainID: 1, nonce: 0, with: alice)
            r = try await client.execute(uri: "/transactions", method: .post, body: NodeFixture.body(foreign))
            #expect(r.status.code == 422)
            #expect(NodeFixture.object(r.body)["error"] as? String == "TransactionError.wrongChain")
            // A used nonce: refused once the first is in.
            let first = try NodeFixture.transfer(alice, to: bob.address, amount: 1, nonce: 0)
            r = try await client.execute(uri: "/transactions?wait=true", method: .post, body: NodeFixture.body(first))
            #expect(r.status.code == 200)
            let replay = try NodeFixture.transfer(alice, to: bob.address, amount: 2, nonce: 0)
            r = try await client.execute(uri: "/transactions", method: .post, body: NodeFixture.body(replay))
            #expect(r.status.code == 422)
            #expect(NodeFixture.object(r.body)["error"] as? String == "TransactionError.wrongNonce")
            // Bad paths and parameters: 400/404, JSON.
            for (uri, status) in [("/transactions/0x12", 400), ("/transactions/\(Hash32.zero.hex)", 404), ("/accounts/0xabc", 400),
                                  ("/blocks/x", 400), ("/blocks/99", 404), ("/blocks?from=5&to=1", 400), ("/events?account=nope", 400),
                                  ("/nowhere", 404), ("/stream?from=-1", 400)] {
                r = try await client.execute(uri: uri, method: .get)
                #expect(Int(r.status.code) == status, "\(uri)")
                #expect(NodeFixture.object(r.body)["error"] != nil, "\(uri)")
            }
            // Warping a non-dev chain: 403.
            r = try await client.execute(uri: "/chain/warp", method: .post, body: ByteBuffer(string: #"{"seconds": 60}"#))
            #expect(r.status.code == 403)
        }
        await node.stop()
    }

    @Test func readsServeHeadBlocksEventsAndABoundedStream() async throws {
        let node = try await NodeFixture.node(NodeConfiguration(blockIntervalMilliseconds: 20, dev: true))
        let app = Application(router: NodeServer.router(for: node))
        let alice = NodeFixture.keys[0], bob = NodeFixture.keys[1]
        try await app.test(.router) { client in
            let tx = try NodeFixture.transfer(alice, to: bob.address, amount: 7, nonce: 0)
            var r = try await client.execute(uri: "/transactions?wait=true", method: .post, body: NodeFixture.body(tx))
            let included = NodeFixture.object(r.body)
            #expect(included["status"] as? String == "included")
            let height = included["height"] as? Int ?? -1
            r = try await client.execute(uri: "/chain/warp", method: .post, body: ByteBuffer(string: #"{"seconds": 600}"#))
            #expect(r.status.code == 200)
            #expect(NodeFixture.object(r.body)["timestamp"] as? Int == Int(NodeFixture.start) + 600)
            let head = NodeFixture.object(try await client.execute(uri: "/head", method: .get).body)
            #expect(head["height"] as? Int == height + 1)
            #expect(head["stateHash"] as? String == (try node.chain.stateHash()).hex)
            // A block's canonical bytes decode and match its hash.
            let block = NodeFixture.object(try await client.execute(uri: "/blocks/\(height)", method: .get).body)
            let decoded = try Block(encoded: try Hex.decode(String((block["encoded"] as? String ?? "").dropFirst(2))))
            #expect(decoded.hash.hex == block["hash"] as? String)
            let page = NodeFixture.object(try await client.execute(uri: "/blocks?from=0", method: .get).body)
            #expect((page["blocks"] as? [Any])?.count == height + 2)
            let events = NodeFixture.object(try await client.execute(uri: "/events?kind=Transfer&account=\(bob.address.checksummed)", method: .get).body)
            #expect((events["events"] as? [Any])?.count == 1)
            // The stream from genesis to the head: one block message per height, then the events.
            r = try await client.execute(uri: "/stream?from=0&to=\(height + 1)", method: .get)
            let text = String(decoding: r.body.readableBytesView, as: UTF8.self)
            #expect(r.headers[.contentType] == "text/event-stream")
            for h in 0...(height + 1) { #expect(text.contains("id: \(h)\nevent: block\n")) }
            #expect(text.contains("event: event\n"))
            #expect(text.contains("\"kind\":\"Transfer\""))
            // Last-Event-ID resumes after the block the client saw last.
            r = try await client.execute(uri: "/stream?to=\(height + 1)", method: .get, headers: [.init("Last-Event-ID")!: "\(height)"])
            let resumed = String(decoding: r.body.readableBytesView, as: UTF8.self)
            #expect(!resumed.contains("id: \(height)\n"))
            #expect(resumed.contains("id: \(height + 1)\nevent: block\n"))
            // Raw binary bodies are accepted too, and a lookup with wait answers once included.
            let second = try NodeFixture.transfer(alice, to: bob.address, amount: 1, nonce: 1)
            r = try await client.execute(
                uri: "/transactions", method: .post, headers: [.contentType: "application/octet-stream"], body: ByteBuffer(bytes: second.encoded))
            #expect(r.status.code == 202 || r.status.code == 200)
            r = try await client.execute(uri: "/transactions/\(second.hash.hex)?wait=true", method: .get)
            #expect(NodeFixture.object(r.body)["status"] as? String == "included")
        }
        await node.stop()
    }

    @Test func aClientOverItsRateLimitAndAFullPoolGet429() async throws {
        let limited = try await NodeFixture.node(NodeConfiguration(blockIntervalMilliseconds: 20, rateLimitRequests: 3, rateLimitWindowSeconds: 86_400))
        try await Application(router: NodeServer.router(for: limited)).test(.router) { client in
            for _ in 0..<3 { #expect(try await client.execute(uri: "/head", method: .get).status.code == 200) }
            let over = try await client.execute(uri: "/head", method: .get)
            #expect(over.status.code == 429)
            #expect(NodeFixture.object(over.body)["error"] as? String == "rateLimited")
            #expect(over.headers[.retryAfter] != nil)
        }
        await limited.stop()
        // A pool of two, with no block built meanwhile: the third transaction waits for room.
        let full = try Node(chain: try NodeFixture.chain(), configuration: NodeConfiguration(blockIntervalMilliseconds: 60_000, maxPendingTransactions: 2))
        try await Application(router: NodeServer.router(for: full)).test(.router) { client in
            let keys = NodeFixture.keys
            for nonce in 0..<2 {
                let tx = try NodeFixture.transfer(keys[0], to: keys[1].address, amount: 1, nonce: UInt64(nonce))
                #expect(try await client.execute(uri: "/transactions", method: .post, body: NodeFixture.body(tx)).status.code == 202)
            }
            let third = try NodeFixture.transfer(keys[1], to: keys[0].address, amount: 1, nonce: 0)
            let r = try await client.execute(uri: "/transactions", method: .post, body: NodeFixture.body(third))
            #expect(r.status.code == 429)
            #expect((NodeFixture.object(r.body)["detail"] as? String)?.contains("pending pool") == true)
            let account = NodeFixture.object(try await client.execute(uri: "/accounts/\(keys[0].address.checksummed)", method: .get).body)
            #expect(account["nonce"] as? Int == 0)
            #expect(account["pendingNonce"] as? Int == 2)
        }
    }
}
