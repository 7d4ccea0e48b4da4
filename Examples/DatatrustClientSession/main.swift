// DatatrustClientSession: a datatrust served on loopback and a client session against it.
//
//     swift run DatatrustClientSession
//
// An in-process chain with a market whose council authorises this datatrust; the datatrust
// keeps data encrypted at rest and answers the Computable REST API on 127.0.0.1; a data owner
// logs in by signing the server's nonce, reads the schema, adds a datapoint (which the
// datatrust attests on chain) and reads it back; a buyer pays for a job on chain and asks for
// the cost, the epsilon and the answer of a differentially private query.

import DatatrustKit
import Foundation
import LedgerCore
import MarketKit
import Hummingbird

func account(_ n: UInt8) throws -> PrivateKey { try PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [n]) }
func tokens(_ text: String) throws -> UInt256 { try UInt256(decimal: text, decimals: 18) }

func run() async throws {
    // MARK: - A chain with a market that authorises this datatrust
    let (creator, trust, owner, buyer) = (try account(1), try account(2), try account(3), try account(4))
    let council = [try account(10), try account(11), try account(12)]
    let dmt = try TokenID("DMT")
    let chain = try Chain.create(genesis: GenesisConfig(chainID: 1337, timestamp: 1_732_200_000, tokens: [
        .init(symbol: dmt, name: "DataMarket Token",
              balances: try ([creator, trust, owner, buyer] + council).map { .init(account: $0.address, amount: try tokens("1000")) }),
    ]), modules: [MarketModule.self])
    let id = try MarketKit.MarketID("heart")
    func send(_ call: MarketModule.Call, _ key: PrivateKey) throws { try chain.send(call, to: MarketModule.self, from: key) }
    func lastPoll() throws -> UInt64 { try chain.state(of: MarketModule.self).market(id).nextPollID - 1 }
    var parameters = Parameters.standard
    parameters.councilThreshold = try tokens("1")
    func decide(_ poll: UInt64) throws {
        for member in council { try send(.vote(market: id, poll: poll, yea: true), member) }
        try chain.warp(by: parameters.voteBy.uint64Value ?? 3600)
        try send(.resolve(market: id, poll: poll), creator)
    }
    try send(.create(market: id, tokenName: "Heart Market Token", networkToken: dmt, parameters: parameters), creator)
    for member in council { try send(.invest(market: id, offered: try tokens("10"), minTokensOut: 0), member) }
    try send(.proposeBackend(market: id, url: "http://127.0.0.1", address: trust.address), creator)
    try decide(try lastPoll())
    print("chain: market 'heart' created; datatrust \(trust.address) authorised by the council")

    // MARK: - The datatrust, encrypted at rest, served on loopback
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("datatrust-example-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let schema = MarketSchema(format: .csv, columns: [
        .init(name: "age", type: .integer, min: 0, max: 120),
        .init(name: "chol", type: .real, min: 0, max: 600),
        .init(name: "diagnosis", type: .label, labels: ["healthy", "sick"]),
    ])
    let datatrust = Datatrust(
        configuration: DatatrustConfiguration(name: trust.address.checksummed, address: trust.address, markets: [
            MarketConfiguration(market: try MarketKit.MarketID("heart"), schema: schema, epsilonBudget: "2"),
        ]),
        vault: try Vault(folder: folder.appendingPathComponent("vault"), masterKey: .generate()),
        store: try SQLiteStore(path: folder.appendingPathComponent("index.sqlite").path),
        chain: ChainMarketView(chain: chain, backend: trust),
        clock: { Int64(chain.state.timestamp) })
    let port = 20_000 + Int(getpid() % 20_000)
    let server = Task { try await DatatrustServer.application(for: datatrust, port: port).runService(gracefulShutdownSignals: []) }
    defer { server.cancel() }
    let url = try require(URL(string: "http://127.0.0.1:\(port)"))

    // MARK: - The owner's session
    var ownerSession = DatatrustClient(baseURL: url)
    var markets: [MarketSummary] = []
    for _ in 0..<50 {  // the server is starting
        if let answer = try? await ownerSession.markets() { markets = answer; break }
        try await Task.sleep(nanoseconds: 100_000_000)
    }
    print("markets supported:", markets.map { "\($0.market) (\($0.format))" }.joined(separator: ", "))
    let grant = try await ownerSession.login(with: owner)
    print("owner logged in by signing the nonce; token valid until \(grant.expires)")
    let columns = try await ownerSession.schema(market: "heart").columns.map { "\($0.name): \($0.type.rawValue)" }
    print("schema of heart:", columns.joined(separator: ", "))
    let rows = "age,chol,diagnosis\n" + (0..<40).map { i in "\(30 + i),\(180 + 3 * i).5,\(i % 3 == 0 ? "sick" : "healthy")" }.joined(separator: "\n") + "\n"
    let data = Array(rows.utf8)
    try send(.apply(market: id, dataHash: Keccak256.hash(data)), owner)
    let poll = try lastPoll()
    let added = try await ownerSession.addDatapoint(data, market: "heart")
    print("added \(added.rows) rows as \(added.dataHash); stored encrypted, attested on chain (\(added.attestation ?? "queued"))")
    try decide(poll)
    try await ownerSession.login(with: owner)  // the vote window outlived the short-lived token
    let back = try await ownerSession.getDatapoint(market: "heart", dataHash: added.dataHash)
    print("read back \(back.count) bytes; Keccak-256 matches: \(Keccak256.hash(back) == added.dataHash)")

    // MARK: - The buyer's session: pay on chain, then query
    try send(.payForCompute(market: id, listings: nil, maxPrice: try tokens("10"), backend: trust.address), buyer)
    let job = try chain.state(of: MarketModule.self).market(id).nextJobID - 1
    var buyerSession = DatatrustClient(baseURL: url)
    try await buyerSession.login(with: buyer)
    let dp = QueryRequest(markets: [try MarketKit.MarketID("heart")],
                          aggregate: AggregateQuery(kind: .mean, column: "chol", lower: 100, upper: 400, epsilon: "0.5"),
                          jobs: ["heart": job])
    let cost = try await buyerSession.computeCost(dp)
    let epsilon = try await buyerSession.epsilon(dp)
    print("query cost \(cost.total) wei; epsilon \(epsilon.epsilon) (budget left \(epsilon.remaining?["heart"] ?? "?"))")
    let answer = try await buyerSession.query(dp)
    print("DP mean(chol) =", answer.rows.first?.map { "\($0)" }.joined(separator: ", ") ?? "-", "(exact mean 239.0; 40 rows at ε 0.5 are noisy)",
          "| mechanism:", answer.privacy?.mechanism ?? "-", "| usage reported:", answer.usageReports["heart"] != nil)
    let ownerRewards = chain.state.ledger.balance(of: owner.address, in: id.tokenSymbol)
    print("owner's \(id.tokenSymbol) after the reported job: \(ownerRewards.formatted()) (listing reward + access reward)")
}

/// Unwraps a value the example constructed itself.
func require<T>(_ value: T?, _ what: String = "value") throws -> T {
    guard let value else { throw CocoaError(.coderValueNotFound) }
    return value
}

do {
    try await run()
    print("datatrust session done")
} catch {
    FileHandle.standardError.write(Data("DatatrustClientSession failed: \(error)\n".utf8))
    exit(1)
}
