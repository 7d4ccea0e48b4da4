public import LedgerCore
public import MarketKit

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
    /// Largest datapoint accepted, bytes (4 GiB by default). A streamed ADD that declares its
    /// dataHash may be this large whatever ``DatatrustConfiguration/maxBodyBytes`` says.
    public var maxDatapointBytes: Int64

    /// The default ``maxDatapointBytes``: 4 GiB.
    public static let defaultMaxDatapointBytes: Int64 = 4 << 30

    /// A market configuration.
    public init(market: MarketID, schema: MarketSchema, allowRawSQL: Bool = false, epsilonBudget: String = "10",
                baseCost: UInt256 = 0, costPerRow: UInt256 = 0, maxDatapointBytes: Int64 = MarketConfiguration.defaultMaxDatapointBytes) {
        self.market = market
        self.schema = schema
        self.allowRawSQL = allowRawSQL
        self.epsilonBudget = epsilonBudget
        self.baseCost = baseCost
        self.costPerRow = costPerRow
        self.maxDatapointBytes = maxDatapointBytes
    }

    private enum CodingKeys: String, CodingKey { case market, schema, allowRawSQL, epsilonBudget, baseCost, costPerRow, maxDatapointBytes }

    /// Decodes a market's settings; `market` and `schema` are required, every other key takes its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(market: try c.decode(MarketID.self, forKey: .market), schema: try c.decode(MarketSchema.self, forKey: .schema),
                  allowRawSQL: try c.decodeIfPresent(Bool.self, forKey: .allowRawSQL) ?? false,
                  epsilonBudget: try c.decodeIfPresent(String.self, forKey: .epsilonBudget) ?? "10",
                  baseCost: try c.decodeIfPresent(UInt256.self, forKey: .baseCost) ?? 0,
                  costPerRow: try c.decodeIfPresent(UInt256.self, forKey: .costPerRow) ?? 0,
                  maxDatapointBytes: try c.decodeIfPresent(Int64.self, forKey: .maxDatapointBytes) ?? Self.defaultMaxDatapointBytes)
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
    /// Seconds between passes of the outbox service over due entries.
    public var outboxInterval: Int64
    /// Longest wait, seconds, between retries of a failing outbox entry (the back-off doubles up to it).
    public var outboxMaxBackoff: Int64
    /// Seconds between housekeeping runs (purging expired logins, sweeping the vault).
    public var housekeepingInterval: Int64
    /// Age, seconds, after which an unindexed vault object or a `.part` file counts as left
    /// over from a failed write and is removed (younger ones may belong to an add in flight).
    public var orphanGracePeriod: Int64

    /// A configuration.
    public init(name: String, address: Address? = nil, markets: [MarketConfiguration], nonceLifetime: Int64 = 300, tokenLifetime: Int64 = 900,
                limits: QueryLimits = QueryLimits(), maxBodyBytes: Int = 16 << 20, rateLimitRequests: Int = 600, rateLimitWindow: Int64 = 60,
                outboxInterval: Int64 = 5, outboxMaxBackoff: Int64 = 300, housekeepingInterval: Int64 = 300, orphanGracePeriod: Int64 = 3600) {
        self.name = name
        self.address = address
        self.markets = markets
        self.nonceLifetime = nonceLifetime
        self.tokenLifetime = tokenLifetime
        self.limits = limits
        self.maxBodyBytes = maxBodyBytes
        self.rateLimitRequests = rateLimitRequests
        self.rateLimitWindow = rateLimitWindow
        self.outboxInterval = outboxInterval
        self.outboxMaxBackoff = outboxMaxBackoff
        self.housekeepingInterval = housekeepingInterval
        self.orphanGracePeriod = orphanGracePeriod
    }

    private enum CodingKeys: String, CodingKey {
        case name, address, markets, nonceLifetime, tokenLifetime, limits, maxBodyBytes, rateLimitRequests, rateLimitWindow
        case outboxInterval, outboxMaxBackoff, housekeepingInterval, orphanGracePeriod
    }

    /// Decodes settings; `name` and `markets` are required, every other key takes the default
    /// of ``init(name:address:markets:nonceLifetime:tokenLifetime:limits:maxBodyBytes:rateLimitRequests:rateLimitWindow:outboxInterval:outboxMaxBackoff:housekeepingInterval:orphanGracePeriod:)``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DatatrustConfiguration(name: "", markets: [])
        self.init(name: try c.decode(String.self, forKey: .name), address: try c.decodeIfPresent(Address.self, forKey: .address),
                  markets: try c.decode([MarketConfiguration].self, forKey: .markets),
                  nonceLifetime: try c.decodeIfPresent(Int64.self, forKey: .nonceLifetime) ?? d.nonceLifetime,
                  tokenLifetime: try c.decodeIfPresent(Int64.self, forKey: .tokenLifetime) ?? d.tokenLifetime,
                  limits: try c.decodeIfPresent(QueryLimits.self, forKey: .limits) ?? d.limits,
                  maxBodyBytes: try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? d.maxBodyBytes,
                  rateLimitRequests: try c.decodeIfPresent(Int.self, forKey: .rateLimitRequests) ?? d.rateLimitRequests,
                  rateLimitWindow: try c.decodeIfPresent(Int64.self, forKey: .rateLimitWindow) ?? d.rateLimitWindow,
                  outboxInterval: try c.decodeIfPresent(Int64.self, forKey: .outboxInterval) ?? d.outboxInterval,
                  outboxMaxBackoff: try c.decodeIfPresent(Int64.self, forKey: .outboxMaxBackoff) ?? d.outboxMaxBackoff,
                  housekeepingInterval: try c.decodeIfPresent(Int64.self, forKey: .housekeepingInterval) ?? d.housekeepingInterval,
                  orphanGracePeriod: try c.decodeIfPresent(Int64.self, forKey: .orphanGracePeriod) ?? d.orphanGracePeriod)
    }

    /// The configuration of `market`.
    public func market(_ market: MarketID) -> MarketConfiguration? { markets.first { $0.market == market } }
}
