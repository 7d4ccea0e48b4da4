// Entry point: `DataMarketBenchmarks [area ...]`; with no argument every area runs.
// Each area lives in its own file and registers itself below.

let areas: [(name: String, run: () throws -> Void)] = [
    ("crypto", CryptoBench.run),
    ("amount", AmountBench.run),
    ("market", MarketBench.run),
    ("chain", ChainBench.run),
    ("paillier", PaillierBench.run),
    ("paillier-batch", PaillierBench.runBatch),
    ("paillier-targets", PaillierTargetsBench.run),
    ("roles", RolesBench.run),
    ("datatrust", DatatrustBench.run),
    ("models", ModelsBench.run),
    ("modelhost", ModelHostBench.run),
    ("follower", FollowerBench.run),
]

let wanted = Set(CommandLine.arguments.dropFirst())
print("# DataMarket benchmarks (release build; best of several rounds; baselines measured in this run)")
for area in areas where (wanted.isEmpty && area.name != "paillier-batch") || wanted.contains(area.name) {
    do { try area.run() } catch { print("benchmark \(area.name) failed: \(error)") }
}
