import Foundation
import Testing

/// `dmctl datatrust` through the built binary: `serve` on loopback with a config in the home,
/// then the client commands against it; SIGTERM shuts the server down cleanly.
@Test func datatrustServeAndClientCommandsThroughTheBinary() throws {
    let home = try TestHome()
    try home.initChain(keys: ["default"])
    let folder = home.url.appendingPathComponent("datatrust")
    // Without a config the server refuses to start, exit 2.
    let missing = try home.run(["datatrust", "serve", "--port", "1"])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("config.json is missing"))
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let config = """
        {"name": "dt-e2e", "markets": [{"market": "heart", "schema": {"format": "csv", "columns": [{"name": "age", "type": "integer", "min": 0, "max": 120}]},
          "allowRawSQL": false, "epsilonBudget": "2", "baseCost": "5", "costPerRow": "1"}],
         "nonceLifetime": 300, "tokenLifetime": 900, "limits": {"maxResultRows": 100, "maxLoadedRows": 1000, "maxMilliseconds": 1000, "maxSQLBytes": 1000},
         "maxBodyBytes": 65536, "rateLimitRequests": 1000, "rateLimitWindow": 60}
        """
    try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
    let port = 19_000 + Int(getpid() % 900)
    let server = Process()
    server.executableURL = home.runner.binary
    server.arguments = ["datatrust", "serve", "--port", "\(port)", "--home", home.url.path]
    server.environment = ProcessInfo.processInfo.environment.merging(["DMCTL_PASSPHRASE": "test passphrase"]) { $1 }
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    defer { if server.isRunning { server.terminate() } }
    let url = "http://127.0.0.1:\(port)"
    var markets = try home.run(["datatrust", "markets", "--url", url, "--json"])
    for _ in 0..<100 where markets.status != 0 {
        Thread.sleep(forTimeInterval: 0.1)
        markets = try home.run(["datatrust", "markets", "--url", url, "--json"])
    }
    #expect(markets.status == 0, "\(markets.stderr)")
    #expect(markets.stdout.contains("\"heart\""))
    let schema = try home.run(["datatrust", "schema", "heart", "--url", url])
    #expect(schema.status == 0 && schema.stdout.contains("age"))
    let epsilon = try home.run(["datatrust", "epsilon", "--url", url, "--market", "heart", "--aggregate", "{\"kind\":\"count\",\"epsilon\":\"0.25\"}", "--json"])
    #expect(epsilon.status == 0 && epsilon.stdout.contains("250"))
    let cost = try home.run(["datatrust", "cost", "--url", url, "--market", "heart", "--aggregate", "{\"kind\":\"count\",\"epsilon\":\"0.25\"}"])
    #expect(cost.status == 0 && (cost.stdout + cost.stderr).contains("total 5"))
    // Refusals: unlisted data (403 → exit 1), unknown market (404 → exit 1), raw SQL has no epsilon (422 → exit 2).
    let file = home.url.appendingPathComponent("d.csv")
    try Data("age\n41\n".utf8).write(to: file)
    let add = try home.run(["datatrust", "add", "--url", url, "--market", "heart", file.path])
    #expect(add.status == 1)
    #expect(add.stderr.contains("neither applied for nor listed"))
    #expect(try home.run(["datatrust", "schema", "nope", "--url", url]).status == 1)
    #expect(try home.run(["datatrust", "epsilon", "--url", url, "--market", "heart", "--sql", "SELECT 1"]).status == 2)
    server.terminate()
    server.waitUntilExit()
    #expect(server.terminationStatus == 0)
    // Only ciphertext and metadata under the datatrust folder; the key file is 0600.
    let mode = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("master.key").path)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    // An unreachable server is an I/O problem, exit 3.
    #expect(try home.run(["datatrust", "markets", "--url", "http://127.0.0.1:1"]).status == 3)
}
