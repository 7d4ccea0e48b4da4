import DataMarketTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import DatatrustKit
import LedgerCore
import MarketKit
import NIOFoundationCompat
import Testing

/// A datatrust on a temporary folder with a fake chain, and HTTP helpers.
struct Fixture {
    let folder: TempFolder
    let chain = FakeChain()
    let clock = TestClock()
    let datatrust: Datatrust
    let owner: PrivateKey
    let buyer: PrivateKey
    let councillor: PrivateKey
    let stranger: PrivateKey
    static let heartMarket = (try? MarketID("heart")) ?? { preconditionFailure("valid name") }()
    static let openMarket = (try? MarketID("open")) ?? { preconditionFailure("valid name") }()

    static let heartSchema = MarketSchema(format: .csv, columns: [
        .init(name: "age", type: .integer, min: 0, max: 120),
        .init(name: "chol", type: .real, nullable: true, min: 0, max: 600),
        .init(name: "smoker", type: .boolean),
        .init(name: "diagnosis", type: .label, labels: ["benign", "malignant"]),
        .init(name: "note", type: .text, nullable: true, maxLength: 64),
    ])

    init(limits: QueryLimits = QueryLimits(), maxBody: Int = 1 << 20, rate: Int = 10_000, budget: String = "1",
         extraMarkets: [MarketConfiguration] = []) throws {
        folder = TempFolder()
        owner = try PrivateKey(hex: "0x" + String(repeating: "11", count: 32))
        buyer = try PrivateKey(hex: "0x" + String(repeating: "22", count: 32))
        councillor = try PrivateKey(hex: "0x" + String(repeating: "33", count: 32))
        stranger = try PrivateKey(hex: "0x" + String(repeating: "44", count: 32))
        let vault = try Vault(folder: folder.url.appendingPathComponent("vault"), masterKey: .generate(), syncWrites: false)
        let store = try SQLiteStore(path: folder.url.appendingPathComponent("index.sqlite").path)
        let config = DatatrustConfiguration(
            name: "datatrust-test", markets: [
                MarketConfiguration(market: Self.heartMarket, schema: Self.heartSchema, allowRawSQL: false, epsilonBudget: budget, baseCost: 100, costPerRow: 1),
                MarketConfiguration(market: Self.openMarket, schema: Self.heartSchema, allowRawSQL: true, epsilonBudget: budget, baseCost: 10, costPerRow: 0),
            ] + extraMarkets, limits: limits, maxBodyBytes: maxBody, rateLimitRequests: rate)
        let clock = self.clock
        datatrust = Datatrust(configuration: config, vault: vault, store: store, chain: chain, clock: { clock.now })
    }

    var app: some ApplicationProtocol { Application(router: DatatrustServer.router(for: datatrust)) }

    /// A CSV datapoint with `rows` rows derived from `seed`.
    static func csv(rows: Int, seed: UInt64, note: String = "") -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var text = "age,chol,smoker,diagnosis,note\n"
        for _ in 0..<rows {
            let age = 20 + Int(rng.next() % 60)
            let chol = Double(150 + Int(rng.next() % 200)) + 0.5
            let smoker = rng.next() % 2 == 0 ? "true" : "false"
            let diagnosis = rng.next() % 3 == 0 ? "malignant" : "benign"
            text += "\(age),\(chol),\(smoker),\(diagnosis),\(note)\n"
        }
        return Array(text.utf8)
    }

    /// Registers `data` on the fake chain as listed (or `state`) by `owner`.
    func list(_ data: [UInt8], market: MarketID = heartMarket, by owner: PrivateKey, state: ListingState = .listed) async {
        await chain.setListing(ListingInfo(id: Keccak256.hash(data), market: market, dataHash: Keccak256.hash(data), owner: owner.address, state: state))
    }

    /// Lists `data` by the owner in `market`, then runs `body` against the router with the owner
    /// logged in; `body` gets the client and the owner's bearer token. With `adding`, the owner
    /// first adds `data` (expected: 201).
    func asOwner(listing data: [UInt8], market: MarketID = heartMarket, adding: Bool = false,
                 sourceLocation: SourceLocation = #_sourceLocation,
                 _ body: @Sendable (any TestClientProtocol, String) async throws -> Void) async throws {
        await list(data, market: market, by: owner)
        try await app.test(.router) { client in
            let token = try await client.login(owner)
            if adding {
                let added = try await client.call(.post, "/markets/\(market)/datapoints", token: token, body: data)
                #expect(added.status == 201, "\(errorDetail(added.body))", sourceLocation: sourceLocation)
            }
            try await body(client, token)
        }
    }
}

extension TestClientProtocol {
    /// Logs `key` in; returns the bearer token.
    func login(_ key: PrivateKey) async throws -> String {
        let challenge = try await execute(uri: "/auth/nonce", method: .post) { try JSONDecoder().decode(NonceChallenge.self, from: Data(buffer: $0.body)) }
        let request = TokenRequest(address: key.address.checksummed, nonce: challenge.nonce, signature: key.signPersonalMessage(challenge.message).hex)
        return try await execute(uri: "/auth/token", method: .post, body: ByteBuffer(bytes: try JSONEncoder().encode(request))) {
            try JSONDecoder().decode(TokenGrant.self, from: Data(buffer: $0.body)).token
        }
    }

    /// Sends a request; returns status, body bytes.
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, body: [UInt8]? = nil) async throws -> (status: Int, body: [UInt8]) {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }) {
            (Int($0.status.code), Array($0.body.readableBytesView))
        }
    }

    /// Sends a JSON body.
    func call<T: Encodable>(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: T) async throws -> (status: Int, body: [UInt8]) {
        try await call(method, uri, token: token, body: Array(try JSONEncoder().encode(json)))
    }
}

/// The `error` code of a JSON error body.
func errorCode(_ body: [UInt8]) -> String? { (try? JSONDecoder().decode(ErrorBody.self, from: Data(body)))?.error }
/// The `detail` of a JSON error body.
func errorDetail(_ body: [UInt8]) -> String { (try? JSONDecoder().decode(ErrorBody.self, from: Data(body)))?.detail ?? "" }
func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8]) throws -> T { try JSONDecoder().decode(T.self, from: Data(body)) }
