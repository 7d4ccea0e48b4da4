import LedgerCore
import MarketKit

/// How one market is served.
public struct MarketConfiguration: Sendable, Equatable, Codable {
    /// The market.
    public var market: MarketID
    /// Its schema.
    public var schema: MarketSchema
    /// Whether raw SQL queries are allowed (they reveal rows; otherwise only DP aggregates).
    public var allowRawSQL: Bool
    /// Each user's epsilon budget in this market, decimal ("10").
    public var epsilonBudget: String
    /// Fixed compute cost of a query or fetch, in the payment token's smallest unit.
    public var baseCost: UInt256
    /// Compute cost per row loaded.
    public var costPerRow: UInt256

    /// A market configuration.
    public init(market: MarketID, schema: MarketSchema, allowRawSQL: Bool = false, epsilonBudget: String = "10",
                baseCost: UInt256 = 0, costPerRow: UInt256 = 0) {
        self.market = market
        self.schema = schema
        self.allowRawSQL = allowRawSQL
        self.epsilonBudget = epsilonBudget
        self.baseCost = baseCost
        self.costPerRow = costPerRow
    }
}

/// The datatrust's settings.
public struct DatatrustConfiguration: Sendable, Equatable, Codable {
    /// The datatrust's name in login messages (`datatrust: <name>`); by convention its address.
    public var name: String
    /// The datatrust's own on-chain address, when known (reported in MARKETS_SUPPORTED).
    public var address: Address?
    /// The markets served.
    public var markets: [MarketConfiguration]
    /// Seconds a login nonce stays valid.
    public var nonceLifetime: Int64
    /// Seconds a bearer token stays valid.
    public var tokenLifetime: Int64
    /// Query limits.
    public var limits: QueryLimits
    /// Largest accepted request body, bytes (larger: 413).
    public var maxBodyBytes: Int
    /// Requests allowed per token (or per client address before login) in each window.
    public var rateLimitRequests: Int
    /// The rate-limit window, seconds.
    public var rateLimitWindow: Int64

    /// A configuration.
    public init(name: String, address: Address? = nil, markets: [MarketConfiguration], nonceLifetime: Int64 = 300, tokenLifetime: Int64 = 900,
                limits: QueryLimits = QueryLimits(), maxBodyBytes: Int = 16 << 20, rateLimitRequests: Int = 600, rateLimitWindow: Int64 = 60) {
        self.name = name
        self.address = address
        self.markets = markets
        self.nonceLifetime = nonceLifetime
        self.tokenLifetime = tokenLifetime
        self.limits = limits
        self.maxBodyBytes = maxBodyBytes
        self.rateLimitRequests = rateLimitRequests
        self.rateLimitWindow = rateLimitWindow
    }

    /// The configuration of `market`.
    public func market(_ market: MarketID) -> MarketConfiguration? { markets.first { $0.market == market } }
}
