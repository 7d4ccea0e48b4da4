import DataMarketTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LedgerCore
import Testing

/// Transactions submitted to a `dmctl node serve --follow` process and forwarded to its leader,
/// which is killed with SIGKILL at a seeded random moment and restarted: the follower hands the
/// ones the leader lost over again, so every transaction it acknowledged ends up included, once;
/// a follower killed too finds them in its journal when it restarts.
@Suite struct NodeForwardingTests {
    /// The answer to one HTTP request.
    struct Answer: Sendable {
        let status: Int
        let body: [String: String]
    }

    /// POSTs `tx` to `base/transactions`; nil when the node cannot be reached.
    static func submit(_ tx: SignedTransaction, to base: String, wait: Bool = false) async -> Answer? {
        guard let url = URL(string: base + "/transactions" + (wait ? "?wait=true&timeout=30" : "")) else { return nil }
        var request = URLRequest(url: url, timeoutInterval: 40)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"transaction": "\#(Hex.encode(tx.encoded))"}"#.utf8)
        return await send(request)
    }

    /// GETs `base/path`; nil when the node cannot be reached.
    static func get(_ base: String, _ path: String) async -> Answer? {
        guard let url = URL(string: base + path) else { return nil }
        return await send(URLRequest(url: url, timeoutInterval: 20))
    }

    static func send(_ request: URLRequest) async -> Answer? {
        guard let (data, response) = try? await URLSession.shared.data(for: request) else { return nil }
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        var body: [String: String] = [:]
        for (key, value) in object { body[key] = "\(value)" }
        return Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: body)
    }

    /// The chain id of every leader here.
    static let chainID: UInt64 = 1337

    /// A test's parties and the leader's home: `count` senders and a sink with keys derived
    /// from `label`, and a file chain (what `dmctl chain init` would leave, made in-process)
    /// whose DMT is 1,000 smallest units for each sender.
    static func parties(_ label: String, senders count: Int) throws -> (home: TestHome, senders: [PrivateKey], sink: Address, folder: URL) {
        let senders = (0..<count).map { PrivateKey.derived(seed: 13, label: "\(label)/sender-\($0)") }
        let home = try TestHome()
        var builder = TestChain.startedAgo(3600, chainID: chainID)
        builder.fund(try TokenID("DMT"), senders.map { ($0.address, 1_000) })
        _ = try builder.build(in: home, snapshotInterval: 0)
        return (home, senders, PrivateKey.derived(seed: 13, label: "\(label)/sink").address, home.url.appendingPathComponent("chain"))
    }

    @Test func forwardedTransactionsTheLeaderLostAreForwardedAgainAndIncludedOnce() async throws {
        let (home, senders, sink, folder) = try Self.parties("forward-kill", senders: 4)
        let dmt = try TokenID("DMT"), chainID = Self.chainID
        // A slow block interval keeps transactions in the leader's pool long enough to be lost.
        let leaderArguments = ["--block-interval", "400"]
        let port = DatatrustMarket.freePort()
        var leader = try await RunningNode.start(home, run: 0, arguments: leaderArguments, port: port)
        defer { leader.signalStop() }
        let followerHome = try TestHome()
        let follower = try await NodeFollowerTests.follow(followerHome, leader, run: 0)
        defer { follower.signalStop() }

        let seed = ProcessInfo.processInfo.environment["FORWARD_KILL_SEED"].flatMap(UInt64.init) ?? UInt64(Date().timeIntervalSince1970 * 1000)
        print("forwardedTransactionsTheLeaderLost: seed \(seed) (rerun with FORWARD_KILL_SEED=\(seed))")
        var rng = SplitMix64(seed: seed)
        let killAfter = 300 + Double(rng.below(1_000))
        let downFor = 200 + Double(rng.below(800))
        let pauses = (0..<senders.count).map { _ in 20 + Int(rng.below(60)) }
        let perSender = 25

        // Each sender submits its nonces in order through the follower, retrying one that is
        // not acknowledged (the leader down: 503) as a client would.
        let followerURL = follower.url
        let submitting = Task {
            try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
                for (i, key) in senders.enumerated() {
                    let pause = pauses[i]
                    group.addTask {
                        var hashes: [String] = []
                        for nonce in 0..<perSender {
                            let tx = try SignedTransaction.sign(
                                LedgerModule.Call.transfer(token: dmt, to: sink, amount: 1), for: LedgerModule.self, chainID: chainID,
                                nonce: UInt64(nonce), with: key)
                            let deadline = Date().addingTimeInterval(90)
                            while Date() < deadline {
                                if let answer = await Self.submit(tx, to: followerURL), [200, 202].contains(answer.status) {
                                    #expect(answer.body["hash"] == tx.hash.hex)
                                    hashes.append(tx.hash.hex)
                                    break
                                }
                                try await Task.sleep(for: .milliseconds(100))
                            }
                            try await Task.sleep(for: .milliseconds(pause))
                        }
                        return (i, hashes)
                    }
                }
                var all = Array(repeating: [String](), count: senders.count)
                for try await (i, hashes) in group { all[i] = hashes }
                return all
            }
        }
        // SIGKILL at a seeded moment while the senders submit (the first moment after it when
        // the leader holds transactions in its pool, so that some are lost); restart a seeded
        // moment later.
        try await Task.sleep(for: .milliseconds(killAfter))
        var pendingAtKill = 0
        for _ in 0..<300 {
            pendingAtKill = NodeServeTests.object(try await Curl.request([leader.url + "/head"]).body)["pending"] as? Int ?? 0
            if pendingAtKill > 0 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        await leader.kill9()
        print("forwardedTransactionsTheLeaderLost: SIGKILL after \(killAfter) ms with about \(pendingAtKill) pending; down \(downFor) ms")
        try await Task.sleep(for: .milliseconds(downFor))
        leader = try await RunningNode.start(home, run: 1, arguments: leaderArguments, port: port)
        let acknowledgedBySender = try await submitting.value
        let acknowledged = acknowledgedBySender.flatMap { $0 }
        #expect(acknowledged.count == senders.count * perSender, "seed \(seed): every submission was acknowledged in the end")

        // Every acknowledged transaction is included, as the follower reports, within a bounded time.
        let deadline = Date().addingTimeInterval(60)
        var unsettled = Set(acknowledged)
        while !unsettled.isEmpty, Date() < deadline {
            for hash in unsettled {
                if let answer = await Self.get(followerURL, "/transactions/\(hash)"), answer.body["status"] == "included" {
                    unsettled.remove(hash)
                }
            }
            if !unsettled.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        // The first unsettled transaction of each sender says why the rest are stuck behind it.
        var stuck: [String] = []
        for hashes in acknowledgedBySender {
            guard let first = hashes.firstIndex(where: { unsettled.contains($0) }) else { continue }
            let here = await Self.get(followerURL, "/transactions/\(hashes[first])")?.body ?? [:]
            let there = await Self.get(leader.url, "/transactions/\(hashes[first])")?.body ?? [:]
            stuck.append("nonce \(first): follower \(here), leader \(there)")
        }
        let logs = ["node-0.err", "node-1.err"].map { name in
            "\(name): " + ((try? String(contentsOf: home.url.appendingPathComponent(name), encoding: .utf8)) ?? "").suffix(2_000)
        }.joined(separator: "\n")
        let followerLog = ((try? String(contentsOf: followerHome.url.appendingPathComponent("node-0.err"), encoding: .utf8)) ?? "").suffix(2_000)
        let heads = "leader \(await Self.get(leader.url, "/head")?.body ?? [:]); follower \(await Self.get(followerURL, "/head")?.body ?? [:])"
        #expect(unsettled.isEmpty, "seed \(seed): \(unsettled.count) acknowledged transactions are not included: \(stuck)\n\(heads)\n\(logs)\nfollower: \(followerLog)")

        // A transaction the leader refuses when it builds its block is refused on the follower
        // with the leader's typed reason (sender 0 holds 1,000 - 12 units, not 5,000).
        let overdraw = try SignedTransaction.sign(
            LedgerModule.Call.transfer(token: dmt, to: sink, amount: 5_000), for: LedgerModule.self, chainID: chainID,
            nonce: UInt64(perSender), with: senders[0])
        let refused = await Self.submit(overdraw, to: followerURL, wait: true)
        #expect(refused?.status == 422, "seed \(seed): \(String(describing: refused))")
        #expect(refused?.body["error"]?.hasPrefix("LedgerError.") == true, "seed \(seed): \(String(describing: refused))")
        let lookup = await Self.get(followerURL, "/transactions/\(overdraw.hash.hex)")
        #expect(lookup?.body["status"] == "refused")

        let (l, f) = try await NodeFollowerTests.converge(leader, follower)
        #expect(f["stateHash"] as? String == l["stateHash"] as? String, "seed \(seed)")
        await follower.stop()
        await leader.stop()

        // In the leader's folder: each acknowledged transaction exactly once, each sender's
        // nonce at the number it sent, and the hash chain verifies.
        let blocks = try FileBlockStore(folder: folder).blocks(from: 1)
        var seen: [String: Int] = [:]
        for block in blocks { for tx in block.transactions { seen[tx.hash.hex, default: 0] += 1 } }
        for hash in acknowledged { #expect(seen[hash] == 1, "seed \(seed): \(hash) is included \(seen[hash] ?? 0) times") }
        #expect(seen.values.allSatisfy { $0 == 1 }, "seed \(seed): no transaction is included twice")
        #expect(seen.count == acknowledged.count, "seed \(seed): the chain holds exactly the acknowledged transfers")
        let verify = try await home.runAsync(["chain", "verify"])
        #expect(verify.status == 0, "seed \(seed): \(verify.stderr)")
    }

    @Test func forwardedTransactionsOutstandingWhenTheFollowerIsKilledAreReportedAfterRestartAndIncludedOnce() async throws {
        let (home, senders, sink, folder) = try Self.parties("forward-journal", senders: 2)
        let dmt = try TokenID("DMT"), chainID = Self.chainID
        // A leader that builds a block only once an hour holds what it is sent in its pool
        // (a minute was not enough on a starved machine).
        let port = DatatrustMarket.freePort()
        var leader = try await RunningNode.start(home, run: 0, arguments: ["--block-interval", "3600000"], port: port)
        defer { leader.signalStop() }
        let followerHome = try TestHome()
        var follower = try await NodeFollowerTests.follow(followerHome, leader, run: 0)
        defer { follower.signalStop() }

        // Three transfers of sender 0 and one of sender 1, acknowledged by the follower and
        // waiting in the leader's pool.
        var transactions: [SignedTransaction] = []
        for (key, nonce) in [(senders[0], 0), (senders[0], 1), (senders[0], 2), (senders[1], 0)] {
            transactions.append(try SignedTransaction.sign(
                LedgerModule.Call.transfer(token: dmt, to: sink, amount: 1), for: LedgerModule.self, chainID: chainID, nonce: UInt64(nonce), with: key))
        }
        for tx in transactions {
            let answer = await Self.submit(tx, to: follower.url)
            #expect(answer?.status == 202 && answer?.body["status"] == "pending", "\(String(describing: answer))")
        }
        #expect(NodeServeTests.object(try await Curl.request([leader.url + "/head"]).body)["pending"] as? Int == transactions.count)

        // Both die: the follower with its forwarded list outstanding, the leader with its pool.
        await follower.kill9()
        await leader.kill9()
        leader = try await RunningNode.start(home, run: 1, arguments: ["--block-interval", "50"], port: port)
        follower = try await NodeFollowerTests.follow(followerHome, leader, run: 1)

        // The restarted follower still knows each one (pending, or already included once it
        // handed them over again), and each ends up included.
        for tx in transactions {
            let status = await Self.get(follower.url, "/transactions/\(tx.hash.hex)")
            #expect([200, 202].contains(status?.status) && ["pending", "included"].contains(status?.body["status"]), "\(tx.hash): \(String(describing: status))")
        }
        var unsettled = Set(transactions.map(\.hash.hex))
        let deadline = Date().addingTimeInterval(60)
        while !unsettled.isEmpty, Date() < deadline {
            for hash in unsettled where await Self.get(follower.url, "/transactions/\(hash)")?.body["status"] == "included" {
                unsettled.remove(hash)
            }
            if !unsettled.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        let log = ((try? String(contentsOf: followerHome.url.appendingPathComponent("node-1.err"), encoding: .utf8)) ?? "").suffix(2_000)
        #expect(unsettled.isEmpty, "not included after the restart: \(unsettled)\n\(log)")
        let (l, f) = try await NodeFollowerTests.converge(leader, follower)
        #expect(f["stateHash"] as? String == l["stateHash"] as? String)
        await follower.stop()
        await leader.stop()

        // Each exactly once in the leader's chain; the journal settled every entry it recorded.
        var seen: [String: Int] = [:]
        for block in try FileBlockStore(folder: folder).blocks(from: 1) {
            for tx in block.transactions { seen[tx.hash.hex, default: 0] += 1 }
        }
        #expect(seen == Dictionary(uniqueKeysWithValues: transactions.map { ($0.hash.hex, 1) }), "\(seen)")
        let journal = try String(contentsOf: followerHome.url.appendingPathComponent("node/forwarded.journal"), encoding: .utf8)
        let lines = journal.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("+ ") }.count == lines.filter { $0.hasPrefix("- ") }.count, "\(journal)")
        #expect(try await home.runAsync(["chain", "verify"]).status == 0)
        #expect(try await followerHome.runAsync(["chain", "verify"]).status == 0)
    }
}
