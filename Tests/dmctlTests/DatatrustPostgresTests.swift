import DataMarketTesting
import DatatrustKit
import DatatrustPostgres
import Foundation
import LedgerCore
import LedgerPostgres
import MarketKit
import Testing

/// Two `dmctl datatrust serve` processes serving one market from one PostgreSQL index
/// (`--index postgres://…`) and one shared vault folder (`--vault`), over one chain (the home's
/// file chain, which both follow): an object one server stored is served by the other; 200
/// concurrent paid queries over 100 jobs, spread over both, use each job once and report it
/// once, paying the owners of both listings; then one server is killed with SIGKILL mid-run
/// and the other carries on, taking over its outbox, until nothing is left owed.
@Suite(.enabled(if: PostgresTestServer.isEnabled, "DATAMARKET_POSTGRES_URL is not set (scripts/postgres.sh start prints one)"))
struct DatatrustPostgresTests {
    /// Client outcomes gathered from several tasks.
    final class Outcomes: @unchecked Sendable {
        // @unchecked: `answered`, `refused` and `taken` are only touched while holding `lock`.
        private let lock = NSLock()
        private var answered: [UInt64] = []
        private var refused: [UInt64: String] = [:]
        private var taken = 0
        /// The next index of a work list, handed to one task only.
        func take() -> Int { lock.withLock { defer { taken += 1 }; return taken } }
        func add(job: UInt64, ok: Bool, detail: String) {
            lock.withLock {
                if ok { answered.append(job) } else { refused[job] = detail }
            }
        }
        var all: (answered: [UInt64], refused: [UInt64: String]) { lock.withLock { (answered, refused) } }
    }

    /// Runs each `(job, server URL)` as a `dmctl datatrust query`, `width` processes at a time.
    static func query(_ home: TestHome, _ runs: [(job: UInt64, url: String)], width: Int, into outcomes: Outcomes) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<width {
                group.addTask {
                    while true {
                        let i = outcomes.take()
                        guard i < runs.count else { return }
                        let run = runs[i]
                        let result = try? await home.runAsync(["datatrust", "query", "--url", run.url, "--market", "heart", "--job", "heart=\(run.job)",
                                                               "--sql", "SELECT count(*) FROM heart", "--key", "buyer"])
                        outcomes.add(job: run.job, ok: result?.status == 0, detail: result?.stderr ?? "did not run")
                    }
                }
            }
        }
    }

    static func events(_ home: TestHome, kind: String) async throws -> [[String: String]] {
        let all = try #require(try await home.jsonAsync(["chain", "events", "--kind", kind]) as? [[String: Any]])
        return all.compactMap { $0["fields"] as? [String: String] }
    }

    static func payJobs(_ home: TestHome, count: Int, backend: String) async throws {
        for _ in 0..<count { try await home.okAsync(["market", "pay", "heart", "--max-price", "10", "--backend", backend, "--key", "buyer"]) }
    }

    @Test(.timeLimit(.minutes(15)))
    func twoServersOnOneIndexUseEachJobOnceAndOneCarriesOnWhenTheOtherIsKilled() async throws {
        let index = try PostgresTestServer.freshStoreURL()
        defer { NodePostgresTests.dropSchema(index) }
        let market = try await DatatrustMarket.make(rawSQL: true)
        let home = market.home
        // Plenty of requests per minute: 200 logins and queries by one buyer.
        let config = """
            {"name": "dt-e2e", "rateLimitRequests": 100000, "outboxInterval": 1, "markets": [{"market": "heart", "allowRawSQL": true,
              "schema": {"format": "csv", "columns": [{"name": "age", "type": "integer", "min": 0, "max": 120}]}}]}
            """
        try Data(config.utf8).write(to: market.folder.appendingPathComponent("config.json"))
        let vault = home.url.appendingPathComponent("shared-vault").path
        let shared = ["--index", index, "--vault", vault]
        let dt = try await home.addressAsync("dt")
        func start(_ tag: String) async throws -> DatatrustMarket.Server {
            try await market.serveAsync(tag: tag, extra: shared)
        }

        // Two listings, each added through a different server; the vault object one stored is
        // served by the other, and neither adds a datapoint the other added.
        var files: [String] = []
        for i in 0..<2 {
            files.append(try market.file("listed-\(i).csv", "age\n\(30 + i)\n\(40 + i)\n"))
            try await home.okAsync(["market", "apply", "heart", "--file", files[i], "--key", "bob"])
        }
        let hashes = try files.map { Keccak256.hash(Array(try Data(contentsOf: URL(fileURLWithPath: $0))) ) }
        var a = try await start("setup-a")
        var b = try await start("setup-b")
        try await home.okAsync(["datatrust", "add", "--url", a.url, "--market", "heart", "--key", "bob", files[0]])
        try await home.okAsync(["datatrust", "add", "--url", b.url, "--market", "heart", "--key", "bob", files[1]])
        let again = try await home.runAsync(["datatrust", "add", "--url", b.url, "--market", "heart", "--key", "bob", files[0]])
        #expect(again.status != 0 && again.stderr.contains("already"), "a second add through the other server: \(again.stderr)")
        let fetched = home.url.appendingPathComponent("fetched.csv").path
        try await home.okAsync(["datatrust", "get", "--url", b.url, "--market", "heart", "--key", "bob", "--out", fetched, hashes[0].hex])
        #expect(try Data(contentsOf: URL(fileURLWithPath: fetched)) == Data(contentsOf: URL(fileURLWithPath: files[0])))
        await a.handle.killAndWait()
        await b.handle.killAndWait()
        for poll in 1...2 { try await home.okAsync(["market", "vote", "heart", "\(poll + 1)", "yea", "--key", "alice"]) }
        try await home.okAsync(["chain", "warp", "61s"])
        for poll in 1...2 { try await home.okAsync(["market", "resolve", "heart", "\(poll + 1)", "--key", "alice"]) }
        try await Self.payJobs(home, count: 100, backend: dt)

        // 200 queries, two per job, one on each server, all at once.
        a = try await start("a")
        b = try await start("b")
        let outcomes = Outcomes()
        var runs: [(job: UInt64, url: String)] = []
        for job in UInt64(1)...100 { runs += [(job, job % 2 == 0 ? a.url : b.url), (job, job % 2 == 0 ? b.url : a.url)] }
        await Self.query(home, runs, width: 8, into: outcomes)
        let first = outcomes.all
        #expect(first.answered.sorted() == (UInt64(1)...100).map { $0 }, "every job answered exactly once")
        for (job, detail) in first.refused.sorted(by: { $0.key < $1.key }).prefix(3) {
            #expect(detail.contains("used"), "job \(job) refused for another reason: \(detail)")
        }

        // Then more queries, and server a killed mid-run: b carries on.
        try await Self.payJobs(home, count: 40, backend: dt)
        let second = Outcomes()
        let secondRuns = (UInt64(101)...140).map { (job: $0, url: $0 % 2 == 0 ? a.url : b.url) }
        // a is killed once a few of this round's queries were answered: mid-run, whatever the
        // machine's speed.
        let victim = a.handle
        let killer = Task {
            _ = await eventually(timeout: .seconds(120), every: .milliseconds(20)) { second.all.answered.count >= 6 }
            victim.kill9()
        }
        await Self.query(home, secondRuns, width: 4, into: second)
        await killer.value
        await a.handle.exitStatus()
        #expect(second.all.answered.count >= 6, "the kill did not land mid-run")
        // Jobs whose query died with a: retried on b, which answers those a had not charged.
        let retry = Outcomes()
        await Self.query(home, second.all.refused.keys.sorted().map { (job: $0, url: b.url) }, width: 4, into: retry)
        #expect(b.process.isRunning, "server b stopped: \(b.log)")

        // Nothing stays owed: b submits what a had queued or claimed (once a's claim expires).
        let store = try await PostgresDatatrustStore(url: index)
        var pending = try await store.pendingOutbox(dueAt: nil)
        let deadline = Date().addingTimeInterval(Double(Datatrust.outboxClaimLease) + 60)
        while !pending.isEmpty, Date() < deadline {
            try await Task.sleep(for: .seconds(1))
            pending = try await store.pendingOutbox(dueAt: nil)
        }
        #expect(pending.isEmpty, "still owed: \(pending)")
        await b.handle.killAndWait()

        // On chain: every used job reported once naming both listings, no unused job reported,
        // every acknowledged job used; each datapoint attested once.
        let heart = try MarketID("heart")
        let reports = try await Self.events(home, kind: "JobReported")
        let reported = reports.compactMap { $0["job"].flatMap(UInt64.init) }
        var used: [UInt64] = []
        for job in UInt64(1)...140 {
            let charged = try await store.isJobUsed(market: heart, job: job)
            if charged { used.append(job) }
            #expect(reported.filter { $0 == job }.count == (charged ? 1 : 0), "job \(job): charged \(charged), reported \(reported.filter { $0 == job }.count)")
        }
        for report in reports { #expect(report["touched"] == "2", "a report that does not pay both owners: \(report)") }
        let acknowledged = Set(first.answered + second.all.answered + retry.all.answered)
        #expect(acknowledged.isSubset(of: Set(used)))
        #expect(Set(first.answered).count == first.answered.count && Set(retry.all.answered + second.all.answered).count == second.all.answered.count + retry.all.answered.count,
                "a job answered twice")
        let attested = try await Self.events(home, kind: "Attested").compactMap { $0["dataHash"] }
        #expect(attested.sorted() == hashes.map(\.hex).sorted())
        print("datatrust on PostgreSQL: \(first.answered.count) of 200 concurrent queries answered (100 jobs); after the kill, "
              + "\(second.all.answered.count) + \(retry.all.answered.count) retried of 40 answered, \(used.count - 100) of 40 jobs used")
    }
}
