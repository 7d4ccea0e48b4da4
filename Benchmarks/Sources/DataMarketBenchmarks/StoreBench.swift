import Foundation
import LedgerCore
import LedgerPostgres

/// Area `store`: signed transfers per second through ``Chain/submit(_:)`` on PostgreSQL
/// (`DATAMARKET_POSTGRES_URL`, a schema of its own, dropped afterwards) beside the file store
/// in the same run, in blocks of 1,000 (throughput) and of one transfer (one durable append
/// per transfer: the store's latency dominates).
enum StoreBench {
    /// The PostgreSQL cluster named by `DATAMARKET_POSTGRES_URL`, or nil (after saying why the
    /// area is skipped) when it is unset; both PostgreSQL areas start with it.
    static func postgresFromEnvironment() throws -> PostgresLocation? {
        guard let url = ProcessInfo.processInfo.environment["DATAMARKET_POSTGRES_URL"], !url.isEmpty else {
            print("skipped: DATAMARKET_POSTGRES_URL is not set (scripts/postgres.sh start prints one)")
            return nil
        }
        return try PostgresLocation(url: url)
    }

    static func run() throws {
        Bench.section("store: file vs PostgreSQL")
        guard let base = try StoreBench.postgresFromEnvironment() else { return }
        for (perBlock, blocks) in [(1000, 5), (1, 200)] {
            let senders = try ChainBench.keys(perBlock, seed: 1 << 24)
            let genesis = GenesisConfig(chainID: 9, timestamp: 1_700_000_000, tokens: [
                .init(symbol: ChainBench.token, name: "Bench", balances: senders.map { .init(account: $0.address, amount: 1_000_000) })
            ])
            let signed = try ChainBench.signedBlocks(senders: senders, blocks: blocks, chainID: 9, recipients: 5000)
            let file = try best(genesis: genesis, signed: signed) {
                let folder = ChainBench.temporaryFolder("store")
                return (try FileBlockStore(folder: folder), { try? FileManager.default.removeItem(at: folder) })
            }
            let postgres = try best(genesis: genesis, signed: signed) {
                let location = try base.with(schema: "bench_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20))")
                return (try PostgresBlockStore(location: location), { try? PostgresBlockStore.dropSchema(at: location) })
            }
            let label = perBlock == 1 ? "one transfer a block" : "blocks of \(perBlock)"
            Bench.row("signed transfers, \(label), PostgreSQL", value: Bench.rate(postgres, unit: " tx/s"),
                      baseline: "file store \(Bench.rate(file, unit: " tx/s"))", ratio: file / postgres,
                      target: "PostgreSQL / file throughput")
        }
    }

    /// Best seconds per transfer over three fresh stores made by `make`.
    static func best(genesis: GenesisConfig, signed: [[SignedTransaction]],
                     make: () throws -> (any BlockStore, () -> Void)) throws -> Double {
        var best = Double.infinity
        let count = signed.reduce(0) { $0 + $1.count }
        for _ in 0..<3 {
            let (store, remove) = try make()
            defer { remove() }
            let chain = try Chain.create(genesis: genesis, store: store, clock: ManualClock(1_700_000_000), snapshotInterval: 0)
            let start = Bench.now()
            for block in signed {
                let outcome = try chain.submit(block)
                guard outcome.rejected.isEmpty else { throw ChainBench.BenchError.rejected(outcome.rejected.count) }
            }
            best = min(best, Double(Bench.now() - start) / 1e9 / Double(count))
        }
        return best
    }
}
