import DataMarketTesting
import Foundation
import LedgerCore
import MarketKit
import Testing

/// The datatrust follows the chain while it runs: `dmctl datatrust serve` is started once, and
/// every later step (apply, add, vote, pay, query, exit, remove) is another `dmctl` process on
/// the same home. A paid query reads only listed data, and every owner whose rows it read is
/// paid to the wei.
@Test func datatrustServesAMarketPlayedBySeparateProcessesWithoutRestart() async throws {
    let home = try TestHome()
    try await home.initChainAsync(keys: ["alice", "bob", "carol", "erin", "dave", "dt"])
    var address: [String: String] = [:]
    for name in ["alice", "bob", "carol", "erin", "dave", "dt"] { address[name] = try await home.addressAsync(name) }
    for name in ["bob", "carol", "erin", "dave"] {
        try await home.okAsync(["token", "transfer", "--token", "DMT", "--to", address[name] ?? "", "--amount", "1000", "--key", "alice"])
    }
    // The market and its authorised datatrust (poll 1), before the server starts.
    try await home.okAsync(["market", "create", "cancer", "--network-token", "DMT", "--set", "voteBy=60", "--set", "councilThreshold=0", "--key", "alice"])
    try await home.okAsync(["market", "invest", "cancer", "10", "--key", "alice"])
    try await home.okAsync(["market", "backend", "propose", "cancer", "--url", "http://127.0.0.1", "--address", address["dt"] ?? "", "--key", "alice"])
    try await home.okAsync(["market", "vote", "cancer", "1", "yea", "--key", "alice"])
    try await home.okAsync(["chain", "warp", "61"])
    try await home.okAsync(["market", "resolve", "cancer", "1", "--key", "alice"])

    let folder = home.url.appendingPathComponent("datatrust")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let config = """
        {"name": "dt-live", "markets": [{"market": "cancer", "schema": {"format": "csv", "columns": [{"name": "age", "type": "integer", "min": 0, "max": 120}]},
          "allowRawSQL": true, "epsilonBudget": "2", "baseCost": "0", "costPerRow": "0"}],
         "nonceLifetime": 300, "tokenLifetime": 900, "limits": {"maxResultRows": 100, "maxLoadedRows": 1000, "maxMilliseconds": 2000, "maxSQLBytes": 1000},
         "maxBodyBytes": 65536, "rateLimitRequests": 1000, "rateLimitWindow": 60}
        """
    try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
    let port = freeLoopbackPort()
    let url = "http://127.0.0.1:\(port)"
    // Another process holds the chain's writer lock while the server starts: it starts anyway.
    let flock = CLIRunner(executable: URL(fileURLWithPath: "/usr/bin/flock"))
    let startLock = try flock.background(["-o", home.url.appendingPathComponent("chain/lock").path, "sleep", "20"], tag: "start-lock", in: home.url)
    defer { startLock.terminate() }
    try await Task.sleep(for: .seconds(0.3))
    let server = try home.runner.background(["datatrust", "serve", "--port", "\(port)", "--key", "dt", "--home", home.url.path], tag: "serve", in: home.url)
    defer { server.terminate() }
    let up = try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
        try await home.runAsync(["datatrust", "markets", "--url", url]).status == 0
    }
    try #require(up, "server did not come up: \(server.stderr)")
    #expect(startLock.isRunning, "the server waited for the writer lock to start")
    await startLock.stop()

    // Three owners apply (polls 2, 3, 4) and upload; the running server sees each application.
    let files = [("bob", "age\n11\n12\n13\n"), ("carol", "age\n21\n22\n"), ("erin", "age\n31\n")]
    var hashes: [String: Hash32] = [:]
    var listings: [String: Hash32] = [:]
    for (owner, text) in files {
        let file = home.url.appendingPathComponent("\(owner).csv")
        try Data(text.utf8).write(to: file)
        let hash = Keccak256.hash(Array(text.utf8))
        hashes[owner] = hash
        listings[owner] = Listing.id(applicant: try Address(address[owner] ?? ""), dataHash: hash)
        try await home.okAsync(["market", "apply", "cancer", "--file", file.path, "--key", owner])
        let added = try await home.runAsync(["datatrust", "add", "--url", url, "--market", "cancer", file.path, "--key", owner])
        #expect(added.status == 0, "add by \(owner) right after apply: \(added.stderr)")
    }
    // The council lists bob's, rejects erin's and leaves carol's pending.
    try await home.okAsync(["market", "vote", "cancer", "2", "yea", "--key", "alice"])
    try await home.okAsync(["market", "vote", "cancer", "4", "nay", "--key", "alice"])
    try await home.okAsync(["chain", "warp", "61"])
    try await home.okAsync(["market", "resolve", "cancer", "2", "--key", "alice"])
    try await home.okAsync(["market", "resolve", "cancer", "4", "--key", "alice"])
    let bobListing = listings["bob"]?.hex ?? ""
    try await home.okAsync(["market", "set-access-cost", "cancer", bobListing, "0.2", "--key", "bob"])

    // A writer holding the chain's lock (another process) does not hold up the server's reads.
    let holder = try flock.background(["-o", home.url.appendingPathComponent("chain/lock").path, "sleep", "10"], tag: "holder", in: home.url)
    try await Task.sleep(for: .seconds(0.3))
    let markets = try await home.runAsync(["datatrust", "markets", "--url", url, "--json"])
    #expect(markets.status == 0)
    // A request decided on the chain (the listed listings) is not held up either, and prices
    // only the listed rows: bob's 3, not carol's pending or erin's rejected ones.
    let cost = try await home.runAsync(["datatrust", "cost", "--url", url, "--market", "cancer", "--sql", "SELECT age FROM cancer", "--json"])
    #expect(cost.status == 0, "cost while the lock is held: \(cost.stderr)")
    let quote = (try? JSONSerialization.jsonObject(with: Data(cost.stdout.utf8))) as? [String: Any]
    #expect(((quote?["items"] as? [[String: Any]])?.first?["rows"] as? NSNumber)?.intValue == 3, "\(cost.stdout)")
    #expect(holder.isRunning, "the server had to wait for the writer lock")
    await holder.stop()

    // The buyer pays a whole-market job and queries every row it can.
    try await home.okAsync(["market", "pay", "cancer", "--max-price", "10", "--backend", address["dt"] ?? "", "--key", "dave"])
    let before = try await ["bob", "carol", "erin"].asyncMap { try await home.balanceAsync(address[$0] ?? "") }
    let query = try await home.runAsync(["datatrust", "query", "--url", url, "--market", "cancer", "--job", "cancer=1", "--sql", "SELECT age FROM cancer ORDER BY age", "--json", "--key", "dave"])
    try #require(query.status == 0, "query: \(query.stderr)")
    let result = try #require(try JSONSerialization.jsonObject(with: Data(query.stdout.utf8)) as? [String: Any])
    let rows = (result["rows"] as? [[Any]] ?? []).compactMap { ($0.first as? NSNumber)?.intValue }
    #expect(rows == [11, 12, 13], "only the listed owner's rows: \(query.stdout)")
    let read = (result["listingsRead"] as? [String: [String]])?["cancer"] ?? []
    #expect(read == [hashes["bob"]?.hex ?? "?"])
    #expect((result["usageReports"] as? [String: String])?["cancer"] != nil, "usage reported: \(query.stdout)")
    let after = try await ["bob", "carol", "erin"].asyncMap { try await home.balanceAsync(address[$0] ?? "") }
    let paid = try zip(before, after).map { (try UInt256(decimalInteger: $0), try UInt256(decimalInteger: $1)) }
    #expect(paid[0].1 == (try paid[0].0 + UInt256(200_000_000_000_000_000)), "bob is paid his access cost, 0.2 DMT: \(before) → \(after)")
    #expect(paid[1].1 == paid[1].0)
    #expect(paid[2].1 == paid[2].0)

    // The owner exits; the server sees it and lets the datapoint be removed.
    try await home.okAsync(["market", "exit", "cancer", bobListing, "--key", "bob"])
    let removed = try await home.runAsync(["datatrust", "remove", "--url", url, "--market", "cancer", hashes["bob"]?.hex ?? "", "--key", "bob"])
    #expect(removed.status == 0, "remove after exit: \(removed.stderr)")

    #expect(await server.stop() == 0, "\(server.stderr)")
}
