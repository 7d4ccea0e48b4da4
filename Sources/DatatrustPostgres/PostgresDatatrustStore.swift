public import DatatrustKit
import Foundation
public import LedgerCore
public import LedgerPostgres
import Logging
public import MarketKit
import NIOCore
import PostgresNIO

/// `DatatrustStore` in PostgreSQL, so that several datatrust servers, on several machines,
/// serve one market from one index.
///
/// Tables, in the location's schema (created on first use, beside a chain's `dm_` tables if
/// the schema holds one): `dt_datapoint`, `dt_nonce`, `dt_token`, `dt_epsilon`, `dt_used_job`
/// and `dt_outbox`. Like `SQLiteStore` it holds metadata only (hashes, addresses, sizes,
/// times, counters), never datapoint contents.
///
/// What keeps several servers honest is PostgreSQL itself, not anything held in one process:
/// - Every method is one statement or one transaction on one pooled connection.
/// - A job is used once: `dt_used_job`'s primary key `(market, job)` refuses the second insert,
///   whichever server makes it, and ``charge(_:buyer:now:)`` rolls back all its charges then.
/// - An epsilon budget is never overspent: the caller's `dt_epsilon` row is locked
///   (`SELECT … FOR UPDATE`) from its read to its update.
/// - A datapoint is attested once: `dt_datapoint`'s primary key and a unique index on the
///   attestation entries refuse a second add; a nonce is consumed by one `DELETE … RETURNING`.
/// - An outbox entry is submitted by one server at a time: `claimOutbox(id:now:lease:)` is an
///   `UPDATE … WHERE` no one else holds an unexpired claim, which PostgreSQL's row lock makes a
///   test-and-set; a server killed mid-submission leaves its claim to expire.
///
/// ```swift
/// let store = try await PostgresDatatrustStore(url: "postgres://dm@db.internal/markets?schema=heart")
/// let datatrust = Datatrust(configuration: config, vault: vault, store: store, chain: view)
/// ```
public final class PostgresDatatrustStore: DatatrustStore {
    /// Where the index lives.
    public let location: PostgresLocation
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger

    /// Connects to `location` (failing at once if PostgreSQL cannot be reached), creates the
    /// tables if they are missing, and starts a pool of at most `maximumConnections` connections.
    /// - Throws: `StoreError/database(_:)` naming the server and what failed.
    public init(location: PostgresLocation, maximumConnections: Int = 8) async throws(StoreError) {
        self.location = location
        var logger = Logger(label: "datamarket.datatrust.postgres")
        logger.logLevel = .critical
        self.logger = logger
        try await Self.createTables(location, logger: logger)
        let client = PostgresClient(configuration: location.clientConfiguration(maximumConnections: maximumConnections), backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    /// Connects to the location the URL names (see `PostgresLocation.init(url:)`).
    public convenience init(url: String, maximumConnections: Int = 8) async throws(StoreError) {
        let location: PostgresLocation
        do { location = try PostgresLocation(url: url) } catch { throw .database("\(error)") }
        try await self.init(location: location, maximumConnections: maximumConnections)
    }

    deinit {
        // Ends the pool's run loop, which closes its connections.
        runner.cancel()
    }

    /// Drops the datatrust's tables at `location` (for tests and for operators retiring an index).
    public static func dropTables(at location: PostgresLocation) async throws(StoreError) {
        try await withSetupConnection(location, logger: Logger(label: "datamarket.datatrust.postgres")) { connection, logger in
            try await connection.query(PostgresQuery(unsafeSQL: """
                DROP TABLE IF EXISTS \(tables.map { location.table($0) }.joined(separator: ", "))
                """), logger: logger)
        }
    }

    // MARK: - Tables

    private static let tables = ["dt_datapoint", "dt_nonce", "dt_token", "dt_epsilon", "dt_used_job", "dt_outbox"]

    private static func withSetupConnection(
        _ location: PostgresLocation, logger: Logger, _ body: (PostgresConnection, Logger) async throws -> Void
    ) async throws(StoreError) {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                on: PostgresClient.defaultEventLoopGroup.next(), configuration: location.configuration, id: 1, logger: logger)
        } catch {
            throw .database("cannot connect to PostgreSQL at \(location): \(PostgresLocation.describe(error))")
        }
        do {
            try await body(connection, logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw .database("PostgreSQL \(location): setting up the datatrust's tables failed: \(PostgresLocation.describe(error))")
        }
    }

    private static func createTables(_ l: PostgresLocation, logger: Logger) async throws(StoreError) {
        try await withSetupConnection(l, logger: logger) { connection, logger in
            try await connection.query("BEGIN", logger: logger)
            // Concurrent CREATE … IF NOT EXISTS can still collide in the catalogue (two servers
            // starting together): serialise the creation with a transaction-level advisory lock.
            for sql in [
                "SELECT pg_advisory_xact_lock(\(PostgresLocation.lockKey("datamarket.datatrust.setup.\(l.schema)")))",
                "CREATE SCHEMA IF NOT EXISTS \"\(l.schema)\"",
                """
                CREATE TABLE IF NOT EXISTS \(l.table("dt_datapoint")) (
                    market text NOT NULL, data_hash bytea NOT NULL, owner bytea NOT NULL, size bigint NOT NULL,
                    row_count bigint NOT NULL, created bigint NOT NULL, removed bigint, PRIMARY KEY (market, data_hash))
                """,
                "CREATE TABLE IF NOT EXISTS \(l.table("dt_nonce")) (nonce bytea PRIMARY KEY, expires bigint NOT NULL)",
                "CREATE TABLE IF NOT EXISTS \(l.table("dt_token")) (hash bytea PRIMARY KEY, address bytea NOT NULL, expires bigint NOT NULL)",
                """
                CREATE TABLE IF NOT EXISTS \(l.table("dt_epsilon")) (
                    address bytea NOT NULL, market text NOT NULL, spent_milli bigint NOT NULL CHECK (spent_milli >= 0),
                    PRIMARY KEY (address, market))
                """,
                """
                CREATE TABLE IF NOT EXISTS \(l.table("dt_used_job")) (
                    market text NOT NULL, job bigint NOT NULL, buyer bytea NOT NULL, used bigint NOT NULL, PRIMARY KEY (market, job))
                """,
                """
                CREATE TABLE IF NOT EXISTS \(l.table("dt_outbox")) (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, market text NOT NULL, kind text NOT NULL,
                    data_hash bytea, job bigint, buyer bytea, listings bytea, created bigint NOT NULL,
                    attempts integer NOT NULL DEFAULT 0, not_before bigint NOT NULL, last_error text,
                    settled bigint, transaction_hash text, claim_until bigint)
                """,
                "CREATE INDEX IF NOT EXISTS dt_outbox_pending ON \(l.table("dt_outbox")) (not_before) WHERE settled IS NULL",
                """
                CREATE UNIQUE INDEX IF NOT EXISTS dt_outbox_attestation ON \(l.table("dt_outbox")) (market, data_hash)
                    WHERE kind = 'attest'
                """,
            ] {
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
        }
    }

    // MARK: - Running statements

    /// Runs `body` on a pooled connection.
    private func run<T: Sendable>(_ what: String, _ body: (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database("PostgreSQL \(location): \(what) failed: \(PostgresLocation.describe(error))")
        }
    }

    /// Runs `body` between BEGIN and COMMIT on one pooled connection, rolling back if it throws.
    private func transaction<T: Sendable>(_ what: String, _ body: (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        let logger = logger
        return try await run(what) { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Every row `query` returns.
    private func rows(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [PostgresRandomAccessRow] {
        var out: [PostgresRandomAccessRow] = []
        for try await row in try await connection.query(query, logger: logger) { out.append(row.makeRandomAccess()) }
        return out
    }

    private func table(_ name: String) -> String { location.table(name) }

    private static func bytes(_ row: PostgresRandomAccessRow, _ column: String) throws -> [UInt8] {
        let buffer = try row[column].decode(ByteBuffer.self)
        return Array(buffer.readableBytesView)
    }

    private static func record(_ row: PostgresRandomAccessRow) throws -> DatapointRecord {
        DatapointRecord(
            market: try MarketID(try row["market"].decode(String.self)), dataHash: try Hash32(bytes: try bytes(row, "data_hash")),
            owner: try Address(bytes: try bytes(row, "owner")), size: try row["size"].decode(Int64.self),
            rowCount: Int(try row["row_count"].decode(Int64.self)), created: try row["created"].decode(Int64.self),
            removed: try row["removed"].decode(Int64?.self))
    }

    // MARK: - Datapoints

    /// Indexes a new datapoint and queues its attestation, in one transaction.
    @discardableResult
    public func insert(_ record: DatapointRecord) async throws(StoreError) -> OutboxEntry {
        let entry: OutboxEntry? = try await transaction("insert datapoint") { connection in
            let inserted = try await rows("""
                INSERT INTO \(unescaped: table("dt_datapoint")) (market, data_hash, owner, size, row_count, created, removed)
                VALUES (\(record.market.slug), \(ByteBuffer(bytes: record.dataHash.bytes)), \(ByteBuffer(bytes: record.owner.bytes)),
                        \(record.size), \(Int64(record.rowCount)), \(record.created), \(record.removed))
                ON CONFLICT (market, data_hash) DO NOTHING RETURNING 1
                """, on: connection)
            guard !inserted.isEmpty else { return nil }
            return try await enqueue(OutboxEntry(market: record.market, action: .attest(dataHash: record.dataHash), created: record.created), connection)
        }
        guard let entry else { throw .duplicate(market: record.market, dataHash: record.dataHash) }
        return entry
    }

    /// The record of `dataHash` in `market`.
    public func datapoint(market: MarketID, dataHash: Hash32) async throws(StoreError) -> DatapointRecord? {
        try await run("read datapoint") { connection in
            try await rows("""
                SELECT * FROM \(unescaped: table("dt_datapoint")) WHERE market = \(market.slug) AND data_hash = \(ByteBuffer(bytes: dataHash.bytes))
                """, on: connection).first.map(Self.record)
        }
    }

    /// The held datapoints of `market`, by dataHash ascending.
    public func datapoints(market: MarketID) async throws(StoreError) -> [DatapointRecord] {
        try await run("list datapoints") { connection in
            try await rows("""
                SELECT * FROM \(unescaped: table("dt_datapoint")) WHERE market = \(market.slug) AND removed IS NULL ORDER BY data_hash
                """, on: connection).map(Self.record)
        }
    }

    /// Marks a datapoint removed.
    public func markRemoved(market: MarketID, dataHash: Hash32, at time: Int64) async throws(StoreError) {
        let changed = try await run("mark removed") { connection in
            try await rows("""
                UPDATE \(unescaped: table("dt_datapoint")) SET removed = \(time)
                WHERE market = \(market.slug) AND data_hash = \(ByteBuffer(bytes: dataHash.bytes)) AND removed IS NULL RETURNING 1
                """, on: connection).count
        }
        if changed == 0 { throw .notFound(market: market, dataHash: dataHash) }
    }

    /// The dataHashes held in any market.
    public func heldHashes() async throws(StoreError) -> Set<Hash32> {
        try await run("list held hashes") { connection in
            Set(try await rows("SELECT DISTINCT data_hash FROM \(unescaped: table("dt_datapoint")) WHERE removed IS NULL", on: connection)
                .map { try Hash32(bytes: try Self.bytes($0, "data_hash")) })
        }
    }

    /// Whether any market holds `dataHash`.
    public func isHeld(dataHash: Hash32) async throws(StoreError) -> Bool {
        try await run("read datapoint") { connection in
            !(try await rows("""
                SELECT 1 FROM \(unescaped: table("dt_datapoint")) WHERE data_hash = \(ByteBuffer(bytes: dataHash.bytes)) AND removed IS NULL LIMIT 1
                """, on: connection).isEmpty)
        }
    }

    /// Rows held in `market`.
    public func rowCount(market: MarketID) async throws(StoreError) -> Int {
        try await run("count rows") { connection in
            let row = try await rows("""
                SELECT COALESCE(SUM(row_count), 0)::bigint AS total FROM \(unescaped: table("dt_datapoint"))
                WHERE market = \(market.slug) AND removed IS NULL
                """, on: connection).first
            return Int(try row?["total"].decode(Int64.self) ?? 0)
        }
    }

    // MARK: - Authentication

    /// Saves a login nonce.
    public func saveNonce(_ nonce: [UInt8], expires: Int64) async throws(StoreError) {
        try await run("save nonce") { connection in
            _ = try await rows("INSERT INTO \(unescaped: table("dt_nonce")) (nonce, expires) VALUES (\(ByteBuffer(bytes: nonce)), \(expires))", on: connection)
        }
    }

    /// Deletes the nonce and returns its expiry, if it existed (one statement: two servers
    /// handed the same nonce cannot both consume it).
    public func consumeNonce(_ nonce: [UInt8]) async throws(StoreError) -> Int64? {
        try await run("consume nonce") { connection in
            try await rows("DELETE FROM \(unescaped: table("dt_nonce")) WHERE nonce = \(ByteBuffer(bytes: nonce)) RETURNING expires", on: connection)
                .first.map { try $0["expires"].decode(Int64.self) }
        }
    }

    /// Saves a token hash.
    public func saveToken(hash: Hash32, address: Address, expires: Int64) async throws(StoreError) {
        try await run("save token") { connection in
            _ = try await rows("""
                INSERT INTO \(unescaped: table("dt_token")) (hash, address, expires)
                VALUES (\(ByteBuffer(bytes: hash.bytes)), \(ByteBuffer(bytes: address.bytes)), \(expires))
                """, on: connection)
        }
    }

    /// The holder of a valid token.
    public func tokenOwner(hash: Hash32, now: Int64) async throws(StoreError) -> Address? {
        try await run("read token") { connection in
            try await rows("""
                SELECT address FROM \(unescaped: table("dt_token")) WHERE hash = \(ByteBuffer(bytes: hash.bytes)) AND expires > \(now)
                """, on: connection).first.map { try Address(bytes: try Self.bytes($0, "address")) }
        }
    }

    /// Deletes expired nonces and tokens; returns how many went.
    @discardableResult
    public func purgeExpired(now: Int64) async throws(StoreError) -> Int {
        try await transaction("purge") { connection in
            let nonces = try await rows("DELETE FROM \(unescaped: table("dt_nonce")) WHERE expires <= \(now) RETURNING 1", on: connection).count
            let tokens = try await rows("DELETE FROM \(unescaped: table("dt_token")) WHERE expires <= \(now) RETURNING 1", on: connection).count
            return nonces + tokens
        }
    }

    // MARK: - Charging

    /// Milli-epsilon spent.
    public func epsilonSpent(by address: Address, market: MarketID) async throws(StoreError) -> UInt64 {
        try await run("read epsilon") { connection in
            let spent = try await rows("""
                SELECT spent_milli FROM \(unescaped: table("dt_epsilon")) WHERE address = \(ByteBuffer(bytes: address.bytes)) AND market = \(market.slug)
                """, on: connection).first.map { try $0["spent_milli"].decode(Int64.self) }
            return UInt64(max(0, spent ?? 0))
        }
    }

    /// Charges jobs and epsilon and queues the usage reports, in one transaction: a job another
    /// server used meanwhile (the primary key refuses it) or a budget it spent meanwhile (the
    /// row is locked) refuses every charge.
    @discardableResult
    public func charge(_ charges: [QueryCharge], buyer: Address, now: Int64) async throws(StoreError) -> [OutboxEntry] {
        let buyerBytes = ByteBuffer(bytes: buyer.bytes)
        // Rows are locked in one order (by market, then job) whatever the request's order, so
        // two multi-market queries of one buyer cannot deadlock each other.
        let order = charges.indices.sorted { (charges[$0].market.slug, charges[$0].job) < (charges[$1].market.slug, charges[$1].job) }
        return try await transaction("charge query") { connection in
            var queued = [OutboxEntry?](repeating: nil, count: charges.count)
            for i in order {
                let c = charges[i]
                guard c.job <= UInt64(Int64.max) else { throw StoreError.database("job \(c.job) does not fit PostgreSQL's bigint") }
                let used = try await rows("""
                    INSERT INTO \(unescaped: table("dt_used_job")) (market, job, buyer, used) VALUES (\(c.market.slug), \(Int64(c.job)), \(buyerBytes), \(now))
                    ON CONFLICT (market, job) DO NOTHING RETURNING 1
                    """, on: connection)
                guard !used.isEmpty else { throw StoreError.jobAlreadyUsed(market: c.market, job: c.job) }
                queued[i] = try await enqueue(
                    OutboxEntry(market: c.market, action: .reportUsage(job: c.job, buyer: buyer, listings: c.listings), created: now), connection)
                guard c.milliEpsilon > 0 else { continue }
                _ = try await rows("""
                    INSERT INTO \(unescaped: table("dt_epsilon")) (address, market, spent_milli) VALUES (\(buyerBytes), \(c.market.slug), 0)
                    ON CONFLICT (address, market) DO NOTHING
                    """, on: connection)
                let current = try await rows("""
                    SELECT spent_milli FROM \(unescaped: table("dt_epsilon")) WHERE address = \(buyerBytes) AND market = \(c.market.slug) FOR UPDATE
                    """, on: connection).first.map { try $0["spent_milli"].decode(Int64.self) } ?? 0
                let spent = UInt64(max(0, current))
                let (total, overflow) = spent.addingReportingOverflow(c.milliEpsilon)
                guard !overflow, total <= c.budgetMilliEpsilon, total <= UInt64(Int64.max) else {
                    throw StoreError.budgetExhausted(market: c.market, spentMilli: spent, requestedMilli: c.milliEpsilon, budgetMilli: c.budgetMilliEpsilon)
                }
                _ = try await rows("""
                    UPDATE \(unescaped: table("dt_epsilon")) SET spent_milli = \(Int64(total)) WHERE address = \(buyerBytes) AND market = \(c.market.slug)
                    """, on: connection)
            }
            return queued.compactMap { $0 }
        }
    }

    /// Whether a job was consumed.
    public func isJobUsed(market: MarketID, job: UInt64) async throws(StoreError) -> Bool {
        guard job <= UInt64(Int64.max) else { return false }
        return try await run("read job") { connection in
            !(try await rows("SELECT 1 FROM \(unescaped: table("dt_used_job")) WHERE market = \(market.slug) AND job = \(Int64(job))", on: connection).isEmpty)
        }
    }

    // MARK: - Outbox

    private func enqueue(_ entry: OutboxEntry, _ connection: PostgresConnection) async throws -> OutboxEntry {
        var dataHash: ByteBuffer?, job: Int64?, buyer: ByteBuffer?, listings: ByteBuffer?
        switch entry.action {
        case .attest(let hash):
            dataHash = ByteBuffer(bytes: hash.bytes)
        case .reportUsage(let j, let b, let l):
            job = Int64(j)
            buyer = ByteBuffer(bytes: b.bytes)
            listings = ByteBuffer(bytes: OutboxEntry.Action.packListings(l))
        }
        let inserted = try await rows("""
            INSERT INTO \(unescaped: table("dt_outbox"))
                (market, kind, data_hash, job, buyer, listings, created, attempts, not_before, last_error, settled, transaction_hash)
            VALUES (\(entry.market.slug), \(entry.action.storedKind), \(dataHash), \(job), \(buyer), \(listings), \(entry.created),
                    \(Int32(clamping: entry.attempts)), \(entry.notBefore), \(entry.lastError), \(entry.settled), \(entry.transaction))
            RETURNING id
            """, on: connection)
        var out = entry
        out.id = try inserted.first?["id"].decode(Int64.self) ?? 0
        return out
    }

    private static func outboxEntry(_ row: PostgresRandomAccessRow) throws -> OutboxEntry {
        let action: OutboxEntry.Action
        switch try row["kind"].decode(String.self) {
        case "attest":
            action = .attest(dataHash: try Hash32(bytes: try bytes(row, "data_hash")))
        default:
            action = .reportUsage(
                job: UInt64(try row["job"].decode(Int64.self)), buyer: try Address(bytes: try bytes(row, "buyer")),
                listings: try OutboxEntry.Action.unpackListings(try bytes(row, "listings")))
        }
        return OutboxEntry(
            id: try row["id"].decode(Int64.self), market: try MarketID(try row["market"].decode(String.self)), action: action,
            created: try row["created"].decode(Int64.self), attempts: Int(try row["attempts"].decode(Int32.self)),
            notBefore: try row["not_before"].decode(Int64.self), lastError: try row["last_error"].decode(String?.self),
            settled: try row["settled"].decode(Int64?.self), transaction: try row["transaction_hash"].decode(String?.self))
    }

    /// The entry `id`.
    public func outboxEntry(id: Int64) async throws(StoreError) -> OutboxEntry? {
        try await run("read outbox") { connection in
            try await rows("SELECT * FROM \(unescaped: table("dt_outbox")) WHERE id = \(id)", on: connection).first.map(Self.outboxEntry)
        }
    }

    /// The attestation entry of a datapoint.
    public func attestationEntry(market: MarketID, dataHash: Hash32) async throws(StoreError) -> OutboxEntry? {
        try await run("read outbox") { connection in
            try await rows("""
                SELECT * FROM \(unescaped: table("dt_outbox")) WHERE kind = 'attest' AND market = \(market.slug)
                AND data_hash = \(ByteBuffer(bytes: dataHash.bytes))
                """, on: connection).first.map(Self.outboxEntry)
        }
    }

    /// Entries still owed, oldest first.
    public func pendingOutbox(dueAt: Int64?) async throws(StoreError) -> [OutboxEntry] {
        try await run("read outbox") { connection in
            if let dueAt {
                return try await rows("""
                    SELECT * FROM \(unescaped: table("dt_outbox")) WHERE settled IS NULL AND not_before <= \(dueAt) ORDER BY id
                    """, on: connection).map(Self.outboxEntry)
            }
            return try await rows("SELECT * FROM \(unescaped: table("dt_outbox")) WHERE settled IS NULL ORDER BY id", on: connection)
                .map(Self.outboxEntry)
        }
    }

    /// Claims a pending entry nobody else holds an unexpired claim on (one `UPDATE`: of two
    /// servers claiming together, the second waits for the first's row lock, then finds the
    /// claim taken).
    public func claimOutbox(id: Int64, now: Int64, lease: Int64, overriding: Bool) async throws(StoreError) -> OutboxEntry? {
        try await run("claim outbox") { connection in
            try await rows("""
                UPDATE \(unescaped: table("dt_outbox")) SET claim_until = \(now + lease)
                WHERE id = \(id) AND settled IS NULL AND (claim_until IS NULL OR claim_until <= \(now) OR \(overriding)) RETURNING *
                """, on: connection).first.map(Self.outboxEntry)
        }
    }

    /// Settles an entry (and ends its claim).
    public func settleOutbox(id: Int64, transaction: String?, at time: Int64) async throws(StoreError) {
        try await run("settle outbox") { connection in
            _ = try await rows("""
                UPDATE \(unescaped: table("dt_outbox")) SET settled = \(time), transaction_hash = \(transaction), claim_until = NULL
                WHERE id = \(id) AND settled IS NULL
                """, on: connection)
        }
    }

    /// Postpones an entry after a failed submission (and ends its claim).
    public func postponeOutbox(id: Int64, error: String, notBefore: Int64) async throws(StoreError) {
        try await run("postpone outbox") { connection in
            _ = try await rows("""
                UPDATE \(unescaped: table("dt_outbox")) SET attempts = attempts + 1, last_error = \(error), not_before = \(notBefore),
                    claim_until = NULL WHERE id = \(id) AND settled IS NULL
                """, on: connection)
        }
    }
}
