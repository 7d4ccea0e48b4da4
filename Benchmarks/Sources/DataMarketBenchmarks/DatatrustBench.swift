import DatatrustKit
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Hummingbird
import LedgerCore
import MarketKit

/// Datatrust area: vault puts/gets of 1 KiB datapoints beside plain SQLite inserts/selects of
/// the same bytes; HTTP GET_DATAPOINT over loopback; a request decided on a chain that grows by
/// one block a second beside the same request on a still chain. (A 1 GiB datapoint through the
/// vault and the HTTP API is the large area's, ``LargeBench``, each side in a fresh process.)
enum DatatrustBench {
    static func run() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dm-bench-datatrust-\(getpid())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try small(root)
        try http(root)
        try liveChain(root)
    }

    // MARK: - Live chain

    /// GET_COMPUTE_COST through a ``ChainMarketView`` over a `ChainFollower` (each request
    /// catches up with the newest block, reads the listed listings and the index), first on a
    /// still chain, then while another handle on the same file store appends one block a second.
    static func liveChain(_ root: URL) throws {
        Bench.section("datatrust: a request decided on the newest block (ChainFollower over the file store)")
        let folder = root.appendingPathComponent("live-chain")
        let creator = PrivateKey.generate(), owner = PrivateKey.generate(), backend = PrivateKey.generate()
        let dmt = try TokenID("DMT")
        let genesis = GenesisConfig(chainID: 78, timestamp: UInt64(Date().timeIntervalSince1970), tokens: [
            .init(symbol: dmt, name: "DMT", balances: [creator, owner, backend].map { .init(account: $0.address, amount: 10_000_000_000_000_000_000) })
        ])
        let clock = ManualClock(genesis.timestamp)
        let writer = try Chain.create(genesis: genesis, modules: [MarketModule.self], store: try FileBlockStore(folder: folder), clock: clock, snapshotInterval: 0)
        let id = try MarketKit.MarketID("bench")
        var p = Parameters.standard
        p.quorum = 1
        p.councilThreshold = 0
        p.applicationDeposit = 1
        p.voteBy = 60
        func send(_ call: MarketModule.Call, _ key: PrivateKey) throws { try writer.send(call, to: MarketModule.self, from: key) }
        try send(.create(market: id, tokenName: "Bench", networkToken: dmt, parameters: p), creator)
        try send(.invest(market: id, offered: 1_000_000, minTokensOut: 0), creator)
        try send(.proposeBackend(market: id, url: "https://dt", address: backend.address), creator)
        try send(.vote(market: id, poll: 1, yea: true), creator)
        try writer.warp(by: 60)
        try send(.resolve(market: id, poll: 1), creator)
        let schema = MarketSchema(format: .csv, columns: [.init(name: "x", type: .integer)])
        let follower = try ChainFollower.open(folder: folder, modules: [MarketModule.self])
        let datatrust = Datatrust(
            configuration: DatatrustConfiguration(name: "bench", markets: [MarketConfiguration(market: id, schema: schema, allowRawSQL: true)]),
            vault: try Vault(folder: root.appendingPathComponent("live-vault"), masterKey: .generate(), syncWrites: false),
            store: try SQLiteStore(path: root.appendingPathComponent("live.sqlite").path),
            chain: ChainMarketView(follower: follower, writer: writer, backend: backend))
        // Ten listed datapoints of 100 rows.
        let result = Box<(Double, Double, UInt64)>()
        let done = DispatchSemaphore(value: 0)
        Task {
            defer { done.signal() }
            do {
                var polls: [UInt64] = []
                for i in 0..<10 {
                    var text = "x\n"
                    for r in 0..<100 { text += "\(i * 100 + r)\n" }
                    let data = Array(text.utf8)
                    try send(.apply(market: id, dataHash: Keccak256.hash(data)), owner)
                    polls.append(try writer.state(of: MarketModule.self).market(id).nextPollID - 1)
                    _ = try await datatrust.addDatapoint(data, market: "bench", caller: owner.address)
                }
                for poll in polls { try send(.vote(market: id, poll: poll, yea: true), creator) }
                try writer.warp(by: 60)
                for poll in polls { try send(.resolve(market: id, poll: poll), creator) }
                let request = QueryRequest(markets: [id], sql: "SELECT count(*) FROM bench")
                func measure(seconds: Double) async throws -> Double {
                    var best = Double.infinity
                    let end = Bench.now() + UInt64(seconds * 1e9)
                    while Bench.now() < end {
                        let t = Bench.now()
                        for _ in 0..<200 { _ = try await datatrust.computeCost(request) }
                        best = min(best, Double(Bench.now() - t) / 1e9 / 200)
                    }
                    return best
                }
                // Best of windows: each 200-request window on the growing chain includes the
                // catch-up of any block appended during it, as a request would.
                func windows(seconds: Double) async throws -> Double {
                    var total = 0.0, count = 0
                    let end = Bench.now() + UInt64(seconds * 1e9)
                    while Bench.now() < end {
                        let t = Bench.now()
                        for _ in 0..<200 { _ = try await datatrust.computeCost(request) }
                        total += Double(Bench.now() - t) / 1e9
                        count += 200
                    }
                    return total / Double(count)
                }
                _ = try await measure(seconds: 1)  // warm-up
                let still = try await windows(seconds: 5)
                // Another handle on the same store (as another process would) appends a block a second.
                let appender = try Chain.open(store: try FileBlockStore(folder: folder), modules: [MarketModule.self], clock: clock, snapshotInterval: 0)
                let startHeight = follower.height
                let growing = Task.detached {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        _ = try? appender.warp(by: 1)
                    }
                }
                let moving = try await windows(seconds: 5)
                growing.cancel()
                let appended = follower.height - startHeight
                result.value = (still, moving, appended)
            } catch {
                print("live chain benchmark failed: \(error)")
            }
        }
        done.wait()
        if let (still, moving, appended) = result.value {
            Bench.row("cost request, chain +1 block/s (\(appended) blocks)", value: Bench.duration(moving),
                      baseline: "still chain \(Bench.duration(still))", ratio: moving / still, target: "≤ 1.2x")
        }
    }

    // MARK: - 1 KiB datapoints

    static func small(_ root: URL) throws {
        Bench.section("datatrust: 1 KiB datapoints (vault = secretstream + key wrap + Keccak; SQLite = plain BLOB rows, WAL)")
        let n = 5000
        var rng = SystemRandomNumberGenerator()
        let items = (0..<n).map { _ in (0..<1024).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        for sync in [false, true] {
            let vault = try Vault(folder: root.appendingPathComponent("small-\(sync)"), masterKey: .generate(), syncWrites: sync)
            let count = sync ? 500 : n
            var hashes: [Hash32] = []
            let start = Bench.now()
            for item in items.prefix(count) { hashes.append(try vault.put(item).dataHash) }
            let put = Double(Bench.now() - start) / 1e9 / Double(count)
            let get = try Bench.secondsPerOp(operations: count, rounds: 3) { for h in hashes { _ = try vault.get(h) } }
            // Baseline: SQLite with the same durability choice.
            var config = Configuration()
            config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(sync ? "FULL" : "OFF")") }
            let pool = try DatabasePool(path: root.appendingPathComponent("plain-\(sync).sqlite").path, configuration: config)
            try pool.write { try $0.execute(sql: "CREATE TABLE d (h BLOB PRIMARY KEY, v BLOB)") }
            let s2 = Bench.now()
            for (i, item) in items.prefix(count).enumerated() {
                try pool.write { try $0.execute(sql: "INSERT INTO d VALUES (?, ?)", arguments: [Data(hashes[i].bytes), Data(item)]) }
            }
            let insert = Double(Bench.now() - s2) / 1e9 / Double(count)
            let select = try Bench.secondsPerOp(operations: count, rounds: 3) {
                try pool.read { db in
                    let stmt = try db.cachedStatement(sql: "SELECT v FROM d WHERE h = ?")
                    for h in hashes { _ = try Data.fetchOne(stmt, arguments: [Data(h.bytes)]) }
                }
            }
            let label = sync ? "fsync" : "no fsync"
            Bench.row("vault put (\(label))", value: Bench.rate(put), baseline: "SQLite insert \(Bench.rate(insert))", ratio: insert / put,
                      target: sync ? "durable; no target" : "≥ 5,000/s")
            Bench.row("vault get (\(label) store)", value: Bench.rate(get), baseline: "SQLite select \(Bench.rate(select))", ratio: select / get,
                      target: "≥ 20,000/s")
        }
    }

    // MARK: - HTTP

    /// The benchmark's chain stand-in: the owner lists everything.
    struct OwnerListsEverything: DatatrustMarketView {
        let owner: Address
        func listings(market: MarketKit.MarketID, dataHash: Hash32) async throws -> [ListingInfo] {
            [ListingInfo(id: dataHash, market: market, dataHash: dataHash, owner: owner, state: .listed)]
        }
        func isCouncilMember(_ address: Address, market: MarketKit.MarketID) async throws -> Bool { false }
        func isAuthorisedBackend(_ address: Address, market: MarketKit.MarketID) async throws -> Bool { true }
        var backendAddress: Address { owner }
        func job(market: MarketKit.MarketID, id: UInt64) async throws -> JobLookup { .unknown }
        func listedListings(market: MarketKit.MarketID) async throws -> [ListedListing] { [] }
        func privacyPrice(market: MarketKit.MarketID) async throws -> UInt256 { 0 }
        func attestHolding(market: MarketKit.MarketID, dataHash: Hash32) async throws -> String { "bench" }
        func reportUsage(market: MarketKit.MarketID, job: UInt64, listings: [Hash32]) async throws -> String { "bench" }
    }

    final class Box<T>: @unchecked Sendable { var value: T?; init() {} } // written once before the semaphore signals

    static func http(_ root: URL) throws {
        Bench.section("datatrust: HTTP GET_DATAPOINT over loopback (Hummingbird 2, 4 concurrent URLSession clients)")
        let owner = PrivateKey.generate()
        let market = try MarketKit.MarketID("bench")
        let schema = MarketSchema(format: .csv, columns: [.init(name: "x", type: .integer)])
        let datatrust = Datatrust(
            configuration: DatatrustConfiguration(name: "bench", markets: [MarketConfiguration(market: market, schema: schema)], rateLimitRequests: 10_000_000),
            vault: try Vault(folder: root.appendingPathComponent("http-vault"), masterKey: .generate(), syncWrites: false),
            store: try SQLiteStore(path: root.appendingPathComponent("http.sqlite").path),
            chain: OwnerListsEverything(owner: owner.address))
        let port = 18_000 + Int(getpid() % 1000)
        let app = DatatrustServer.application(for: datatrust, port: port)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        let result = Box<(Double, Double)>()
        let done = DispatchSemaphore(value: 0)
        Task {
            defer { done.signal() }
            do {
                var client = DatatrustClient(baseURL: URL(string: "http://127.0.0.1:\(port)")!)
                for _ in 0..<50 {
                    if (try? await client.markets()) != nil { break }
                    try await Task.sleep(nanoseconds: 100_000_000)
                }
                try await client.login(with: owner)
                var text = "x\n"
                for i in 0..<100 { text += "\(i)\n" }
                let added = try await client.addDatapoint(Array(text.utf8), market: "bench")
                let perClient = 1000
                let authed = client
                let t0 = Bench.now()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask { for _ in 0..<perClient { _ = try await authed.getDatapoint(market: "bench", dataHash: added.dataHash) } }
                    }
                    try await group.waitForAll()
                }
                let get = Double(Bench.now() - t0) / 1e9 / Double(4 * perClient)
                let t1 = Bench.now()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 { group.addTask { for _ in 0..<perClient { _ = try await authed.markets() } } }
                    try await group.waitForAll()
                }
                let markets = Double(Bench.now() - t1) / 1e9 / Double(4 * perClient)
                result.value = (get, markets)
            } catch {
                print("http benchmark failed: \(error)")
            }
        }
        done.wait()
        server.cancel()
        if let (get, markets) = result.value {
            Bench.row("GET_DATAPOINT (auth + vault read, 293 B)", value: Bench.rate(get, unit: " req/s"),
                      baseline: "GET /markets \(Bench.rate(markets, unit: " req/s"))", ratio: markets / get, target: "reported")
        }
    }
}
