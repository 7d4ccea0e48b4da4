import DataMarketTesting
import Foundation
import Testing


/// A datatrust config for "heart" with every setting given.
private let heartConfig = """
    {"name": "dt-e2e", "markets": [{"market": "heart", "schema": {"format": "csv", "columns": [{"name": "age", "type": "integer", "min": 0, "max": 120}]},
      "allowRawSQL": false, "epsilonBudget": "2", "baseCost": "5", "costPerRow": "1"}],
     "nonceLifetime": 300, "tokenLifetime": 900, "limits": {"maxResultRows": 100, "maxLoadedRows": 1000, "maxMilliseconds": 1000, "maxSQLBytes": 1000},
     "maxBodyBytes": 65536, "rateLimitRequests": 1000, "rateLimitWindow": 60}
    """
/// `dmctl datatrust` through the built binary: `serve` on loopback with a config in the home,
/// then the client commands against it; SIGTERM shuts the server down cleanly.
@Test func datatrustServeAndClientCommandsThroughTheBinary() async throws {
    let home = try TestHome()
    try await home.initChainAsync(keys: ["default"])
    let folder = home.url.appendingPathComponent("datatrust")
    // Without a config the server refuses to start, exit 2.
    let missing = try await home.runAsync(["datatrust", "serve", "--port", "1"])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("config.json is missing"))
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data(heartConfig.utf8).write(to: folder.appendingPathComponent("config.json"))
    // A market that does not exist on chain: the server refuses to start and says so.
    let unknown = try await home.runAsync(["datatrust", "serve", "--port", "1"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("market heart in config.json does not exist on chain"), "\(unknown.stderr)")
}

/// `serve` on a market whose backend is the key: client commands through the binary; a second
/// server on the same port fails with one line (exit 3); an unauthorised key is refused.
@Test func datatrustServeAndClientCommandsOnAnAuthorisedMarket() async throws {
    let market = try await DatatrustMarket.make(rawSQL: false)
    let home = market.home
    let folder = market.folder
    try Data(heartConfig.utf8).write(to: folder.appendingPathComponent("config.json"))
    let refused = try await home.runAsync(["datatrust", "serve", "--key", "bob", "--port", "1"])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("is not an authorised backend of market heart"), "\(refused.stderr)")

    let port = DatatrustMarket.freePort()
    let running = try await market.serveAsync(port: port)
    defer { running.handle.terminate() }
    #expect(running.log.contains("serving [\"heart\"] on http://127.0.0.1:\(port)"), "\(running.log)")
    // The port is taken: a second server says so in one line and exits 3.
    let second = try await home.runAsync(["datatrust", "serve", "--key", "dt", "--port", "\(port)"])
    #expect(second.status == 3)
    #expect(second.stderr.contains("port \(port) on 127.0.0.1 is already in use"), "\(second.stderr)")
    #expect(second.stderr.split(separator: "\n").count == 1, "\(second.stderr)")
    let url = "http://127.0.0.1:\(port)"
    let markets = try await home.runAsync(["datatrust", "markets", "--url", url, "--json"])
    #expect(markets.status == 0, "\(markets.stderr)")
    #expect(markets.stdout.contains("\"heart\""))
    let schema = try await home.runAsync(["datatrust", "schema", "heart", "--url", url])
    #expect(schema.status == 0 && schema.stdout.contains("age"))
    let epsilon = try await home.runAsync(["datatrust", "epsilon", "--url", url, "--market", "heart", "--aggregate", "{\"kind\":\"count\",\"epsilon\":\"0.25\"}", "--json"])
    #expect(epsilon.status == 0 && epsilon.stdout.contains("250"))
    let cost = try await home.runAsync(["datatrust", "cost", "--url", url, "--market", "heart", "--aggregate", "{\"kind\":\"count\",\"epsilon\":\"0.25\"}"])
    // The amount rule: token units with the market's network token, smallest units in brackets.
    #expect(cost.status == 0 && (cost.stdout + cost.stderr).contains("total 0.000000000000000005 DMT (5)"), "\(cost.stdout)\(cost.stderr)")
    let costJSON = try await home.runAsync(["datatrust", "cost", "--url", url, "--market", "heart", "--aggregate", "{\"kind\":\"count\",\"epsilon\":\"0.25\"}", "--json"])
    #expect(costJSON.status == 0 && costJSON.stdout.contains("\"total\" : \"5\"") && costJSON.stdout.contains("\"token\" : \"DMT\""), "\(costJSON.stdout)")
    // Refusals: unlisted data (403 → exit 1), unknown market (404 → exit 1), raw SQL has no epsilon (422 → exit 2).
    let file = home.url.appendingPathComponent("d.csv")
    try Data("age\n41\n".utf8).write(to: file)
    let add = try await home.runAsync(["datatrust", "add", "--url", url, "--market", "heart", "--key", "bob", file.path])
    #expect(add.status == 1)
    #expect(add.stderr.contains("neither applied for nor listed"))
    // --data-hash is declared as given, the file not hashed first: the refusal names the given hash.
    let declared = "0x" + String(repeating: "ab", count: 32)
    let addDeclared = try await home.runAsync(["datatrust", "add", "--url", url, "--market", "heart", "--key", "bob", "--data-hash", declared, file.path])
    #expect(addDeclared.status == 1)
    #expect(addDeclared.stderr.contains("\(declared) is neither applied for nor listed"), "\(addDeclared.stderr)")
    #expect(try await home.runAsync(["datatrust", "add", "--url", url, "--market", "heart", "--key", "bob", "--data-hash", "0x12", file.path]).status == 2)
    #expect(try await home.runAsync(["datatrust", "schema", "nope", "--url", url]).status == 1)
    #expect(try await home.runAsync(["datatrust", "epsilon", "--url", url, "--market", "heart", "--sql", "SELECT 1"]).status == 2)
    #expect(await running.handle.stop() == 0, "\(running.log)")
    // Only ciphertext and metadata under the datatrust folder; the key file and the index are 0600.
    for name in ["master.key", "index.sqlite"] {
        let mode = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.posixPermissions] as? Int
        #expect(mode == 0o600, "\(name)")
    }
    // An unreachable server is an I/O problem, exit 3.
    #expect(try await home.runAsync(["datatrust", "markets", "--url", "http://127.0.0.1:1"]).status == 3)
}

/// `datatrust init` writes every setting with its default; the file it writes is what `serve` reads.
@Test func datatrustInitWritesEveryDefault() async throws {
    let home = try TestHome()
    let written = try await home.objectAsync(["datatrust", "init", "--name", "dt-1", "--market", "heart", "--columns", "age:integer,diagnosis:label"])
    #expect(written["name"] as? String == "dt-1")
    for key in ["nonceLifetime", "tokenLifetime", "limits", "maxBodyBytes", "rateLimitRequests", "rateLimitWindow",
                "outboxInterval", "outboxMaxBackoff", "housekeepingInterval", "orphanGracePeriod"] {
        #expect(written[key] != nil, "\(key)")
    }
    let file = home.url.appendingPathComponent("datatrust/config.json")
    let text = try String(contentsOf: file, encoding: .utf8)
    #expect(text.contains("\"orphanGracePeriod\" : 3600"))
    #expect(text.contains("\"diagnosis\""))
    let again = try await home.runAsync(["datatrust", "init"])
    #expect(again.status == 1 && again.stderr.contains("pass --force"))
    #expect(try await home.runAsync(["datatrust", "init", "--force", "--columns", "age:integer"]).status == 0)
    #expect(try await home.runAsync(["datatrust", "init", "--force", "--columns", "age"]).status == 2)
}
