import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerCore
import Testing
@testable import ChainNode

/// `POST /transactions/batch`: each transaction admitted as a single submit admits it, in
/// order, answered with its status or typed refusal; a malformed batch is refused whole.
@Suite struct TransactionBatchTests {
    @Test func eachTransactionOfABatchIsAdmittedInOrderOrRefusedWithItsCode() async throws {
        let node = try await NodeFixture.node()
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let (server, port) = try await FollowerTests.serve(NodeServer.application(for: node, port: 0) { continuation.yield($0) }, ports: ports)
        defer { server.cancel() }
        let remote = RemoteNode(base: try #require(URL(string: "http://127.0.0.1:\(port)")))
        let keys = NodeFixture.keys
        // Sender 1's nonces 0...3 one after another, sender 2's 0 and 1, one replayed nonce,
        // one for another chain.
        var batch = try (0..<4).map { try NodeFixture.transfer(keys[1], to: keys[3].address, amount: 5, nonce: UInt64($0)) }
        batch += try (0..<2).map { try NodeFixture.transfer(keys[2], to: keys[3].address, amount: 7, nonce: UInt64($0)) }
        let foreign = try SignedTransaction.sign(
            LedgerModule.Call.transfer(token: NodeFixture.dmt, to: keys[3].address, amount: 1), for: LedgerModule.self,
            chainID: NodeFixture.chainID + 1, nonce: 0, with: keys[0])
        batch += [batch[1], foreign]
        let results = try await remote.submit(batch: batch)
        #expect(results.map(\.hash) == batch.map(\.hash))
        #expect(results.prefix(6).allSatisfy { $0.status == "pending" || $0.status == "included" }, "\(results)")
        // The duplicate is known: its status, as a single submit of it would answer.
        #expect(results[6].status != "refused")
        #expect(results[7].status == "refused")
        #expect(results[7].error == "TransactionError.wrongChain", "\(String(describing: results[7].error))")
        #expect(results[7].detail?.isEmpty == false)
        // Every admitted one is included; the balances are exact.
        for tx in batch.prefix(6) {
            guard case .included = try await node.waitForOutcome(of: tx.hash, timeout: .seconds(600)) else {
                Issue.record("\(tx.hash) was not included")
                continue
            }
        }
        let expected: UInt256 = 1_034  // 1,000 + 4 × 5 + 2 × 7
        #expect(node.chain.state.ledger.balance(of: keys[3].address, in: NodeFixture.dmt) == expected)
        #expect(try await remote.status(of: batch[5].hash)?.status == "included")
        // A stale nonce later in a batch is refused with the typed code, the rest still admitted.
        let again = try await remote.submit(batch: [
            try NodeFixture.transfer(keys[1], to: keys[3].address, amount: 1, nonce: 0),
            try NodeFixture.transfer(keys[1], to: keys[3].address, amount: 1, nonce: 4),
        ])
        #expect(again[0].status == "refused" && again[0].error == "TransactionError.wrongNonce", "\(again[0])")
        #expect(again[1].status != "refused", "\(again[1])")
        await node.stop()
    }

    @Test func aMalformedBatchIsRefusedWholeNamingTheTransaction() async throws {
        let node = try await NodeFixture.node()
        let app = Application(router: NodeServer.router(for: node))
        let keys = NodeFixture.keys
        let good = try NodeFixture.transfer(keys[1], to: keys[2].address, amount: 1, nonce: 0)
        func framed(_ items: [[UInt8]]) -> ByteBuffer {
            var bytes: [UInt8] = []
            for item in items { BinaryBlockPage.append(item, to: &bytes) }
            return ByteBuffer(bytes: bytes)
        }
        var cut = framed([good.encoded, good.encoded]).readableBytesView.map { $0 }
        cut.removeLast(3)
        let cases: [(ByteBuffer, String)] = [
            (ByteBuffer(bytes: cut), "transactions[1]"),
            (framed([good.encoded, [0xc3, 1, 2, 3]]), "transactions[1]"),
            (ByteBuffer(bytes: [0, 0]), "transactions[0]"),
            (ByteBuffer(bytes: []), "transactions"),
            (framed(Array(repeating: good.encoded, count: NodeHandlers.maxBatch + 1)), "at most \(NodeHandlers.maxBatch)"),
        ]
        try await app.test(.router) { client in
            for (body, field) in cases {
                let r = try await client.execute(
                    uri: "/transactions/batch", method: .post, headers: [.contentType: "application/octet-stream"], body: body)
                #expect(r.status == .badRequest, "\(field)")
                let error = try JSONDecoder().decode(NodeAPI.ErrorBody.self, from: Data(r.body.readableBytesView))
                #expect(error.detail.contains(field), "\(error.detail)")
            }
            // Nothing of a refused batch was admitted.
            #expect(await node.pendingCount == 0)
            #expect(try await node.status(of: good.hash) == nil)
            // GET /transactions/{hash} is still routed beside /transactions/batch.
            let lookup = try await client.execute(uri: "/transactions/\(good.hash.hex)", method: .get)
            #expect(lookup.status == .notFound)
        }
        await node.stop()
    }
}
