import DataMarketTesting
import DatatrustKit
import Foundation
import LedgerCore
import MarketKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The datatrust server SIGKILLed at random points of `add` and of a paid query, each step by
/// a separate `dmctl` process: after a restart and a housekeeping run, every acknowledged
/// datapoint is stored and attested, every charged job is reported exactly once, and no
/// `.part` file or unindexed object is left.
@Suite struct DatatrustFaultTests {

    /// The events of `kind` on chain, as their field maps.
    static func events(_ home: TestHome, kind: String) async throws -> [[String: String]] {
        let all = try #require(try await home.jsonAsync(["chain", "events", "--kind", kind]) as? [[String: Any]])
        return all.compactMap { $0["fields"] as? [String: String] }
    }

    @Test(.timeLimit(.minutes(15)))
    func sigkilledServerLosesNothingAndLeavesNothingStuck() async throws {
        let market = try await DatatrustMarket.make(rawSQL: true)
        let home = market.home
        var rng = SplitMix64(seed: 0xDA7A_7205_7000_0012)
        let dt = try await home.addressAsync("dt")

        // Each round starts a server after the chain steps it needs (a server follows the chain
        // only from its start until the live chain view lands), then kills it.

        // Two listed datapoints for the queries to read.
        var files: [String] = []
        for i in 0..<2 {
            files.append(try market.file("listed-\(i).csv", "age\n\(30 + i)\n\(40 + i)\n"))
            try await home.okAsync(["market", "apply", "heart", "--file", files[i], "--key", "bob"])
        }
        let setup = try await market.serveAsync(tag: "setup")
        for file in files { try await home.okAsync(["datatrust", "add", "--url", setup.url, "--market", "heart", "--key", "bob", file]) }
        await setup.handle.killAndWait()
        for poll in 2...3 { try await home.okAsync(["market", "vote", "heart", "\(poll)", "yea", "--key", "alice"]) }
        try await home.okAsync(["chain", "warp", "61s"])
        for poll in 2...3 { try await home.okAsync(["market", "resolve", "heart", "\(poll)", "--key", "alice"]) }

        // Adds, the server killed after a random delay.
        var ackedAdds: [Hash32] = []
        var triedAdds: [Hash32] = []
        for round in 0..<20 {
            let text = "age\n\(round % 100)\n\((round * 7) % 100)\n\((round * 13) % 100)\n"
            let file = try market.file("add-\(round).csv", text)
            try await home.okAsync(["market", "apply", "heart", "--file", file, "--key", "bob"])
            let hash = Keccak256.hash(Array(text.utf8))
            triedAdds.append(hash)
            let server = try await market.serveAsync(tag: "add-\(round)")
            #expect(server.process.isRunning, "start add-\(round): \(server.log)")
            let client = try home.runner.background(
                ["datatrust", "add", "--url", server.url, "--market", "heart", "--key", "bob", file, "--home", home.url.path], tag: "add-\(round)", in: home.url)
            try await Task.sleep(for: .microseconds(rng.below(1_200_000)))
            await server.handle.killAndWait()
            if await client.exitStatus(timeout: .seconds(600)) == 0 { ackedAdds.append(hash) }
        }

        // Paid queries, the server killed after a random delay.
        var ackedJobs: [UInt64] = []
        for round in 0..<20 {
            let job = UInt64(round + 1)
            try await home.okAsync(["market", "pay", "heart", "--max-price", "10", "--backend", dt, "--key", "buyer"])
            let server = try await market.serveAsync(tag: "query-\(round)")
            #expect(server.process.isRunning, "start query-\(round): \(server.log)")
            let client = try home.runner.background(
                ["datatrust", "query", "--url", server.url, "--market", "heart", "--job", "heart=\(job)",
                 "--sql", "SELECT count(*) FROM heart", "--key", "buyer", "--home", home.url.path], tag: "query-\(round)", in: home.url)
            try await Task.sleep(for: .microseconds(rng.below(1_200_000)))
            await server.handle.killAndWait()
            if await client.exitStatus(timeout: .seconds(600)) == 0 { ackedJobs.append(job) }
        }

        // The housekeeping run, with no server: outbox, expired logins, vault sweep.
        let report = try await home.objectAsync(["datatrust", "housekeep", "--key", "dt", "--grace", "0"])
        #expect(report["pending"] as? Int == 0, "\(report)")

        let store = try SQLiteStore(path: market.folder.appendingPathComponent("index.sqlite").path)
        #expect(try await store.pendingOutbox(dueAt: nil).isEmpty)
        let attested = Set(try await Self.events(home, kind: "Attested").compactMap { $0["dataHash"] })
        for hash in ackedAdds {
            #expect(try await store.datapoint(market: try MarketID("heart"), dataHash: hash) != nil, "acknowledged \(hash.hex) not stored")
            #expect(attested.contains(hash.hex), "acknowledged \(hash.hex) not attested")
        }
        // Whatever was stored, acknowledged or not, is attested.
        for hash in try await store.heldHashes() { #expect(attested.contains(hash.hex), "stored \(hash.hex) not attested") }
        // Every job charged (answered or not) is reported exactly once; acknowledged ones were charged.
        let reported = try await Self.events(home, kind: "JobReported").compactMap { $0["job"].flatMap(UInt64.init) }
        for job in UInt64(1)...20 {
            let charged = try await store.isJobUsed(market: try MarketID("heart"), job: job)
            #expect(reported.filter { $0 == job }.count == (charged ? 1 : 0), "job \(job): charged \(charged), reported \(reported.filter { $0 == job }.count)")
        }
        for job in ackedJobs { #expect(try await store.isJobUsed(market: try MarketID("heart"), job: job), "acknowledged job \(job) not charged") }
        // No temporary file and no object outside the index.
        let tmp = market.folder.appendingPathComponent("vault/tmp")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []).isEmpty)
        let objects = market.folder.appendingPathComponent("vault/objects")
        var stored: Set<String> = []
        for fan in (try? FileManager.default.contentsOfDirectory(atPath: objects.path)) ?? [] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: objects.appendingPathComponent(fan).path)) ?? [] {
                stored.insert("0x" + fan + name.replacingOccurrences(of: ".dtv", with: ""))
            }
        }
        #expect(stored == Set(try await store.heldHashes().map(\.hex)))
        // Where the kills landed depends on the machine's speed; the counts say how the rounds went.
        print("datatrust fault rounds: \(ackedAdds.count) of \(triedAdds.count) adds and \(ackedJobs.count) of 20 queries acknowledged")
    }
}
