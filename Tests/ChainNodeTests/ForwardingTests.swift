import DataMarketTesting
import Foundation
import Hummingbird
import LedgerCore
import Testing
import ChainNode

/// A follower's forwarded transactions when the leader goes away for good: after
/// `forwardRetryMilliseconds` without a leader they are reported dropped, and may be submitted
/// again.
@Suite struct ForwardingTests {
    @Test func aForwardedTransactionIsReportedLostAfterTheLeaderStaysAwayAndMayBeSubmittedAgain() async throws {
        // The leader keeps the transaction pending: its nonce leaves a gap it waits ten minutes to fill.
        let leader = try await NodeFixture.node(NodeConfiguration(blockIntervalMilliseconds: 20, nonceGapTimeoutMilliseconds: 600_000))
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let (server, port) = try await FollowerTests.serve(NodeServer.application(for: leader, port: 0) { continuation.yield($0) }, ports: ports)
        let remote = RemoteNode(base: try #require(URL(string: "http://127.0.0.1:\(port)")))
        let follower = try Node(following: remote, chain: try NodeFixture.chain(), configuration: NodeConfiguration(forwardRetryMilliseconds: 1_000))
        await follower.startFollowing()

        let keys = NodeFixture.keys
        let gapped = try NodeFixture.transfer(keys[1], to: keys[2].address, amount: 1, nonce: 3)
        let hash = try await follower.submit(gapped, sender: keys[1].address)
        #expect(try await leader.status(of: hash) == .pending)
        #expect(try await follower.status(of: hash) == .pending)
        // Still pending here while the leader answers that it is pending there.
        try await Task.sleep(for: .milliseconds(1_500))
        #expect(try await follower.status(of: hash) == .pending)

        // The leader goes away and does not come back.
        server.cancel()
        await leader.stop()
        let lost = await eventually(timeout: .seconds(30)) {
            if case .refused(let code, _) = (try? await follower.status(of: hash)) ?? nil { return code == "NodeError.forwardLost" }
            return false
        }
        let settled = try await follower.status(of: hash)
        #expect(lost, "after a second without a leader the follower reports the transaction dropped: \(String(describing: settled))")
        if case .refused(_, let reason) = settled {
            #expect(reason.contains("submit it again"), "\(reason)")
        }
        // Submitting it again forwards it again (the leader is down: 503), instead of answering
        // with the old report.
        do {
            _ = try await follower.submit(gapped, sender: keys[1].address)
            Issue.record("the resubmission was not forwarded")
        } catch {
            #expect(NodeServer.status(for: error) == 503, "\(error)")
        }
        await follower.shutdown()
    }
}
