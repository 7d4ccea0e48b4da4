import DatatrustKit
import Foundation
import LedgerCore
import Logging
import MarketKit
import ModelMarketKit

/// The demo's datatrust, running in this process: DatatrustKit's service over an encrypted
/// vault and a SQLite index in `<home>/datatrust`, reading and writing the demo's chain
/// through `ChainMarketView` with the datatrust's backend key.
struct DemoDatatrust {
    /// The service.
    let service: Datatrust
    /// The market as the datatrust names it.
    let market: MarketKit.MarketID

    /// Logs `key` in as the REST API does: sign the server's nonce (EIP-191), receive a bearer
    /// token, and authenticate with it. Returns the authenticated address.
    func login(_ key: PrivateKey) async throws -> Address {
        let challenge = try await service.makeNonce()
        let grant = try await service.issueToken(TokenRequest(
            address: key.address.checksummed, nonce: challenge.nonce, signature: key.signPersonalMessage(challenge.message).hex))
        return try await service.authenticate(bearer: grant.token)
    }
}

extension DemoScenario {
    /// The datatrust's schema of a shard: 30 real features and the diagnosis label.
    static let datatrustSchema = MarketSchema(
        format: .csv,
        columns: DemoData.featureColumns.map { MarketSchema.Column(name: $0, type: .real, min: 0, max: 10_000) }
            + [MarketSchema.Column(name: DemoData.labelColumn, type: .label, labels: DemoData.labelNames)])

    /// Opens the datatrust in `<home>/datatrust` (its master key kept in `master.key` there).
    mutating func openDatatrust() throws {
        let root = folder.datatrust
        do { try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true) } catch {
            throw CLIError.storage("cannot create \(root.path): \(error.localizedDescription)")
        }
        let name = try MarketKit.MarketID(market.slug)
        var logger = Logger(label: "datamarket.demo.datatrust")
        logger.logLevel = .critical
        let chain = self.chain
        let service = Datatrust(
            configuration: DatatrustConfiguration(
                name: "demo datatrust", address: people.datatrust.address,
                markets: [MarketConfiguration(
                    market: name, schema: Self.datatrustSchema, allowRawSQL: true, epsilonBudget: "2", baseCost: Self.milli(100))]),
            vault: try Vault(folder: root.appendingPathComponent("vault"), masterKey: try MasterKey.loadOrCreate(keyFile: root.appendingPathComponent("master.key")),
                             syncWrites: false),
            store: try SQLiteStore(path: root.appendingPathComponent("index.sqlite").path),
            chain: ChainMarketView(chain: chain, backend: people.datatrust),
            clock: { Int64(chain.state.timestamp) }, logger: logger)
        datatrust = DemoDatatrust(service: service, market: name)
    }

    /// The owner logs in and uploads its shard; the datatrust checks it against the schema,
    /// stores it encrypted and attests the listing on chain.
    func storeAndAttest(_ listing: DemoListing) async throws {
        guard let datatrust else { throw CLIError.refused("the datatrust is not open") }
        let caller = try await datatrust.login(people.owners[listing.owner])
        _ = try await datatrust.service.addDatapoint(listing.bytes, market: datatrust.market.slug, caller: caller)
    }

    /// The owner of a removed listing withdraws its data from the datatrust.
    func withdrawFromDatatrust(_ listing: DemoListing) async throws {
        guard let datatrust else { throw CLIError.refused("the datatrust is not open") }
        let caller = try await datatrust.login(people.owners[listing.owner])
        _ = try await datatrust.service.removeDatapoint(market: datatrust.market.slug, dataHash: listing.dataHash, caller: caller)
    }

    /// The queries phase: the buyer pays two jobs on chain and runs a SQL query and a
    /// differentially private aggregate at the datatrust, which reports each job's usage so the
    /// listed owners are paid and rewarded.
    mutating func playQueries() async throws {
        guard let datatrust else { throw CLIError.refused("the datatrust is not open") }
        let buyer = people.buyer
        doing("the buyer logs in to the datatrust")
        let caller = try await datatrust.login(buyer)
        step("the buyer logs in to the datatrust by signing its nonce (EIP-191) and gets a bearer token")

        let live = listings.filter { $0.dataToken != nil }
        let ownersBefore = live.map { (balance(people.owners[$0.owner]), marketTokens(people.owners[$0.owner])) }
        let backendBefore = balance(people.datatrust)

        // SQL: raw rows stay at the datatrust; the buyer gets the answer.
        let sql = "SELECT diagnosis, COUNT(*) AS biopsies, ROUND(AVG(mean_radius), 2) AS mean_radius, ROUND(AVG(worst_area), 1) AS worst_area "
            + "FROM \(datatrust.market.slug) GROUP BY diagnosis ORDER BY diagnosis"
        doing("quote and pay the SQL job")
        let quote = try await datatrust.service.computeCost(QueryRequest(markets: [datatrust.market], sql: sql))
        let sqlJob = try payJob()
        doing("run the SQL query at the datatrust")
        let table = try await datatrust.service.runQuery(QueryRequest(markets: [datatrust.market], sql: sql, jobs: [datatrust.market.slug: sqlJob.id]), caller: caller)
        summary.queries.jobPrice = Self.dmt(sqlJob.price)
        summary.queries.sql = sql
        summary.queries.sqlColumns = table.columns
        summary.queries.sqlRows = table.rows.map { $0.map(Self.text) }
        summary.queries.listingsRead = table.listingsRead[datatrust.market.slug]?.count ?? 0
        summary.queries.usageReports += table.usageReports.count
        step("the buyer pays job #\(sqlJob.id) on chain (\(Self.dmt(sqlJob.price)); the datatrust quotes \(Self.dmt(quote.total))) and runs SQL over "
             + "\(summary.queries.listingsRead) listings: " + summary.queries.sqlRows.map { $0.joined(separator: " ") }.joined(separator: "; "))
        step("the datatrust reports job #\(sqlJob.id)'s usage on chain (tx \(String((table.usageReports[datatrust.market.slug] ?? "none").prefix(12)))…)")

        // A differentially private mean: noise calibrated to the clamped range and epsilon.
        let aggregate = AggregateQuery(kind: .mean, column: "mean_radius", lower: 6, upper: 30, decimals: 2, epsilon: "0.5")
        let request = QueryRequest(markets: [datatrust.market], aggregate: aggregate)
        let epsilon = try await datatrust.service.epsilon(request, caller: caller)
        doing("pay and run the differentially private query")
        let dpJob = try payJob()
        var paid = request
        paid.jobs = [datatrust.market.slug: dpJob.id]
        let noisy = try await datatrust.service.runQuery(paid, caller: caller)
        let remaining = try await datatrust.service.epsilon(request, caller: caller).remaining?[datatrust.market.slug] ?? "?"
        let answer = noisy.rows.first.map { $0.map(Self.text).joined(separator: " ") } ?? "no answer"
        let exact = Double(live.flatMap(\.rows.features).map { $0[0] }.reduce(0, +)) / Double(max(1, live.reduce(0) { $0 + $1.rows.count }))
        summary.queries.privateQuery = "mean(mean_radius) clamped to [6, 30], ε = \(epsilon.epsilon)"
        summary.queries.privateResult = answer + (noisy.privacy.map { " (\($0.mechanism.components(separatedBy: " (").first ?? $0.mechanism) noise)" } ?? "")
        summary.queries.epsilonSpent = epsilon.epsilon + " of 2 (\(remaining) left)"
        summary.queries.usageReports += noisy.usageReports.count
        step("job #\(dpJob.id): a differentially private mean of mean_radius (ε \(epsilon.epsilon)) = \(answer); "
             + String(format: "the exact mean the datatrust never releases: %.2f; the buyer's budget left: ε %@", exact, remaining))

        for (i, listing) in live.enumerated() {
            let owner = people.owners[listing.owner]
            let name = "owner-\(listing.owner + 1)"
            summary.queries.rewardsMinted[name] = ((try? marketTokens(owner) - ownersBefore[i].1) ?? .zero).formatted(decimals: 18) + " " + market.tokenSymbol.symbol
            summary.queries.ownersPaid[name] = Self.delta(balance(owner), ownersBefore[i].0)
        }
        summary.queries.backendPaid = Self.delta(balance(people.datatrust), backendBefore)
        guard try marketState().jobs.isEmpty else { throw CLIError.refused("a paid job was not reported by the datatrust") }
        step("usage reported for both jobs: each listed owner is paid \(summary.queries.ownersPaid.values.sorted().first ?? "?") and minted "
             + "\(summary.queries.rewardsMinted.values.sorted().first ?? "?") access rewards; the datatrust earns \(summary.queries.backendPaid)")
    }

    /// The buyer pays for one whole-market job on the datatrust; returns it.
    func payJob() throws -> MarketKit.Job {
        try marketCall(.payForCompute(market: market, listings: nil, maxPrice: Self.tokens(10), backend: people.datatrust.address), from: people.buyer)
        let m = try marketState()
        guard let job = m.jobs[m.nextJobID - 1] else { throw CLIError.refused("job \(m.nextJobID - 1) was not recorded") }
        return job
    }

    /// A result cell as text.
    static func text(_ value: SQLValue) -> String {
        switch value {
        case .null: "null"
        case .integer(let v): "\(v)"
        case .real(let v): String(format: "%.2f", v)
        case .text(let v): v
        }
    }
}
