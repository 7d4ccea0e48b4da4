import Foundation
import GRDB
public import LedgerCore
public import MarketKit

/// ``DatatrustStore`` on an embedded SQLite database (GRDB, WAL mode). Holds metadata only:
/// hashes, addresses, sizes, times and counters; never datapoint contents.
public final class SQLiteStore: DatatrustStore {
    private let writer: any DatabaseWriter

    /// Opens (creating and migrating) the database at `path`, or an in-memory one when `path` is nil.
    public init(path: String?) throws(StoreError) {
        do {
            var config = Configuration()
            config.busyMode = .timeout(5)
            if let path {
                writer = try DatabasePool(path: path, configuration: config)
            } else {
                writer = try DatabaseQueue(configuration: config)
            }
            try Self.migrator.migrate(writer)
        } catch {
            throw .database("cannot open \((path as NSString?)?.lastPathComponent ?? ":memory:"): \(error)")
        }
        if let path { Self.restrictToOwner(path) }
    }

    /// The index names what is stored and who holds tokens: readable by its owner only, like
    /// the master key (the database file and its WAL and shared-memory files).
    private static func restrictToOwner(_ path: String) {
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE datapoint (
                    market TEXT NOT NULL, dataHash BLOB NOT NULL, owner BLOB NOT NULL,
                    size INTEGER NOT NULL, rowCount INTEGER NOT NULL, created INTEGER NOT NULL, removed INTEGER,
                    PRIMARY KEY (market, dataHash)) WITHOUT ROWID;
                CREATE TABLE nonce (nonce BLOB PRIMARY KEY, expires INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE token (hash BLOB PRIMARY KEY, address BLOB NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE epsilonSpend (address BLOB NOT NULL, market TEXT NOT NULL, spentMilli INTEGER NOT NULL,
                    PRIMARY KEY (address, market)) WITHOUT ROWID;
                CREATE TABLE usedJob (market TEXT NOT NULL, job INTEGER NOT NULL, buyer BLOB NOT NULL, used INTEGER NOT NULL,
                    PRIMARY KEY (market, job)) WITHOUT ROWID;
                CREATE TABLE usage (id INTEGER PRIMARY KEY AUTOINCREMENT, market TEXT NOT NULL, job INTEGER NOT NULL,
                    buyer BLOB NOT NULL, listings BLOB NOT NULL, created INTEGER NOT NULL, reportTransaction TEXT);
                """)
        }
        // v2: the outbox replaces the usage table; attestations are queued too.
        migrator.registerMigration("v2-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, market TEXT NOT NULL, kind TEXT NOT NULL,
                    dataHash BLOB, job INTEGER, buyer BLOB, listings BLOB, created INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0, notBefore INTEGER NOT NULL, lastError TEXT,
                    settled INTEGER, transactionHash TEXT);
                CREATE INDEX outboxPending ON outbox (notBefore) WHERE settled IS NULL;
                CREATE UNIQUE INDEX outboxAttestation ON outbox (market, dataHash) WHERE kind = 'attest';
                INSERT INTO outbox (market, kind, job, buyer, listings, created, notBefore, settled, transactionHash)
                    SELECT market, 'usage', job, buyer, listings, created, created,
                           CASE WHEN reportTransaction IS NULL THEN NULL ELSE created END, reportTransaction FROM usage ORDER BY id;
                DROP TABLE usage;
                """)
        }
        // v3: claims, so that several processes sharing the file never submit one entry at once.
        migrator.registerMigration("v3-outbox-claims") { db in
            try db.execute(sql: "ALTER TABLE outbox ADD COLUMN claimUntil INTEGER")
        }
        return migrator
    }

    // The body runs on a dispatch thread, never on a thread of Swift's cooperative pool, and
    // GRDB's own queues serialise the writes. Not GRDB's async access: that one refuses to run
    // in a cancelled task, and a store call must complete or fail on its own terms (a server
    // shutting down still settles the outbox entry it just submitted).
    private func run<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        let writer = self.writer
        return try await Self.offPool(what) { try writer.write(body) }
    }

    private func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        let writer = self.writer
        return try await Self.offPool(what) { try writer.read(body) }
    }

    private static func offPool<T: Sendable>(_ what: String, _ work: @escaping @Sendable () throws -> T) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do { continuation.resume(returning: .success(try work())) } catch let error as StoreError {
                    continuation.resume(returning: .failure(error))
                } catch {
                    continuation.resume(returning: .failure(.database("\(what): \(error)")))
                }
            }
        }
        return try result.get()
    }

    private static func record(_ row: Row) throws -> DatapointRecord {
        DatapointRecord(
            market: try MarketID(row["market"]), dataHash: try Hash32(bytes: [UInt8](row["dataHash"] as Data)),
            owner: try Address(bytes: [UInt8](row["owner"] as Data)), size: row["size"], rowCount: row["rowCount"],
            created: row["created"], removed: row["removed"])
    }

    // MARK: - Datapoints

    /// Indexes a new datapoint and queues its attestation, in one commit.
    @discardableResult
    public func insert(_ record: DatapointRecord) async throws(StoreError) -> OutboxEntry {
        let entry: OutboxEntry? = try await run("insert datapoint") { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM datapoint WHERE market = ? AND dataHash = ?",
                                arguments: [record.market.slug, Data(record.dataHash.bytes)]) != nil { return nil }
            try db.execute(sql: "INSERT INTO datapoint VALUES (?, ?, ?, ?, ?, ?, ?)", arguments: [
                record.market.slug, Data(record.dataHash.bytes), Data(record.owner.bytes), record.size,
                record.rowCount, record.created, record.removed])
            return try Self.enqueue(OutboxEntry(market: record.market, action: .attest(dataHash: record.dataHash), created: record.created), db)
        }
        guard let entry else { throw .duplicate(market: record.market, dataHash: record.dataHash) }
        return entry
    }

    /// The record of `dataHash` in `market`.
    public func datapoint(market: MarketID, dataHash: Hash32) async throws(StoreError) -> DatapointRecord? {
        try await read("read datapoint") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM datapoint WHERE market = ? AND dataHash = ?",
                             arguments: [market.slug, Data(dataHash.bytes)]).map(Self.record)
        }
    }

    /// The held datapoints of `market`.
    public func datapoints(market: MarketID) async throws(StoreError) -> [DatapointRecord] {
        try await read("list datapoints") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM datapoint WHERE market = ? AND removed IS NULL ORDER BY dataHash",
                             arguments: [market.slug]).map(Self.record)
        }
    }

    /// Marks a datapoint removed.
    public func markRemoved(market: MarketID, dataHash: Hash32, at time: Int64) async throws(StoreError) {
        let changed: Int = try await run("mark removed") { db in
            try db.execute(sql: "UPDATE datapoint SET removed = ? WHERE market = ? AND dataHash = ? AND removed IS NULL",
                           arguments: [time, market.slug, Data(dataHash.bytes)])
            return db.changesCount
        }
        if changed == 0 { throw .notFound(market: market, dataHash: dataHash) }
    }

    /// The dataHashes held in any market.
    public func heldHashes() async throws(StoreError) -> Set<Hash32> {
        try await read("list held hashes") { db in
            Set(try Data.fetchAll(db, sql: "SELECT DISTINCT dataHash FROM datapoint WHERE removed IS NULL").map { try Hash32(bytes: [UInt8]($0)) })
        }
    }

    /// Whether any market holds `dataHash`.
    public func isHeld(dataHash: Hash32) async throws(StoreError) -> Bool {
        try await read("read datapoint") { db in
            try Row.fetchOne(db, sql: "SELECT 1 FROM datapoint WHERE dataHash = ? AND removed IS NULL LIMIT 1",
                             arguments: [Data(dataHash.bytes)]) != nil
        }
    }

    /// Rows held in `market`.
    public func rowCount(market: MarketID) async throws(StoreError) -> Int {
        try await read("count rows") { db in
            try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(rowCount), 0) FROM datapoint WHERE market = ? AND removed IS NULL",
                             arguments: [market.slug]) ?? 0
        }
    }

    // MARK: - Authentication

    /// Saves a login nonce.
    public func saveNonce(_ nonce: [UInt8], expires: Int64) async throws(StoreError) {
        try await run("save nonce") { db in
            try db.execute(sql: "INSERT INTO nonce VALUES (?, ?)", arguments: [Data(nonce), expires])
        }
    }

    /// Deletes the nonce and returns its expiry, if it existed.
    public func consumeNonce(_ nonce: [UInt8]) async throws(StoreError) -> Int64? {
        try await run("consume nonce") { db in
            let expires = try Int64.fetchOne(db, sql: "SELECT expires FROM nonce WHERE nonce = ?", arguments: [Data(nonce)])
            try db.execute(sql: "DELETE FROM nonce WHERE nonce = ?", arguments: [Data(nonce)])
            return expires
        }
    }

    /// Saves a token hash.
    public func saveToken(hash: Hash32, address: Address, expires: Int64) async throws(StoreError) {
        try await run("save token") { db in
            try db.execute(sql: "INSERT INTO token VALUES (?, ?, ?)", arguments: [Data(hash.bytes), Data(address.bytes), expires])
        }
    }

    /// The holder of a valid token.
    public func tokenOwner(hash: Hash32, now: Int64) async throws(StoreError) -> Address? {
        try await read("read token") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT address, expires FROM token WHERE hash = ?", arguments: [Data(hash.bytes)]),
                  now < (row["expires"] as Int64) else { return nil }
            return try Address(bytes: [UInt8](row["address"] as Data))
        }
    }

    /// Deletes expired nonces and tokens; returns how many went.
    @discardableResult
    public func purgeExpired(now: Int64) async throws(StoreError) -> Int {
        try await run("purge") { db in
            try db.execute(sql: "DELETE FROM nonce WHERE expires <= ?", arguments: [now])
            let nonces = db.changesCount
            try db.execute(sql: "DELETE FROM token WHERE expires <= ?", arguments: [now])
            return nonces + db.changesCount
        }
    }

    // MARK: - Charging

    /// Milli-epsilon spent.
    public func epsilonSpent(by address: Address, market: MarketID) async throws(StoreError) -> UInt64 {
        try await read("read epsilon") { db in
            UInt64(try Int64.fetchOne(db, sql: "SELECT spentMilli FROM epsilonSpend WHERE address = ? AND market = ?",
                                      arguments: [Data(address.bytes), market.slug]) ?? 0)
        }
    }

    /// Charges jobs and epsilon and queues the usage reports, atomically.
    @discardableResult
    public func charge(_ charges: [QueryCharge], buyer: Address, now: Int64) async throws(StoreError) -> [OutboxEntry] {
        try await run("charge query") { db in
            var queued: [OutboxEntry] = []
            for c in charges {
                queued.append(try Self.enqueue(OutboxEntry(market: c.market, action: .reportUsage(job: c.job, buyer: buyer, listings: c.listings), created: now), db))
                if try Row.fetchOne(db, sql: "SELECT 1 FROM usedJob WHERE market = ? AND job = ?",
                                    arguments: [c.market.slug, Int64(c.job)]) != nil {
                    throw StoreError.jobAlreadyUsed(market: c.market, job: c.job)
                }
                try db.execute(sql: "INSERT INTO usedJob VALUES (?, ?, ?, ?)",
                               arguments: [c.market.slug, Int64(c.job), Data(buyer.bytes), now])
                guard c.milliEpsilon > 0 else { continue }
                let spent = UInt64(try Int64.fetchOne(db, sql: "SELECT spentMilli FROM epsilonSpend WHERE address = ? AND market = ?",
                                                      arguments: [Data(buyer.bytes), c.market.slug]) ?? 0)
                let (total, overflow) = spent.addingReportingOverflow(c.milliEpsilon)
                guard !overflow, total <= c.budgetMilliEpsilon, total <= UInt64(Int64.max) else {
                    throw StoreError.budgetExhausted(market: c.market, spentMilli: spent, requestedMilli: c.milliEpsilon, budgetMilli: c.budgetMilliEpsilon)
                }
                try db.execute(sql: "INSERT OR REPLACE INTO epsilonSpend VALUES (?, ?, ?)",
                               arguments: [Data(buyer.bytes), c.market.slug, Int64(total)])
            }
            return queued
        }
    }

    /// Whether a job was consumed.
    public func isJobUsed(market: MarketID, job: UInt64) async throws(StoreError) -> Bool {
        try await read("read job") { db in
            try Row.fetchOne(db, sql: "SELECT 1 FROM usedJob WHERE market = ? AND job = ?", arguments: [market.slug, Int64(job)]) != nil
        }
    }

    // MARK: - Outbox

    private static func enqueue(_ entry: OutboxEntry, _ db: Database) throws -> OutboxEntry {
        var dataHash: Data?, job: Int64?, buyer: Data?, listings: Data?
        let kind = entry.action.storedKind
        switch entry.action {
        case .attest(let hash):
            dataHash = Data(hash.bytes)
        case .reportUsage(let j, let b, let l):
            job = Int64(j)
            buyer = Data(b.bytes)
            listings = Data(OutboxEntry.Action.packListings(l))
        }
        try db.execute(sql: """
            INSERT INTO outbox (market, kind, dataHash, job, buyer, listings, created, attempts, notBefore, lastError, settled, transactionHash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [entry.market.slug, kind, dataHash, job, buyer, listings, entry.created, entry.attempts, entry.notBefore,
                             entry.lastError, entry.settled, entry.transaction])
        var out = entry
        out.id = db.lastInsertedRowID
        return out
    }

    private static func outboxEntry(_ row: Row) throws -> OutboxEntry {
        let action: OutboxEntry.Action
        switch row["kind"] as String {
        case "attest":
            action = .attest(dataHash: try Hash32(bytes: [UInt8](row["dataHash"] as Data)))
        default:
            let listings = try OutboxEntry.Action.unpackListings([UInt8](row["listings"] as Data))
            action = .reportUsage(job: UInt64(row["job"] as Int64), buyer: try Address(bytes: [UInt8](row["buyer"] as Data)), listings: listings)
        }
        return OutboxEntry(id: row["id"], market: try MarketID(row["market"]), action: action, created: row["created"],
                           attempts: row["attempts"], notBefore: row["notBefore"], lastError: row["lastError"],
                           settled: row["settled"], transaction: row["transactionHash"])
    }

    /// The entry `id`.
    public func outboxEntry(id: Int64) async throws(StoreError) -> OutboxEntry? {
        try await read("read outbox") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]).map(Self.outboxEntry)
        }
    }

    /// The attestation entry of a datapoint.
    public func attestationEntry(market: MarketID, dataHash: Hash32) async throws(StoreError) -> OutboxEntry? {
        try await read("read outbox") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE kind = 'attest' AND market = ? AND dataHash = ?",
                             arguments: [market.slug, Data(dataHash.bytes)]).map(Self.outboxEntry)
        }
    }

    /// Entries still owed, oldest first.
    public func pendingOutbox(dueAt: Int64?) async throws(StoreError) -> [OutboxEntry] {
        try await read("read outbox") { db in
            if let dueAt {
                return try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE settled IS NULL AND notBefore <= ? ORDER BY id",
                                        arguments: [dueAt]).map(Self.outboxEntry)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE settled IS NULL ORDER BY id").map(Self.outboxEntry)
        }
    }

    /// Claims a pending, unclaimed (or expired-claim) entry for one submission.
    public func claimOutbox(id: Int64, now: Int64, lease: Int64, overriding: Bool) async throws(StoreError) -> OutboxEntry? {
        try await run("claim outbox") { db in
            try db.execute(sql: """
                UPDATE outbox SET claimUntil = ? WHERE id = ? AND settled IS NULL AND (claimUntil IS NULL OR claimUntil <= ? OR ?)
                """, arguments: [now + lease, id, now, overriding])
            guard db.changesCount == 1 else { return nil }
            return try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]).map(Self.outboxEntry)
        }
    }

    /// Settles an entry.
    public func settleOutbox(id: Int64, transaction: String?, at time: Int64) async throws(StoreError) {
        try await run("settle outbox") { db in
            try db.execute(sql: "UPDATE outbox SET settled = ?, transactionHash = ?, claimUntil = NULL WHERE id = ? AND settled IS NULL",
                           arguments: [time, transaction, id])
        }
    }

    /// Postpones an entry after a failed submission.
    public func postponeOutbox(id: Int64, error: String, notBefore: Int64) async throws(StoreError) {
        try await run("postpone outbox") { db in
            try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, lastError = ?, notBefore = ?, claimUntil = NULL WHERE id = ? AND settled IS NULL",
                           arguments: [error, notBefore, id])
        }
    }
}
