public import LedgerCore
public import MarketKit

/// The index entry of one stored datapoint.
public struct DatapointRecord: Sendable, Equatable, Codable {
    /// The market the datapoint belongs to.
    public var market: MarketID
    /// Keccak-256 of the datapoint's bytes.
    public var dataHash: Hash32
    /// The listing owner who added it.
    public var owner: Address
    /// Plaintext bytes.
    public var size: Int64
    /// Rows it holds under the market's schema.
    public var rowCount: Int
    /// Unix seconds when it was added.
    public var created: Int64
    /// Unix seconds when it was removed, or `nil` while it is held.
    public var removed: Int64?

    /// A record.
    public init(market: MarketID, dataHash: Hash32, owner: Address, size: Int64, rowCount: Int, created: Int64, removed: Int64? = nil) {
        self.market = market
        self.dataHash = dataHash
        self.owner = owner
        self.size = size
        self.rowCount = rowCount
        self.created = created
        self.removed = removed
    }
}

/// What a query (or a paid fetch) charges once it has run: the job it consumes, the epsilon it
/// spends and the listings it read, per market. Charging queues the usage report of those listings.
public struct QueryCharge: Sendable, Equatable {
    /// The market.
    public var market: MarketID
    /// The paid job consumed.
    public var job: UInt64
    /// Milli-epsilon charged to the caller's budget in this market (0 for none).
    public var milliEpsilon: UInt64
    /// The caller's total budget in this market, in milli-epsilon.
    public var budgetMilliEpsilon: UInt64
    /// The ids on chain of the listings whose rows were read (listed and covered by the job, ascending): the usage to report, so each owner is paid.
    public var listings: [Hash32]

    /// A charge.
    public init(market: MarketID, job: UInt64, milliEpsilon: UInt64, budgetMilliEpsilon: UInt64, listings: [Hash32] = []) {
        self.market = market
        self.job = job
        self.milliEpsilon = milliEpsilon
        self.budgetMilliEpsilon = budgetMilliEpsilon
        self.listings = listings
    }
}

/// Why the store refused or failed.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The database could not be opened, read or written.
    case database(String)
    /// A datapoint with this market and dataHash is already indexed.
    case duplicate(market: MarketID, dataHash: Hash32)
    /// No datapoint with this market and dataHash is indexed.
    case notFound(market: MarketID, dataHash: Hash32)
    /// The paid job was already consumed by an earlier query.
    case jobAlreadyUsed(market: MarketID, job: UInt64)
    /// The epsilon budget would be exceeded.
    case budgetExhausted(market: MarketID, spentMilli: UInt64, requestedMilli: UInt64, budgetMilli: UInt64)

    /// What was wrong and what was expected.
    public var description: String {
        switch self {
        case .database(let detail):
            return "datatrust index: \(detail)"
        case .duplicate(let market, let hash):
            return "dataHash: \(hash.hex) is already stored in market \(market); expected a datapoint not added before"
        case .notFound(let market, let hash):
            return "dataHash: \(hash.hex) is not stored in market \(market)"
        case .jobAlreadyUsed(let market, let job):
            return "job: \(job) in market \(market) was already used by an earlier query; expected a paid, unused job"
        case .budgetExhausted(let market, let spent, let requested, let budget):
            return "epsilon: budget in market \(market) is \(Epsilon.format(milli: budget)), \(Epsilon.format(milli: spent)) spent, this query needs \(Epsilon.format(milli: requested))"
        }
    }
}
