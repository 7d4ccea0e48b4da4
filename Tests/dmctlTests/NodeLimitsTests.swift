import DataMarketTesting
import Foundation
import LedgerCore
import Testing

/// `dmctl node serve` without `--dev` and with a small pool, in its own process: warping chain
/// time is refused (403), and a full pending pool turns the next transaction away at once with a
/// typed 429 rather than holding the client.
@Suite struct NodeLimitsTests {
    @Test func aNodeWithoutDevRefusesWarpAndAFullPoolRefusesAtOnceWith429() async throws {
        let sender = PrivateKey.derived(seed: 13, label: "node-limits/sender")
        let other = PrivateKey.derived(seed: 13, label: "node-limits/other")
        let dmt = try TokenID("DMT")
        let chainID: UInt64 = 1337
        let home = try TestHome()
        var builder = TestChain.startedAgo(3600, chainID: chainID)
        builder.fund(dmt, [sender, other].map { ($0.address, 1_000) })
        _ = try builder.build(in: home, snapshotInterval: 0)
        // No block is built during the test: the pool only fills.
        let node = try await RunningNode.start(home, run: 0, arguments: ["--max-pending", "2", "--block-interval", "600000"])
        defer { node.signalStop() }

        let head = NodeServeTests.object(try await Curl.request([node.url + "/head"]).body)
        #expect(head["dev"] as? Bool == false)
        let warp = try await Curl.request(["-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"seconds": 60}"#, node.url + "/chain/warp"])
        #expect(warp.status == 403, "\(warp.body)")
        #expect(NodeServeTests.object(warp.body)["error"] as? String == "forbidden")
        #expect((NodeServeTests.object(warp.body)["detail"] as? String)?.contains("--dev") == true, "\(warp.body)")
        #expect(NodeServeTests.object(try await Curl.request([node.url + "/head"]).body)["timestamp"] as? Int == head["timestamp"] as? Int)

        func post(_ tx: SignedTransaction) async throws -> (status: Int, body: String) {
            try await Curl.request([
                "--max-time", "300", "-X", "POST", "-H", "Content-Type: application/json",
                "-d", #"{"transaction": "\#(Hex.encode(tx.encoded))"}"#, node.url + "/transactions",
            ])
        }
        for nonce in 0..<2 {
            let tx = try SignedTransaction.sign(
                LedgerModule.Call.transfer(token: dmt, to: other.address, amount: 1), for: LedgerModule.self, chainID: chainID, nonce: UInt64(nonce), with: sender)
            #expect(try await post(tx).status == 202)
        }
        let third = try SignedTransaction.sign(
            LedgerModule.Call.transfer(token: dmt, to: sender.address, amount: 1), for: LedgerModule.self, chainID: chainID, nonce: 0, with: other)
        let started = Date()
        let full = try await post(third)
        #expect(full.status == 429, "\(full.body)")
        #expect(NodeServeTests.object(full.body)["error"] as? String == "rateLimited")
        #expect((NodeServeTests.object(full.body)["detail"] as? String)?.contains("pending pool") == true, "\(full.body)")
        // Held, it would wait for the next block (600 s away); the bound leaves a loaded machine
        // room for starting curl and the round trip.
        #expect(Date().timeIntervalSince(started) < 120, "refused at once, not held until the next block")
        #expect(NodeServeTests.object(try await Curl.request([node.url + "/head"]).body)["pending"] as? Int == 2)
    }
}
