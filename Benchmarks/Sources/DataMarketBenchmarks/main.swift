// Entry point: `DataMarketBenchmarks [area ...]`; with no argument every area runs.
import Foundation
// Each area lives in its own file and registers itself below.

// What dmctl does first too: glibc keeps freed stream buffers instead of trimming a page per chunk.
_ = LargeBench.allocatorTuned

// A child process of the large area (LargeBench.swift): runs one side and exits.
if CommandLine.arguments.dropFirst().first == "large-child" {
    exit(LargeBench.runChild(Array(CommandLine.arguments.dropFirst(2))))
}

let areas: [(name: String, run: () throws -> Void)] = [
    ("crypto", CryptoBench.run),
    ("amount", AmountBench.run),
    ("market", MarketBench.run),
    ("chain", ChainBench.run),
    ("store", { try StoreBench.run(); try DatatrustStoreBench.run() }),
    ("paillier", PaillierBench.run),
    ("paillier-batch", PaillierBench.runBatch),
    ("paillier-targets", PaillierTargetsBench.run),
    ("he-cli", HEBatchCLIBench.run),
    ("roles", RolesBench.run),
    ("datatrust", DatatrustBench.run),
    ("large", LargeBench.run),
    ("models", ModelsBench.run),
    ("modelhost", ModelHostBench.run),
    ("node", NodeBench.run),
    ("follower", FollowerBench.run),
]

let wanted = Set(CommandLine.arguments.dropFirst())
print("# DataMarket benchmarks (release build; best of several rounds unless an area says otherwise; baselines measured in this run)")
for area in areas where (wanted.isEmpty && area.name != "paillier-batch" && area.name != "large") || wanted.contains(area.name) {
    do { try area.run() } catch { print("benchmark \(area.name) failed: \(error)") }
}
