import LedgerCore
import MarketKit

/// The datatrust's index and bookkeeping: datapoint metadata, login nonces, hashed bearer
/// tokens, epsilon budgets, consumed jobs and usage records. The default implementation is
/// ``SQLiteStore`` (GRDB); a PostgreSQL implementation can conform without touching the rest.
///
/// Every method is atomic on its own; ``charge(_:buyer:now:)`` applies all its charges or none.
public protocol DatatrustStore: Sendable {
    // MARK: Datapoints
    /// Indexes a new datapoint. - Throws: ``StoreError/duplicate(market:dataHash:)``.
    func insert(_ record: DatapointRecord) throws(StoreError)
    /// The record of `dataHash` in `market`, removed or not.
    func datapoint(market: MarketID, dataHash: Hash32) throws(StoreError) -> DatapointRecord?
    /// The held (not removed) datapoints of `market`, by dataHash ascending.
    func datapoints(market: MarketID) throws(StoreError) -> [DatapointRecord]
    /// Marks a datapoint removed at `time`. - Throws: ``StoreError/notFound(market:dataHash:)``.
    func markRemoved(market: MarketID, dataHash: Hash32, at time: Int64) throws(StoreError)
    /// Deletes a record outright (used to undo an add whose on-chain attestation failed).
    func delete(market: MarketID, dataHash: Hash32) throws(StoreError)
    /// Rows held in `market` (removed datapoints excluded).
    func rowCount(market: MarketID) throws(StoreError) -> Int

    // MARK: Authentication
    /// Saves a login nonce valid until `expires`.
    func saveNonce(_ nonce: [UInt8], expires: Int64) throws(StoreError)
    /// Deletes the nonce (single use) and returns the expiry it was saved with, or nil if unknown.
    func consumeNonce(_ nonce: [UInt8]) throws(StoreError) -> Int64?
    /// Saves the hash of a bearer token for `address`, valid until `expires`.
    func saveToken(hash: Hash32, address: Address, expires: Int64) throws(StoreError)
    /// The address holding the token with this hash, if it exists and has not expired at `now`.
    func tokenOwner(hash: Hash32, now: Int64) throws(StoreError) -> Address?
    /// Deletes expired nonces and tokens.
    func purgeExpired(now: Int64) throws(StoreError)

    // MARK: Charging queries
    /// Milli-epsilon `address` has spent in `market`.
    func epsilonSpent(by address: Address, market: MarketID) throws(StoreError) -> UInt64
    /// In one transaction: marks each charge's job used and adds its epsilon to the caller's
    /// spend, refusing everything if a job was used before or a budget would be exceeded.
    func charge(_ charges: [QueryCharge], buyer: Address, now: Int64) throws(StoreError)
    /// Undoes a ``charge(_:buyer:now:)`` whose query then failed.
    func refund(_ charges: [QueryCharge], buyer: Address) throws(StoreError)
    /// Whether `job` of `market` was consumed.
    func isJobUsed(market: MarketID, job: UInt64) throws(StoreError) -> Bool

    // MARK: Usage
    /// Records usage; returns the record with its id.
    func recordUsage(_ record: UsageRecord) throws(StoreError) -> UsageRecord
    /// Notes the transaction that reported usage `id` on chain.
    func markUsageReported(id: Int64, transaction: String) throws(StoreError)
    /// Usage not yet reported, oldest first.
    func pendingUsage() throws(StoreError) -> [UsageRecord]
}
