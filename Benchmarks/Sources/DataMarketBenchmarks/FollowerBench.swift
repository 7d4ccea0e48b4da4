import ChainNode
import Foundation
import Hummingbird
import LedgerCore

/// A verifying follower's sync rate: a node serves a chain of signed-transfer blocks over
/// loopback HTTP and a follower (`Node(following:)`) replicates it into its own file store,
/// replaying every block; the baseline is `Chain.verify()` of the same blocks in the same run
/// (the same replay without the network and without writing).
enum FollowerBench {
    static let blocks = 400
    static let perBlock = 50

    static func run() throws {
        Bench.section("follower: verified sync over loopback HTTP vs chain verify")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bench-follower-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let sender = PrivateKey.derived(seed: 77, label: "bench-follower/sender")
        let dmt = try TokenID("DMT")
        let genesis = GenesisConfig(chainID: 9, timestamp: 1_750_000_000, tokens: [
            .init(symbol: dmt, name: "DMT", balances: [.init(account: sender.address, amount: 1_000_000_000_000)])
        ])
        let leaderChain = try Chain.create(
            genesis: genesis, store: try FileBlockStore(folder: root.appendingPathComponent("leader")), clock: ManualClock(1_750_000_000),
            snapshotInterval: 0)
        var nonce: UInt64 = 0
        for _ in 0..<blocks {
            var batch: [SignedTransaction] = []
            for _ in 0..<perBlock {
                let to = PrivateKey.derived(seed: 77, label: "bench-follower/\(nonce % 500)").address
                batch.append(try SignedTransaction.sign(
                    LedgerModule.Call.transfer(token: dmt, to: to, amount: 1), for: LedgerModule.self, chainID: 9, nonce: nonce, with: sender))
                nonce += 1
            }
            try leaderChain.submit(batch)
        }
        let transactions = blocks * perBlock
        // Baseline: verify the leader's blocks (best of 3).
        var verifySeconds = Double.infinity
        for _ in 0..<3 {
            let t0 = Bench.now()
            _ = try leaderChain.verify()
            verifySeconds = min(verifySeconds, Double(Bench.now() - t0) / 1e9)
        }

        let leader = try Node(chain: leaderChain)
        let ports = DatatrustBench.Box<Int>()
        let bound = DispatchSemaphore(value: 0)
        let app = NodeServer.application(for: leader, port: 0) { port in
            ports.value = port
            bound.signal()
        }
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        bound.wait()
        guard let port = ports.value, let url = URL(string: "http://127.0.0.1:\(port)") else { return }

        // A fresh follower each round (best of 3), timed from start to the leader's head.
        let sync = DatatrustBench.Box<Double>()
        let done = DispatchSemaphore(value: 0)
        Task {
            defer { done.signal() }
            var best = Double.infinity
            for round in 0..<3 {
                do {
                    let store = try FileBlockStore(folder: root.appendingPathComponent("follower-\(round)"))
                    let chain = try Chain.create(genesis: genesis, store: store, clock: ManualClock(1_750_000_000), snapshotInterval: 0)
                    let follower = try Node(following: RemoteNode(base: url), chain: chain)
                    let t0 = Bench.now()
                    await follower.startFollowing()
                    guard await follower.waitForReplication(of: UInt64(blocks), timeout: .seconds(600)) else {
                        print("follower benchmark: replication stopped at \(await follower.head): \(String(describing: await follower.followStatus))")
                        return
                    }
                    best = min(best, Double(Bench.now() - t0) / 1e9)
                    await follower.stop()
                    guard try chain.stateHash() == leaderChain.stateHash() else {
                        print("follower benchmark: the follower's state hash differs from the leader's")
                        return
                    }
                } catch {
                    print("follower benchmark failed: \(error)")
                    return
                }
            }
            sync.value = best
        }
        done.wait()
        guard let syncSeconds = sync.value else { return }
        let syncRate = Double(transactions) / syncSeconds, verifyRate = Double(transactions) / verifySeconds
        Bench.row(
            "follower sync, \(blocks) blocks × \(perBlock) transfers", value: Bench.rate(1 / syncRate, unit: " tx/s"),
            baseline: "chain verify " + Bench.rate(1 / verifyRate, unit: " tx/s"), ratio: syncRate / verifyRate, target: "≥ 0.8×")
    }
}
