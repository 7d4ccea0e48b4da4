import DatatrustKit
import DatatrustPostgres
import Foundation
import LedgerCore
import LedgerPostgres
import MarketKit

/// Area `store` (second half): datatrust puts and gets of 1 KiB datapoints with the index in
/// PostgreSQL (`DATAMARKET_POSTGRES_URL`, a schema of its own, dropped afterwards) beside
/// SQLite in the same run. A put is what an ADD stores: the encrypted object into the vault and
/// the index row with its queued attestation in one commit; a get is the index lookup and the
/// verified decryption. Both backends use the same local vault folder, so the ratio is the
/// index's. Sequential (one request at a time: latency) and 16 at a time (throughput).
enum DatatrustStoreBench {
    final class Box<T>: @unchecked Sendable { var value: T?; init() {} } // written once before the semaphore signals

    static func run() throws {
        Bench.section("store: datatrust 1 KiB puts and gets, PostgreSQL index vs SQLite")
        guard let base = try StoreBench.postgresFromEnvironment() else { return }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dt-store-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let box = Box<[String: (put: Double, get: Double)]>()
        let failure = Box<any Error>()
        let done = DispatchSemaphore(value: 0)
        Task {
            defer { done.signal() }
            do {
                var out: [String: (put: Double, get: Double)] = [:]
                for concurrency in [1, 16] {
                    out["sqlite-\(concurrency)"] = try await best(concurrency: concurrency) { round in
                        let folder = root.appendingPathComponent("sqlite-\(concurrency)-\(round)")
                        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                        return (try SQLiteStore(path: folder.appendingPathComponent("index.sqlite").path), folder, {})
                    }
                    out["postgres-\(concurrency)"] = try await best(concurrency: concurrency) { round in
                        let folder = root.appendingPathComponent("pg-\(concurrency)-\(round)")
                        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
                        let location = try base.with(schema: "bench_\(suffix)")
                        let store = try await PostgresDatatrustStore(location: location, maximumConnections: 16)
                        return (store, folder, { try? PostgresBlockStore.dropSchema(at: location) })
                    }
                }
                box.value = out
            } catch {
                failure.value = error
            }
        }
        done.wait()
        if let error = failure.value { throw error }
        let figures = box.value ?? [:]
        for concurrency in [1, 16] {
            guard let sqlite = figures["sqlite-\(concurrency)"], let postgres = figures["postgres-\(concurrency)"] else { continue }
            let label = concurrency == 1 ? "one at a time" : "\(concurrency) at a time"
            Bench.row("1 KiB put, \(label), PostgreSQL", value: Bench.rate(postgres.put, unit: " puts/s"),
                      baseline: "SQLite \(Bench.rate(sqlite.put, unit: " puts/s"))", ratio: sqlite.put / postgres.put,
                      target: "PostgreSQL / SQLite throughput")
            Bench.row("1 KiB get, \(label), PostgreSQL", value: Bench.rate(postgres.get, unit: " gets/s"),
                      baseline: "SQLite \(Bench.rate(sqlite.get, unit: " gets/s"))", ratio: sqlite.get / postgres.get,
                      target: "PostgreSQL / SQLite throughput")
        }
    }

    static let count = 400

    /// Best seconds per put and per get over three fresh indexes made by `make`.
    static func best(concurrency: Int, make: (Int) async throws -> (any DatatrustStore, URL, () -> Void)) async throws -> (put: Double, get: Double) {
        let market = try MarketID("bench")
        let owner = PrivateKey.generate().address
        var put = Double.infinity, get = Double.infinity
        for round in 0..<3 {
            let (store, folder, remove) = try await make(round)
            defer { remove() }
            let vault = try Vault(folder: folder.appendingPathComponent("vault"), masterKey: .generate(), syncWrites: false)
            // 1 KiB each, distinct: the index i in the first bytes, a pattern after it.
            let data = (0..<count).map { i in withUnsafeBytes(of: UInt64(i).bigEndian, Array.init) + (8..<1024).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) } }
            let hashes = data.map { Keccak256.hash($0) }
            var start = Bench.now()
            try await inParallel(concurrency) { i in
                let stored = try vault.put(data[i])
                try await store.insert(DatapointRecord(market: market, dataHash: stored.dataHash, owner: owner, size: stored.size, rowCount: 1, created: 0))
            }
            put = min(put, Double(Bench.now() - start) / 1e9 / Double(count))
            start = Bench.now()
            try await inParallel(concurrency) { i in
                guard try await store.datapoint(market: market, dataHash: hashes[i]) != nil, try vault.get(hashes[i]).count == 1024 else {
                    throw ChainBench.BenchError.rejected(i)
                }
            }
            get = min(get, Double(Bench.now() - start) / 1e9 / Double(count))
        }
        return (put, get)
    }

    /// Runs `body(0..<count)` with `width` of them in flight at a time.
    static func inParallel(_ width: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<width {
                group.addTask {
                    var i = lane
                    while i < count {
                        try await body(i)
                        i += width
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
