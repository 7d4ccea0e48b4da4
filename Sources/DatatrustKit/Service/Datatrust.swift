public import Foundation
public import LedgerCore
internal import SodiumSupport
public import Logging
import MarketKit

/// The datatrust: every operation of the Computable backend API, with its authorisation rules,
/// independent of HTTP. ``DatatrustServer`` exposes it over REST; tests and services may call it
/// directly.
///
/// Rules (checked against the chain through ``DatatrustMarketView``):
/// - ADD: the caller owns a listing for the data's hash that is applied for or listed; the
///   data fits the schema; then the datatrust attests on chain that it holds the data (through
///   the outbox: queued with the index row, submitted now and retried until included).
/// - REMOVE: the caller owns the listing and it was removed on chain.
/// - GET: the caller owns the listing, sits on the market's council, or consumes a paid job
///   that covers a listed listing of the data.
/// - RUN_QUERY: one paid, unused job per market by the caller, paid to this datatrust, paying at
///   least the quote. The query reads only the datapoints of listings that are listed in the
///   market when it runs and covered by the job (applications, rejected, exited and
///   challenged-away listings are never read). The job, the epsilon of an aggregate and the
///   usage report naming every listing whose rows were read (so each owner is paid) are
///   committed together, and the outbox submits the report on chain.
public final class Datatrust: Sendable {
    /// The settings.
    public let configuration: DatatrustConfiguration
    /// The encrypted store.
    public let vault: Vault
    /// The index.
    public let store: any DatatrustStore
    /// The chain.
    public let chain: any DatatrustMarketView
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Serialises outbox submissions in this process (one signer per backend key).
    let outboxGate = AsyncGate()

    /// A datatrust.
    /// - Parameters:
    ///   - configuration: the settings.
    ///   - vault: the encrypted store of the datapoints' bytes.
    ///   - store: the index.
    ///   - chain: the market as the datatrust sees it.
    ///   - clock: unix seconds now (wall time by default; a controlled clock in tests).
    ///   - logger: the service's logger.
    public init(configuration: DatatrustConfiguration, vault: Vault, store: any DatatrustStore, chain: any DatatrustMarketView,
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) },
                logger: Logger = Logger(label: "datamarket.datatrust")) {
        self.configuration = configuration
        self.vault = vault
        self.store = store
        self.chain = chain
        self.clock = clock
        self.logger = logger
    }

    // MARK: - Authentication

    /// The exact text a client signs (EIP-191 personal_sign) to log in.
    public static func loginMessage(datatrust: String, nonce: String, expires: Int64) -> String {
        "DataMarket datatrust login\ndatatrust: \(datatrust)\nnonce: \(nonce)\nexpires: \(expires)"
    }

    /// Issues a single-use login nonce.
    public func makeNonce() async throws(DatatrustError) -> NonceChallenge {
        let nonce = SecureRandom.bytes(32)
        let expires = clock() + configuration.nonceLifetime
        do { try await store.saveNonce(nonce, expires: expires) } catch { throw error.asDatatrustError }
        let hex = Hex.encode(nonce)
        return NonceChallenge(nonce: hex, datatrust: configuration.name, expires: expires,
                              message: Self.loginMessage(datatrust: configuration.name, nonce: hex, expires: expires))
    }

    /// Exchanges a signed nonce for a bearer token.
    /// - Throws: ``DatatrustError/badRequest(_:)`` for ill-formed fields; ``DatatrustError/unauthenticated(_:)``
    ///   for an unknown, used or expired nonce, or a signature that is not `address`'s over this
    ///   datatrust's login: the EIP-191 ``loginMessage(datatrust:nonce:expires:)`` or the EIP-712
    ///   ``loginTypedData(datatrust:nonce:expires:)``.
    public func issueToken(_ request: TokenRequest) async throws(DatatrustError) -> TokenGrant {
        let address: Address
        do { address = try Address(request.address) } catch { throw .badRequest("address: \(error.description)") }
        let nonce: [UInt8]
        do { nonce = try Hex.decode(request.nonce, field: "nonce", expectedByteCount: 32) } catch { throw .badRequest(error.description) }
        let signature: Signature
        do { signature = try Signature(hex: request.signature) } catch { throw .badRequest(error.description) }
        let expires: Int64?
        do { expires = try await store.consumeNonce(nonce) } catch { throw error.asDatatrustError }
        guard let expires else {
            throw .unauthenticated("nonce: \(Hex.encode(nonce)) is unknown or was already used; expected a fresh nonce from POST /auth/nonce")
        }
        let now = clock()
        guard now < expires else { throw .unauthenticated("nonce: expired at \(expires), now \(now); ask for a new one") }
        let signer: Address
        do {
            // EIP-191 or EIP-712 (Datatrust+TypedLogin.swift).
            signer = try Self.loginSigner(datatrust: configuration.name, nonce: Hex.encode(nonce), expires: expires, signature: signature, claimed: address)
        } catch {
            throw .unauthenticated("signature: \(error.description)")
        }
        guard signer == address else {
            throw .unauthenticated("signature: made by \(signer.checksummed), expected \(address.checksummed) signing the login message for datatrust \(configuration.name)")
        }
        let token = SecureRandom.bytes(32)
        let tokenExpires = now + configuration.tokenLifetime
        do { try await store.saveToken(hash: Keccak256.hash(token), address: address, expires: tokenExpires) } catch { throw error.asDatatrustError }
        logger.info("token issued", metadata: ["address": "\(address.checksummed)", "expires": "\(tokenExpires)"])
        return TokenGrant(token: Hex.encode(token), address: address, expires: tokenExpires)
    }

    /// The address a bearer token authenticates.
    /// - Throws: ``DatatrustError/unauthenticated(_:)`` for a malformed, unknown or expired token.
    public func authenticate(bearer token: String) async throws(DatatrustError) -> Address {
        let bytes: [UInt8]
        do { bytes = try Hex.decode(token, field: "token", expectedByteCount: 32) } catch {
            throw .unauthenticated("Authorization: \(error.description); expected \"Bearer 0x<64 hex digits>\"")
        }
        let owner: Address?
        do { owner = try await store.tokenOwner(hash: Keccak256.hash(bytes), now: clock()) } catch { throw error.asDatatrustError }
        guard let owner else { throw .unauthenticated("Authorization: token unknown or expired; log in again via /auth/nonce and /auth/token") }
        return owner
    }

    // MARK: - Markets and schemas

    func marketConfiguration(_ name: String) throws(DatatrustError) -> MarketConfiguration {
        let id = try MarketID.requested(name)
        guard let config = configuration.market(id) else {
            throw .notFound("market: \(name) is not served here; expected one of \(configuration.markets.map(\.market.slug))")
        }
        return config
    }

    /// MARKETS_SUPPORTED.
    public func marketsSupported() async throws(DatatrustError) -> [MarketSummary] {
        var out: [MarketSummary] = []
        for m in configuration.markets {
            do {
                let held = try await store.datapoints(market: m.market)
                out.append(MarketSummary(market: m.market, format: m.schema.format, allowRawSQL: m.allowRawSQL, epsilonBudget: m.epsilonBudget,
                                         datapoints: held.count, rows: held.reduce(0) { $0 + $1.rowCount }))
            } catch { throw error.asDatatrustError }
        }
        return out
    }

    /// GET_SCHEMA.
    public func schema(of market: String) throws(DatatrustError) -> MarketSchema {
        try marketConfiguration(market).schema
    }

    // MARK: - Chain calls

    func ask<T: Sendable>(_ what: String, _ call: () async throws -> T) async throws(DatatrustError) -> T {
        do { return try await call() } catch let error as DatatrustError {
            throw error
        } catch {
            logger.error("chain call failed", metadata: ["call": "\(what)", "error": "\(error)"])
            throw .chainUnavailable("\(what): \(error)")
        }
    }

    // MARK: - Datapoints

    /// ADD_DATAPOINT of bytes held in memory: the streamed add
    /// (``beginAdd(market:dataHash:declaredSize:caller:)``) fed in one piece.
    public func addDatapoint(_ data: [UInt8], market name: String, caller: Address) async throws(DatatrustError) -> AddResult {
        _ = try marketConfiguration(name)
        guard !data.isEmpty else { throw .badRequest("data: empty; expected the datapoint's bytes") }
        switch try await beginAdd(market: name, dataHash: Keccak256.hash(data), declaredSize: Int64(data.count), caller: caller) {
        case .finished(let result):
            return result
        case .upload(let upload):
            let failure: DatatrustError? = data.withUnsafeBytes { bytes in
                do throws(DatatrustError) { try upload.append(bytes) } catch { return error }
                return nil
            }
            if let failure { throw failure }
            return try await finishAdd(upload)
        }
    }

    func pendingAttestation(_ market: MarketID, _ hash: Hash32) async throws(DatatrustError) -> OutboxEntry? {
        let entry: OutboxEntry?
        do { entry = try await store.attestationEntry(market: market, dataHash: hash) } catch { throw error.asDatatrustError }
        return entry.flatMap { $0.isPending ? $0 : nil }
    }

    func heldRecord(_ market: MarketID, _ hash: Hash32) async throws(DatatrustError) -> DatapointRecord {
        let record: DatapointRecord?
        do { record = try await store.datapoint(market: market, dataHash: hash) } catch { throw error.asDatatrustError }
        guard let record, record.removed == nil else {
            throw .notFound("dataHash: \(hash.hex) is not held in market \(market)")
        }
        return record
    }

    /// REMOVE_DATAPOINT.
    public func removeDatapoint(market name: String, dataHash hash: Hash32, caller: Address) async throws(DatatrustError) -> RemoveResult {
        let market = try marketConfiguration(name).market
        let record = try await heldRecord(market, hash)
        guard record.owner == caller else {
            throw .forbidden("dataHash: \(hash.hex) belongs to \(record.owner.checksummed), not the caller \(caller.checksummed)")
        }
        let live = try await ask("listings") { try await chain.listings(market: market, dataHash: hash) }.filter { $0.state != .removed }
        if let listing = live.first {
            throw .conflict("dataHash: a listing of it is still \(listing.state.rawValue) on chain; expected it removed from market \(market) first")
        }
        let now = clock()
        // The vault is keyed by dataHash alone: the same bytes held in another market share the
        // object, which then stays. Index first: a crash between the two leaves an orphan
        // object, which the vault sweep removes.
        do { try await store.markRemoved(market: market, dataHash: hash, at: now) } catch { throw error.asDatatrustError }
        let heldElsewhere: Bool
        do { heldElsewhere = try await store.isHeld(dataHash: hash) } catch { throw error.asDatatrustError }
        if !heldElsewhere {
            do { try vault.remove(hash) } catch VaultError.notFound { } catch { throw error.asDatatrustError }
        }
        logger.info("datapoint removed", metadata: ["market": "\(market)", "dataHash": "\(hash.hex)"])
        return RemoveResult(market: market, dataHash: hash, removed: now)
    }

    /// GET_DATAPOINT into memory: ``openDatapoint(market:dataHash:caller:job:)`` read to the end,
    /// with Keccak-256 checked here (no client hashes after an in-process read).
    public func getDatapoint(market name: String, dataHash hash: Hash32, caller: Address, job: UInt64? = nil) async throws(DatatrustError) -> [UInt8] {
        let download = try await openDatapoint(market: name, dataHash: hash, caller: caller, job: job, checksHash: true)
        var data: [UInt8] = []
        data.reserveCapacity(Int(clamping: download.size))
        while try download.next({ data.append(contentsOf: $0) }) {}
        return data
    }

    // MARK: - Prices

    func add(_ a: UInt256, _ b: UInt256) throws(DatatrustError) -> UInt256 {
        do { return try a + b } catch { throw .unprocessable("cost: \(error.description)") }
    }

    func multiply(_ a: UInt256, _ b: UInt256) throws(DatatrustError) -> UInt256 {
        do { return try a * b } catch { throw .unprocessable("cost: \(error.description)") }
    }

    /// The job `job` if the caller may use it now: paid by the caller to this datatrust, not yet
    /// used, before its deadline, and (when `price` is given) paying at least `price`.
    @discardableResult
    func checkJob(market: MarketID, job: UInt64, caller: Address?, price: UInt256?) async throws(DatatrustError) -> PaidJob {
        let lookup = try await ask("job") { try await chain.job(market: market, id: job) }
        let paid: PaidJob
        switch lookup {
        case .unknown:
            throw .forbidden("jobs.\(market): job \(job) does not exist on chain; pay for a job first")
        case .settled:
            throw .conflict("jobs.\(market): job \(job) is used up (its usage was reported, or it was refunded); pay for a new job")
        case .expired(let job):
            throw .conflict("jobs.\(market): job \(job.id) passed its report deadline \(job.deadline) unused; ask for its refund and pay for a new job")
        case .open(let job):
            paid = job
        }
        if let caller, paid.buyer != caller {
            throw .forbidden("jobs.\(market): job \(job) was paid by \(paid.buyer.checksummed), not the caller \(caller.checksummed)")
        }
        guard paid.backend == chain.backendAddress else {
            throw .forbidden("jobs.\(market): job \(job) was paid to datatrust \(paid.backend.checksummed), not this one (\(chain.backendAddress.checksummed))")
        }
        if let price, paid.price < price {
            throw .forbidden("jobs.\(market): job \(job) paid \(paid.price), this request costs \(price)")
        }
        return paid
    }

    /// The data a request under `job` may read in `market`: each listing listed now and covered
    /// by the job (every listed listing when `job` is nil, for a quote), by dataHash.
    func readableData(market: MarketID, job: PaidJob?) async throws(DatatrustError) -> [Hash32: [ListedListing]] {
        let listed = try await ask("listed listings") { try await chain.listedListings(market: market) }
        var out: [Hash32: [ListedListing]] = [:]
        for listing in listed where job?.covers(listing.listing) ?? true {
            out[listing.dataHash, default: []].append(listing)
        }
        return out
    }

    struct Validated {
        var configs: [MarketConfiguration]
        var plan: PrivateAggregator.Plan?
    }

    func validate(_ request: QueryRequest) throws(DatatrustError) -> Validated {
        guard !request.markets.isEmpty else { throw .badRequest("markets: empty; expected at least one market") }
        guard Set(request.markets).count == request.markets.count else { throw .badRequest("markets: listed twice") }
        var configs: [MarketConfiguration] = []
        for m in request.markets { configs.append(try marketConfiguration(m.slug)) }
        switch (request.sql, request.aggregate) {
        case (.some, .none):
            return Validated(configs: configs, plan: nil)
        case (.none, .some(let aggregate)):
            guard configs.count == 1, let only = configs.first else { throw .badRequest("markets: an aggregate reads exactly one market") }
            return Validated(configs: configs, plan: try PrivateAggregator.plan(aggregate, schema: only.schema))
        default:
            throw .badRequest("query: give exactly one of \"sql\" and \"aggregate\"")
        }
    }

    /// GET_COMPUTE_COST: the price per market of running `request` now.
    ///
    /// Refuses what RUN_QUERY refuses before running: raw SQL on a market that allows only
    /// aggregates, and a job (in `request.jobs`) that is used up, expired, paid to another
    /// datatrust or (when `caller` is known) paid by someone else. The rows priced are those the
    /// query may read: of listings listed now and covered by the job when one is named (a job
    /// not paid yet is priced as a whole-market job, so a buyer can ask before paying).
    public func computeCost(_ request: QueryRequest, caller: Address? = nil) async throws(DatatrustError) -> CostQuote {
        let validated = try validate(request)
        try checkRawSQLAllowed(validated)
        var readable: [MarketID: [Hash32: [ListedListing]]] = [:]
        for config in validated.configs {
            var job: PaidJob?
            if let id = request.jobs?[config.market.slug] {
                // A job not paid yet is priced as a whole-market job, so a buyer can quote first.
                let market = config.market
                if try await ask("job", { try await chain.job(market: market, id: id) }) != .unknown {
                    job = try await checkJob(market: config.market, job: id, caller: caller, price: nil)
                }
            }
            readable[config.market] = try await readableData(market: config.market, job: job)
        }
        return try await quote(validated, readable: readable)
    }

    /// Refuses raw SQL on a market that allows only differentially private aggregates.
    func checkRawSQLAllowed(_ validated: Validated) throws(DatatrustError) {
        guard validated.plan == nil else { return }
        for config in validated.configs where !config.allowRawSQL {
            throw .forbidden("market \(config.market) allows only differentially private aggregates, not raw SQL")
        }
    }

    func quote(_ validated: Validated, readable: [MarketID: [Hash32: [ListedListing]]]) async throws(DatatrustError) -> CostQuote {
        var items: [CostQuote.Item] = []
        var total = UInt256.zero
        for config in validated.configs {
            let held: [DatapointRecord]
            do { held = try await store.datapoints(market: config.market) } catch { throw error.asDatatrustError }
            let allowed = readable[config.market] ?? [:]
            let rows = held.filter { allowed[$0.dataHash] != nil }.reduce(0) { $0 + $1.rowCount }
            let compute = try add(config.baseCost, try multiply(config.costPerRow, UInt256(UInt64(rows))))
            var privacy = UInt256.zero
            if let plan = validated.plan {
                let market = config.market
                let price = try await ask("privacy price") { try await chain.privacyPrice(market: market) }
                privacy = try multiply(price, UInt256(plan.milliEpsilon))
            }
            let sum = try add(compute, privacy)
            items.append(CostQuote.Item(market: config.market, rows: rows, compute: compute, privacy: privacy, total: sum))
            total = try add(total, sum)
        }
        return CostQuote(items: items, total: total, epsilon: validated.plan.map { Epsilon.format(milli: $0.milliEpsilon) })
    }

    /// GET_EPSILON: the epsilon `request` spends, and the caller's remaining budget when known.
    /// - Throws: ``DatatrustError/unprocessable(_:)`` for raw SQL, whose privacy loss is unbounded.
    public func epsilon(_ request: QueryRequest, caller: Address? = nil) async throws(DatatrustError) -> EpsilonQuote {
        let validated = try validate(request)
        guard let plan = validated.plan else {
            throw .unprocessable("query: raw SQL returns rows as they are; no finite epsilon exists. Use an aggregate for a differentially private answer")
        }
        var remaining: [String: String]?
        if let caller, let config = validated.configs.first {
            let budget = try Epsilon.parse(config.epsilonBudget, field: "epsilonBudget")
            let spent: UInt64
            do { spent = try await store.epsilonSpent(by: caller, market: config.market) } catch { throw error.asDatatrustError }
            remaining = [config.market.slug: Epsilon.format(milli: budget > spent ? budget - spent : 0)]
        }
        return EpsilonQuote(epsilon: Epsilon.format(milli: plan.milliEpsilon), milliEpsilon: plan.milliEpsilon, remaining: remaining)
    }

    // MARK: - Queries

    /// Decrypts and parses into a sandbox table the market's held datapoints whose dataHash is
    /// in `readable` (listed and covered by the job); nothing else is decrypted.
    func loadTable(_ config: MarketConfiguration, readable: [Hash32: [ListedListing]]) async throws(DatatrustError) -> MarketTable {
        let records: [DatapointRecord]
        do { records = try await store.datapoints(market: config.market).filter { readable[$0.dataHash] != nil } } catch { throw error.asDatatrustError }
        let total = records.reduce(0) { $0 + $1.rowCount }
        guard total <= configuration.limits.maxLoadedRows else {
            throw .unprocessable("market \(config.market): \(total) rows, above the query limit \(configuration.limits.maxLoadedRows)")
        }
        var rows: [(listing: Int, values: [SQLValue])] = []
        rows.reserveCapacity(total)
        for (index, record) in records.enumerated() {
            let data: [UInt8]
            do { data = try vault.get(record.dataHash) } catch {
                logger.critical("vault read refused", metadata: ["dataHash": "\(record.dataHash.hex)", "error": "\(error)"])
                throw error.asDatatrustError
            }
            for row in try RowParser.parse(data, schema: config.schema) { rows.append((index, row)) }
        }
        return MarketTable(market: config.market, schema: config.schema, listings: records.map(\.dataHash), rows: rows)
    }

    /// RUN_QUERY.
    public func runQuery(_ request: QueryRequest, caller: Address) async throws(DatatrustError) -> QueryResult {
        let validated = try validate(request)
        try checkRawSQLAllowed(validated)
        var readable: [MarketID: [Hash32: [ListedListing]]] = [:]
        var jobs: [MarketID: UInt64] = [:]
        for config in validated.configs {
            guard let job = request.jobs?[config.market.slug] else {
                throw .badRequest("jobs.\(config.market): missing; expected the id of a job paid in market \(config.market)")
            }
            let paid = try await checkJob(market: config.market, job: job, caller: caller, price: nil)
            jobs[config.market] = job
            readable[config.market] = try await readableData(market: config.market, job: paid)
        }
        let quote = try await quote(validated, readable: readable)
        var charges: [QueryCharge] = []
        for (config, item) in zip(validated.configs, quote.items) {
            let job = jobs[config.market] ?? 0
            try await checkJob(market: config.market, job: job, caller: caller, price: item.total)
            let budget = try Epsilon.parse(config.epsilonBudget, field: "epsilonBudget")
            charges.append(QueryCharge(market: config.market, job: job, milliEpsilon: validated.plan?.milliEpsilon ?? 0, budgetMilliEpsilon: budget))
        }
        var tables: [MarketTable] = []
        for config in validated.configs { tables.append(try await loadTable(config, readable: readable[config.market] ?? [:])) }

        let outcome: SandboxResult
        var privacy: PrivacyReport?
        if let plan = validated.plan, let table = tables.first {
            var rng = SodiumRandomSource()
            let answer = try PrivateAggregator.run(plan, table: table, limits: configuration.limits, using: &rng)
            outcome = answer.result
            privacy = answer.privacy
        } else {
            outcome = try SQLSandbox.run(sql: request.sql ?? "", tables: tables, limits: configuration.limits)
        }
        // Nothing is answered before the jobs, the epsilon and the usage reports are committed
        // together; a query refused here (job used meanwhile, budget spent) reveals nothing.
        var read: [String: [Hash32]] = [:]
        for i in charges.indices {
            let dataRead = outcome.listingsRead[charges[i].market] ?? []
            read[charges[i].market.slug] = dataRead
            let allowed = readable[charges[i].market] ?? [:]
            charges[i].listings = Array(Set(dataRead.flatMap { allowed[$0]?.map(\.listing) ?? [] })).sorted()
        }
        let queued: [OutboxEntry]
        do { queued = try await store.charge(charges, buyer: caller, now: clock()) } catch { throw error.asDatatrustError }
        var reports: [String: String] = [:]
        for entry in queued {
            if let tx = await deliverNow(entry) { reports[entry.market.slug] = tx }
        }
        logger.info("query ran", metadata: ["caller": "\(caller.checksummed)", "markets": "\(request.markets)", "aggregate": "\(validated.plan != nil)"])
        return QueryResult(columns: outcome.columns, rows: outcome.rows, privacy: privacy, listingsRead: read, usageReports: reports)
    }
}
