import DataMarketTesting
import Foundation
import LedgerCore
import LedgerPostgres
import Testing

/// Two `dmctl node serve` processes sharing one chain in PostgreSQL (`--store postgres://…`),
/// each with clients of its own submitting at the same time: the advisory lock lets one build a
/// block at a time, every acknowledged transfer is in exactly one block, `dmctl chain verify`
/// passes, and a node killed with SIGKILL leaves the other appending.
@Suite(.enabled(if: PostgresTestServer.isEnabled, "DATAMARKET_POSTGRES_URL is not set (scripts/postgres.sh start prints one)"))
struct NodePostgresTests {
    static func dropSchema(_ store: String) {
        if let location = try? PostgresLocation(url: store) { try? PostgresBlockStore.dropSchema(at: location) }
    }

    /// Starts node `run` of `home` on the chain in `store`.
    static func startNode(_ home: TestHome, store: String, run: Int) async throws -> RunningNode {
        try await RunningNode.start(home, run: run, arguments: ["--block-interval", "50", "--store", store])
    }

    /// One acknowledged transfer: the transaction and the height the node reported.
    struct Ack: Hashable { let hash: String; let height: Int }

    /// What one client got: the transfers acknowledged, and the failures.
    struct Results { var acks: [Ack] = []; var failures: [String] = [] }

    /// Counts acknowledgements while clients run, so a test can act after the first few.
    actor Progress {
        private(set) var acks = 0
        func ack() { acks += 1 }
    }

    /// Runs `count` transfers of 1 DMT to `recipient` by `sender` through `node`, one after
    /// another; stops at the first failure when `stopOnFailure`.
    ///
    /// The client also names the store: `token transfer` reads the token's decimals from the
    /// chain it opens locally, even with `--node` (the node does the submitting).
    static func client(_ home: TestHome, store: String, node: String, sender: String, recipient: String, count: Int,
                       progress: Progress? = nil, stopOnFailure: Bool = false) async -> Results {
        var results = Results()
        for i in 0..<count {
            do {
                let r = try await home.runAsync(["token", "transfer", "--token", "DMT", "--to", recipient, "--amount", "1", "--key", sender,
                                                 "--json", "--node", node, "--store", store])
                let object = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
                if r.status == 0, let hash = object["transactionHash"] as? String, let height = object["height"] as? Int {
                    results.acks.append(Ack(hash: hash, height: height))
                    await progress?.ack()
                    continue
                }
                results.failures.append("\(sender) #\(i) via \(node): exit \(r.status): \(r.stderr)")
            } catch {
                results.failures.append("\(sender) #\(i): \(error)")
            }
            if stopOnFailure { break }
        }
        return results
    }

    /// A home with keys alice (minter) and `senders`, a chain in `store`, and 100 DMT per sender.
    static func prepare(_ home: TestHome, store: String, senders: [String]) async throws -> String {
        for name in ["alice"] + senders { try await home.okAsync(["key", "new", "--name", name]) }
        try await home.okAsync(["chain", "init", "--key", "alice", "--store", store])
        let alice = try await home.addressAsync("alice")
        for name in senders {
            try await home.okAsync(["token", "transfer", "--token", "DMT", "--to", try await home.addressAsync(name), "--amount", "100", "--key", "alice", "--store", store])
        }
        return alice
    }

    /// Checks that every acknowledged transfer is in exactly one block, at the height its node
    /// reported, and that the chain verifies.
    static func checkChain(_ home: TestHome, store: String, acks: [Ack], alice: String) async throws {
        #expect(Set(acks.map(\.hash)).count == acks.count, "a transaction was acknowledged twice")
        let events = try await home.jsonAsync(["chain", "events", "--kind", "Transfer", "--account", alice, "--store", store]) as? [[String: Any]] ?? []
        var heightsOf: [String: [Int]] = [:]
        for event in events {
            guard let hash = event["transactionHash"] as? String, let height = event["height"] as? Int else { continue }
            heightsOf[hash, default: []].append(height)
        }
        for ack in acks {
            #expect(heightsOf[ack.hash] == [ack.height], "transfer \(ack.hash) acknowledged at \(ack.height), found at \(heightsOf[ack.hash] ?? [])")
        }
        let verify = try await home.runAsync(["chain", "verify", "--store", store])
        #expect(verify.status == 0, "chain verify: \(verify.stderr)")
    }

    @Test func twoNodesOnOnePostgresAppendConcurrentlyAndEveryAcknowledgedTransferIsInOneBlock() async throws {
        let store = try PostgresTestServer.freshStoreURL()
        defer { Self.dropSchema(store) }
        let home = try TestHome()
        let senders = ["bob", "carol", "dave", "erin"]
        let alice = try await Self.prepare(home, store: store, senders: senders)
        let heightBefore = try await home.objectAsync(["chain", "info", "--store", store])["height"] as? Int ?? -1
        let a = try await Self.startNode(home, store: store, run: 0)
        defer { a.signalStop() }
        let b = try await Self.startNode(home, store: store, run: 1)
        defer { b.signalStop() }

        let perClient = 5
        let results = await withTaskGroup(of: Results.self) { group in
            for (i, sender) in senders.enumerated() {
                group.addTask {
                    await Self.client(home, store: store, node: i % 2 == 0 ? a.url : b.url, sender: sender, recipient: "alice", count: perClient)
                }
            }
            return await group.reduce(into: Results()) { $0.acks += $1.acks; $0.failures += $1.failures }
        }
        let (acks, failures) = (results.acks, results.failures)
        #expect(failures.isEmpty, "\(failures)")
        #expect(acks.count == senders.count * perClient)
        try await Self.checkChain(home, store: store, acks: acks, alice: alice)
        let info = try await home.objectAsync(["chain", "info", "--store", store])
        #expect((info["height"] as? Int ?? -1) > heightBefore)
        // 400 DMT sent to the senders, 20 of it back (1 DMT a transfer): each exactly once.
        let balance = try await home.objectAsync(["token", "balance", "--token", "DMT", "--account", "alice", "--store", store])["balance"] as? String
        #expect(balance == "999620000000000000000000")
    }

    @Test func aNodeKilledWithSIGKILLLeavesTheOtherAppending() async throws {
        let store = try PostgresTestServer.freshStoreURL()
        defer { Self.dropSchema(store) }
        let home = try TestHome()
        let senders = ["bob", "carol"]
        let alice = try await Self.prepare(home, store: store, senders: senders)
        let a = try await Self.startNode(home, store: store, run: 0)
        defer { a.signalStop() }
        let b = try await Self.startNode(home, store: store, run: 1)
        defer { b.signalStop() }

        // bob's client uses node A until it dies; carol's uses node B throughout.
        let progressA = Progress()
        let clientA = Task {
            await Self.client(home, store: store, node: a.url, sender: "bob", recipient: "alice", count: 40, progress: progressA, stopOnFailure: true)
        }
        let clientB = Task { await Self.client(home, store: store, node: b.url, sender: "carol", recipient: "alice", count: 8) }
        // Kill A while it is taking and appending transfers (it holds the lock during each block).
        _ = await eventually(timeout: .seconds(120), every: .milliseconds(20)) { await progressA.acks >= 3 }
        await a.kill9()
        let acksA = await clientA.value.acks
        let other = await clientB.value
        let (acksB, failuresB) = (other.acks, other.failures)
        #expect(failuresB.isEmpty, "node B stopped appending after node A died: \(failuresB)")
        #expect(acksB.count == 8)
        #expect(acksA.count >= 3)
        // Whatever A acknowledged before it died is in the chain, once.
        try await Self.checkChain(home, store: store, acks: acksA + acksB, alice: alice)
    }
}
