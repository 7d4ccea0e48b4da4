import Foundation
public import LedgerCore
import NIOCore
import PostgresNIO

/// A chain's blocks and snapshots in PostgreSQL, shared by several processes on several
/// machines with one writer at a time.
///
/// Tables, in the location's schema (created on first use):
/// - `dm_genesis`: the canonical genesis configuration (one row).
/// - `dm_blocks`: one row per block: `height` (primary key), `hash`, `parent_hash` and the
///   canonical block bytes (`Block.encoded`).
/// - `dm_snapshots`: the canonical state at a height with its Keccak-256; the newest two kept.
///
/// An append is one statement, hence one transaction: it inserts the block only if its height
/// is one above the stored tip and its parent hash is the tip's hash, and in the same
/// statement `NOTIFY`s the chain's channel with the new height (delivered when it commits, so
/// a follower is never told of a block it cannot read). It returns once PostgreSQL has
/// committed, which with the default `synchronous_commit` means flushed to its WAL. Two
/// appenders racing for one height cannot both win: the primary key refuses the second.
///
/// ``exclusively(_:)`` holds a session-level advisory lock (`pg_advisory_lock`, keyed by the
/// schema) on this handle's connection, so writers in every process and on every machine take
/// turns; if a writer's process dies, PostgreSQL ends its session and the lock is released.
///
/// Opening reads every block and checks what it reads as `FileBlockStore` does: heights
/// without gaps, each block decodes (its roots checked), its stored hash is its header's hash,
/// and it names the previous block's hash as its parent. Anything else refuses to open with
/// `ChainError.corrupt(height:reason:)`. Blocks appended later by others are checked the same
/// way as they are read.
public final class PostgresBlockStore: BlockStore, @unchecked Sendable {
    // @unchecked: `depth`, `verifiedCount`, `tipHash` and `warningLog` are only touched while
    // holding `mutex` (recursive, held across an `exclusively` body as FileBlockStore does);
    // `connection` is itself thread-safe.
    private let mutex = NSRecursiveLock()
    private var depth = 0
    private var verifiedCount: UInt64 = 0
    private var tipHash: Hash32 = .zero
    private var warningLog: [String] = []
    private let connection: BlockingConnection

    /// Where the chain lives.
    public let location: PostgresLocation

    /// How many snapshots are kept.
    static let keptSnapshots = 2

    /// Connects to `location`, creates the chain's tables if they are missing, and verifies the
    /// stored blocks.
    /// - Throws: `ChainError.storage(_:)` when PostgreSQL cannot be reached or refuses, and
    ///   `ChainError.corrupt(height:reason:)` when a stored block does not check out.
    public init(location: PostgresLocation) throws(ChainError) {
        self.location = location
        connection = try BlockingConnection(location: location)
        try createTables()
        mutex.lock()
        defer { mutex.unlock() }
        try verifyNewBlocks()
    }

    /// Connects to the location the URL names (see ``PostgresLocation/init(url:)``).
    public convenience init(url: String) throws(ChainError) {
        let location: PostgresLocation
        do { location = try PostgresLocation(url: url) } catch { throw .storage("\(error)") }
        try self.init(location: location)
    }

    /// Problems found and handled while reading (a damaged snapshot passed over).
    public var warnings: [String] { mutex.withLock { warningLog } }

    /// The height of the newest block verified so far, or nil if the store is empty.
    public var tipHeight: UInt64? { mutex.withLock { verifiedCount == 0 ? nil : verifiedCount - 1 } }

    /// The height of the newest stored block (reading and verifying any appended by others),
    /// or nil if the store is empty.
    public func currentTip() throws(ChainError) -> UInt64? {
        try locked { () throws(ChainError) -> UInt64? in
            try verifyNewBlocks()
            return verifiedCount == 0 ? nil : verifiedCount - 1
        }
    }

    /// Drops the schema of `location` with every table in it: the chain there is gone.
    /// For tests and for operators retiring a chain; nothing calls it implicitly.
    public static func dropSchema(at location: PostgresLocation) throws(ChainError) {
        let connection = try BlockingConnection(location: location)
        try connection.run(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \"\(location.schema)\" CASCADE"), "dropping schema \(location.schema)")
    }

    // MARK: - Tables

    private func createTables() throws(ChainError) {
        let l = location
        // Concurrent CREATE ... IF NOT EXISTS can still collide in the catalogue: serialise
        // the creation with a transaction-level advisory lock.
        try inTransaction("creating the chain's tables") { () throws(ChainError) in
            for sql in [
                "SELECT pg_advisory_xact_lock(\(l.setupLockKey))",
                "CREATE SCHEMA IF NOT EXISTS \"\(l.schema)\"",
                "CREATE TABLE IF NOT EXISTS \(l.table("dm_genesis")) (id smallint PRIMARY KEY CHECK (id = 1), config bytea NOT NULL)",
                """
                CREATE TABLE IF NOT EXISTS \(l.table("dm_blocks")) (
                    height bigint PRIMARY KEY CHECK (height >= 0), hash bytea NOT NULL, parent_hash bytea NOT NULL, block bytea NOT NULL)
                """,
                """
                CREATE TABLE IF NOT EXISTS \(l.table("dm_snapshots")) (
                    height bigint PRIMARY KEY CHECK (height >= 0), digest bytea NOT NULL, state bytea NOT NULL)
                """,
            ] {
                try connection.run(PostgresQuery(unsafeSQL: sql), "creating the chain's tables")
            }
        }
    }

    /// Runs `body` between BEGIN and COMMIT, rolling back if it throws.
    private func inTransaction(_ what: String, _ body: () throws(ChainError) -> Void) throws(ChainError) {
        try connection.run("BEGIN", "starting a transaction for \(what)")
        let outcome = Result<Void, ChainError> { () throws(ChainError) in
            try body()
            try connection.run("COMMIT", "committing \(what)")
        }
        if case .failure = outcome { _ = try? connection.run("ROLLBACK", "rolling back \(what)") }
        try outcome.get()
    }

    // MARK: - Verifying

    /// Reads the blocks past the verified ones and checks them (call holding `mutex`).
    private func verifyNewBlocks() throws(ChainError) {
        _ = try readBlocks(from: verifiedCount)
    }

    /// The stored blocks from `height` on, checked; extends the verified prefix with the ones
    /// past it (call holding `mutex`).
    private func readBlocks(from height: UInt64) throws(ChainError) -> [Block] {
        if height > verifiedCount {
            // Reading past the verified prefix: verify the blocks between first.
            _ = try readBlocks(from: verifiedCount)
            guard height <= verifiedCount else { return [] }
        }
        guard height <= UInt64(Int64.max) else { return [] }
        let rows = try connection.run(
            "SELECT height, hash, block FROM \(unescaped: location.table("dm_blocks")) WHERE height >= \(Int64(height)) ORDER BY height",
            "reading blocks from \(height)")
        var out: [Block] = []
        out.reserveCapacity(rows.count)
        var expected = height
        for row in rows {
            let decoded: (Int64, ByteBuffer, ByteBuffer)
            do { decoded = try row.decode((Int64, ByteBuffer, ByteBuffer).self) } catch {
                throw .corrupt(height: expected, reason: "a dm_blocks row does not have the expected columns: \(BlockingConnection.describe(error))")
            }
            let (storedHeight, storedHash, bytes) = decoded
            guard storedHeight >= 0, UInt64(storedHeight) == expected else {
                throw .corrupt(height: expected, reason: "dm_blocks has no row for this height (the next row is height \(storedHeight)); heights must have no gaps")
            }
            let block = try Self.decode(bytes, height: expected)
            guard Array(storedHash.readableBytesView) == block.hash.bytes else {
                throw .corrupt(height: expected, reason: "the stored hash column is not the hash of the stored block's header")
            }
            if expected >= verifiedCount {
                // Past what was checked before: the hash chain must continue.
                guard expected == verifiedCount else {
                    throw .corrupt(height: expected, reason: "read past the verified blocks without the ones between")
                }
                if expected > 0, block.header.parentHash != tipHash {
                    throw .corrupt(height: expected, reason: "parent hash \(block.header.parentHash) is not the hash of block \(expected - 1) (\(tipHash))")
                }
                verifiedCount = expected + 1
                tipHash = block.hash
            }
            out.append(block)
            expected += 1
        }
        return out
    }

    private static func decode(_ bytes: ByteBuffer, height: UInt64) throws(ChainError) -> Block {
        let block: Block
        do { block = try Block(encoded: Array(bytes.readableBytesView)) } catch {
            throw .corrupt(height: height, reason: "the stored block does not decode: \(error)")
        }
        guard block.height == height else {
            throw .corrupt(height: height, reason: "the row for this height holds block \(block.height)")
        }
        return block
    }

    // MARK: - BlockStore

    /// The configuration in `dm_genesis`, or nil before the chain is initialised.
    public func genesis() throws(ChainError) -> GenesisConfig? {
        let rows = try connection.run("SELECT config FROM \(unescaped: location.table("dm_genesis")) WHERE id = 1", "reading the genesis configuration")
        guard let row = rows.first else { return nil }
        do {
            let bytes = try row.decode(ByteBuffer.self)
            return try JSONDecoder().decode(GenesisConfig.self, from: Data(bytes.readableBytesView))
        } catch {  // a column of another type, or JSON that is not a genesis
            throw .corrupt(height: 0, reason: "dm_genesis cannot be read: \(error)")
        }
    }

    /// Stores the genesis configuration and block 0 in one transaction; refuses a store that
    /// holds blocks.
    public func initialize(genesis: GenesisConfig, block: Block) throws(ChainError) {
        let config: [UInt8]
        do { config = try CanonicalJSON.encode(genesis) } catch { throw .storage("cannot encode genesis: \(error)") }
        try locked { () throws(ChainError) in
            try inTransaction("storing the genesis block") { () throws(ChainError) in
                // Two processes creating the same chain at once: the second waits, then finds it.
                try connection.run("SELECT pg_advisory_xact_lock(\(location.setupLockKey))", "locking the chain's creation")
                let rows = try connection.run("SELECT max(height) FROM \(unescaped: location.table("dm_blocks"))", "reading the tip")
                let tip: Int64? = rows.first.flatMap { row in (try? row.decode(Int64?.self)) ?? nil }
                if let tip { throw ChainError.alreadyInitialized(height: UInt64(max(tip, 0))) }
                try connection.run(
                    """
                    INSERT INTO \(unescaped: location.table("dm_genesis")) (id, config) VALUES (1, \(ByteBuffer(bytes: config)))
                    ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config
                    """, "storing the genesis configuration")
                try insert(block)
            }
            verifiedCount = 0
            tipHash = .zero
            try verifyNewBlocks()
        }
    }

    /// Runs `body` holding the chain's advisory lock, so no other process appends meanwhile.
    public func exclusively<T>(_ body: () throws -> T) throws -> T {
        mutex.lock()
        defer { mutex.unlock() }
        if depth == 0 {
            try connection.run("SELECT pg_advisory_lock(\(location.writerLockKey))", "taking the writers' lock")
        }
        depth += 1
        defer {
            depth -= 1
            if depth == 0 {
                // If this fails the connection is gone, and with it the session's lock.
                _ = try? connection.run("SELECT pg_advisory_unlock(\(location.writerLockKey))", "releasing the writers' lock")
            }
        }
        return try body()
    }

    /// Inserts `block` if it follows the stored tip, announcing it on the chain's channel, in
    /// one statement; returns once it is committed.
    public func append(_ block: Block) throws(ChainError) {
        try locked { () throws(ChainError) in
            try insert(block)
            // Our own append needs no re-read: it followed the verified tip if that was the tip.
            if block.height == verifiedCount, block.height == 0 || block.header.parentHash == tipHash {
                verifiedCount += 1
                tipHash = block.hash
            } else {
                try verifyNewBlocks()
            }
        }
    }

    /// The insertion itself; refusals are reported as the file store reports them.
    private func insert(_ block: Block) throws(ChainError) {
        guard block.height <= UInt64(Int64.max) else { throw .storage("block height \(block.height) does not fit PostgreSQL's bigint") }
        let blocks = location.table("dm_blocks")
        let height = Int64(block.height)
        let parent = ByteBuffer(bytes: block.header.parentHash.bytes)
        let query: PostgresQuery = """
            WITH tip AS (SELECT height, hash FROM \(unescaped: blocks) ORDER BY height DESC LIMIT 1),
            added AS (
                INSERT INTO \(unescaped: blocks) (height, hash, parent_hash, block)
                SELECT \(height), \(ByteBuffer(bytes: block.hash.bytes)), \(parent), \(ByteBuffer(bytes: block.encoded))
                WHERE (\(height) = 0 AND NOT EXISTS (SELECT 1 FROM tip))
                   OR EXISTS (SELECT 1 FROM tip WHERE tip.height + 1 = \(height) AND tip.hash = \(parent))
                RETURNING height)
            SELECT pg_notify(\(location.blocksChannel), height::text) FROM added
            """
        switch try connection.runReportingState(query, "appending block \(block.height)") {
        case .success(let rows) where rows.count == 1:
            return
        case .success:
            break
        case .failure(let refusal) where refusal.sqlState == "23505":
            break  // another writer took this height first
        case .failure(let refusal):
            throw .storage("PostgreSQL \(location): appending block \(block.height) failed: \(refusal.message)")
        }
        // Refused: say why, as the file store does.
        let rows = try connection.run(
            "SELECT height, hash FROM \(unescaped: blocks) ORDER BY height DESC LIMIT 1", "reading the tip after a refused append")
        guard let row = rows.first, let decoded = try? row.decode((Int64, ByteBuffer).self) else {
            throw .heightMismatch(expected: 0, found: block.height)
        }
        let (tip, hash) = decoded
        let expected = UInt64(max(tip, 0)) + 1
        guard block.height == expected else { throw .heightMismatch(expected: expected, found: block.height) }
        let tipHash = (try? Hash32(bytes: Array(hash.readableBytesView))) ?? .zero
        throw .parentMismatch(height: block.height, expected: tipHash, found: block.header.parentHash)
    }

    /// The stored blocks from `height` on, each checked.
    public func blocks(from height: UInt64) throws(ChainError) -> [Block] {
        try locked { () throws(ChainError) in try readBlocks(from: height) }
    }

    /// The block at `height`, or nil past the tip; reads that row only once it is verified.
    public func block(at height: UInt64) throws(ChainError) -> Block? {
        try locked { () throws(ChainError) -> Block? in
            if height >= verifiedCount { try verifyNewBlocks() }
            guard height < verifiedCount, height <= UInt64(Int64.max) else { return nil }
            let rows = try connection.run(
                "SELECT hash, block FROM \(unescaped: location.table("dm_blocks")) WHERE height = \(Int64(height))", "reading block \(height)")
            guard let row = rows.first else { throw .corrupt(height: height, reason: "the verified block is no longer in dm_blocks") }
            let decoded: (ByteBuffer, ByteBuffer)
            do { decoded = try row.decode((ByteBuffer, ByteBuffer).self) } catch {
                throw .corrupt(height: height, reason: "a dm_blocks row does not have the expected columns: \(BlockingConnection.describe(error))")
            }
            let (hash, bytes) = decoded
            let block = try Self.decode(bytes, height: height)
            guard Array(hash.readableBytesView) == block.hash.bytes else {
                throw .corrupt(height: height, reason: "the stored hash column is not the hash of the stored block's header")
            }
            return block
        }
    }

    /// The newest snapshot whose digest checks out; damaged ones are passed over and reported in ``warnings``.
    public func latestSnapshot() throws(ChainError) -> (height: UInt64, state: [UInt8])? {
        let rows = try connection.run(
            "SELECT height, digest, state FROM \(unescaped: location.table("dm_snapshots")) ORDER BY height DESC", "reading snapshots")
        for row in rows {
            guard let decoded = try? row.decode((Int64, ByteBuffer, ByteBuffer).self), decoded.0 >= 0 else { continue }
            let (height, digest, state) = decoded
            let bytes = Array(state.readableBytesView)
            if Keccak256.hash(bytes).bytes == Array(digest.readableBytesView) { return (UInt64(height), bytes) }
            mutex.withLock {
                warningLog.append("the snapshot at height \(height) is damaged (its digest does not match) and was ignored; state is rebuilt from the blocks instead")
            }
        }
        return nil
    }

    /// Stores the snapshot at `height` and keeps only the newest two.
    public func saveSnapshot(height: UInt64, state: [UInt8]) throws(ChainError) {
        guard height <= UInt64(Int64.max) else { throw .storage("snapshot height \(height) does not fit PostgreSQL's bigint") }
        let table = location.table("dm_snapshots")
        try connection.run(
            """
            INSERT INTO \(unescaped: table) (height, digest, state) VALUES (\(Int64(height)), \(ByteBuffer(bytes: Keccak256.hash(state).bytes)), \(ByteBuffer(bytes: state)))
            ON CONFLICT (height) DO UPDATE SET digest = EXCLUDED.digest, state = EXCLUDED.state
            """, "saving the snapshot at \(height)")
        try connection.run(
            """
            DELETE FROM \(unescaped: table) WHERE height NOT IN (SELECT height FROM \(unescaped: table) ORDER BY height DESC LIMIT \(Self.keptSnapshots))
            """, "dropping old snapshots")
    }

    // MARK: - Locking

    private func locked<T>(_ body: () throws(ChainError) -> T) throws(ChainError) -> T {
        mutex.lock()
        defer { mutex.unlock() }
        return try body()
    }
}
