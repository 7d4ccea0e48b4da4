public import LedgerCore
public import MarketKit

/// The datatrust's index and bookkeeping: datapoint metadata, login nonces, hashed bearer
/// tokens, epsilon budgets, consumed jobs and the outbox of transactions owed to the chain. The default implementation is
/// ``SQLiteStore`` (GRDB); `PostgresDatatrustStore` (target DatatrustPostgres) keeps the same
/// tables in PostgreSQL so that several datatrust servers can share one market.
///
/// The methods are `async` so that a store on a network database (postgres-nio) never parks a
/// thread of Swift's cooperative pool while it waits; SQLite's runs its work on GRDB's own queues.
///
/// Every method is atomic on its own; ``charge(_:buyer:now:)`` applies all its charges or none.
/// A fact and the transaction that reports it are written in one commit: ``insert(_:)`` queues
/// the datapoint's attestation, ``charge(_:buyer:now:)`` queues each job's usage report.
public protocol DatatrustStore: Sendable {
    // MARK: Datapoints
    /// Indexes a new datapoint and queues its attestation in the same commit; returns the outbox entry.
    /// - Throws: ``StoreError/duplicate(market:dataHash:)``.
    @discardableResult
    func insert(_ record: DatapointRecord) async throws(StoreError) -> OutboxEntry
    /// The record of `dataHash` in `market`, removed or not.
    func datapoint(market: MarketID, dataHash: Hash32) async throws(StoreError) -> DatapointRecord?
    /// The held (not removed) datapoints of `market`, by dataHash ascending.
    func datapoints(market: MarketID) async throws(StoreError) -> [DatapointRecord]
    /// Marks a datapoint removed at `time`. - Throws: ``StoreError/notFound(market:dataHash:)``.
    func markRemoved(market: MarketID, dataHash: Hash32, at time: Int64) async throws(StoreError)
    /// The dataHashes held (not removed) in any market: the vault objects that must stay.
    func heldHashes() async throws(StoreError) -> Set<Hash32>
    /// Whether any market holds `dataHash` (not removed): its vault object must stay.
    func isHeld(dataHash: Hash32) async throws(StoreError) -> Bool
    /// Rows held in `market` (removed datapoints excluded).
    func rowCount(market: MarketID) async throws(StoreError) -> Int

    // MARK: Authentication
    /// Saves a login nonce valid until `expires`.
    func saveNonce(_ nonce: [UInt8], expires: Int64) async throws(StoreError)
    /// Deletes the nonce (single use) and returns the expiry it was saved with, or nil if unknown.
    func consumeNonce(_ nonce: [UInt8]) async throws(StoreError) -> Int64?
    /// Saves the hash of a bearer token for `address`, valid until `expires`.
    func saveToken(hash: Hash32, address: Address, expires: Int64) async throws(StoreError)
    /// The address holding the token with this hash, if it exists and has not expired at `now`.
    func tokenOwner(hash: Hash32, now: Int64) async throws(StoreError) -> Address?
    /// Deletes nonces and tokens expired at `now`; returns how many rows went.
    @discardableResult
    func purgeExpired(now: Int64) async throws(StoreError) -> Int

    // MARK: Charging queries
    /// Milli-epsilon `address` has spent in `market`.
    func epsilonSpent(by address: Address, market: MarketID) async throws(StoreError) -> UInt64
    /// In one transaction: marks each charge's job used, adds its epsilon to the caller's spend
    /// and queues its usage report, refusing everything if a job was used before or a budget
    /// would be exceeded. Returns the queued reports, in the order of `charges`.
    @discardableResult
    func charge(_ charges: [QueryCharge], buyer: Address, now: Int64) async throws(StoreError) -> [OutboxEntry]
    /// Whether `job` of `market` was consumed.
    func isJobUsed(market: MarketID, job: UInt64) async throws(StoreError) -> Bool

    // MARK: Outbox
    /// The entry `id`, settled or not.
    func outboxEntry(id: Int64) async throws(StoreError) -> OutboxEntry?
    /// The attestation entry of a datapoint, settled or not.
    func attestationEntry(market: MarketID, dataHash: Hash32) async throws(StoreError) -> OutboxEntry?
    /// Entries still owed, oldest first: all of them, or only those due at `dueAt` when given.
    func pendingOutbox(dueAt: Int64?) async throws(StoreError) -> [OutboxEntry]
    /// Claims entry `id` for one submission: returns it when it is pending and nobody holds an
    /// unexpired claim on it, and marks it claimed until `now + lease`; nil when it is settled,
    /// unknown, or claimed by another submitter (another datatrust process on the same store).
    /// Settling or postponing the entry ends the claim; a submitter that dies leaves it to expire.
    /// With `overriding`, another's unexpired claim is taken over too (only when no other
    /// submitter can be running, e.g. `dmctl datatrust housekeep` with every server stopped).
    func claimOutbox(id: Int64, now: Int64, lease: Int64, overriding: Bool) async throws(StoreError) -> OutboxEntry?
    /// Settles entry `id` at `time`: included in `transaction`, or (nil) found already done on chain.
    func settleOutbox(id: Int64, transaction: String?, at time: Int64) async throws(StoreError)
    /// Counts a failed submission of entry `id` and postpones it until `notBefore`.
    func postponeOutbox(id: Int64, error: String, notBefore: Int64) async throws(StoreError)
}
