public import LedgerCore
public import MarketKit

/// A differentially private aggregate over one market's rows.
///
/// Each row is clamped into `[lower, upper]` (defaults: the column's schema bounds) and put on
/// a fixed-point grid of `10^-decimals`. Sensitivities, for adding or removing one row:
/// COUNT 1; SUM `max(|lower|, |upper|)` grid units; MEAN is a noisy SUM and a noisy COUNT with
/// half the epsilon each; HISTOGRAM 1 per row (each row falls in one bin; parallel composition).
public struct AggregateQuery: Sendable, Hashable, Codable {
    /// The aggregate.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Number of matching rows.
        case count
        /// Sum of the clamped column.
        case sum
        /// Mean of the clamped column.
        case mean
        /// Counts per label (label/boolean columns) or per half-open bin `[edges[i], edges[i+1])`.
        case histogram
    }

    /// A row filter `column op value`; filters are ANDed. Structured (not SQL) so a query can
    /// never duplicate a row and defeat the sensitivity bound.
    public struct Filter: Sendable, Hashable, Codable {
        /// The column.
        public var column: String
        /// One of `=`, `!=`, `<`, `<=`, `>`, `>=`.
        public var op: String
        /// The value compared with.
        public var value: SQLValue
        /// A filter.
        public init(column: String, op: String, value: SQLValue) {
            self.column = column
            self.op = op
            self.value = value
        }
    }

    /// The aggregate.
    public var kind: Kind
    /// The column (all kinds except `count`).
    public var column: String?
    /// Clamping lower bound (defaults to the schema's `min`).
    public var lower: Double?
    /// Clamping upper bound (defaults to the schema's `max`).
    public var upper: Double?
    /// Fractional decimal digits of the fixed-point grid (0…6; default 0 for integer columns, 2 for real).
    public var decimals: Int?
    /// Histogram edges for numeric columns, ascending; rows outside are dropped.
    public var edges: [Double]?
    /// Row filters.
    public var filters: [Filter]?
    /// The privacy loss, as a decimal string ("0.5").
    public var epsilon: String

    /// An aggregate query.
    public init(kind: Kind, column: String? = nil, lower: Double? = nil, upper: Double? = nil, decimals: Int? = nil,
                edges: [Double]? = nil, filters: [Filter]? = nil, epsilon: String) {
        self.kind = kind
        self.column = column
        self.lower = lower
        self.upper = upper
        self.decimals = decimals
        self.edges = edges
        self.filters = filters
        self.epsilon = epsilon
    }
}

/// The body of RUN_QUERY, GET_COMPUTE_COST and GET_EPSILON: exactly one of `sql` and `aggregate`.
public struct QueryRequest: Sendable, Hashable, Codable {
    /// The markets whose tables the query reads (an aggregate reads exactly one).
    public var markets: [MarketID]
    /// A single read-only SELECT over the market tables (only in markets that allow raw SQL).
    public var sql: String?
    /// A differentially private aggregate.
    public var aggregate: AggregateQuery?
    /// For RUN_QUERY: the paid job to consume in each market, by market name.
    public var jobs: [String: UInt64]?

    /// A request.
    public init(markets: [MarketID], sql: String? = nil, aggregate: AggregateQuery? = nil, jobs: [String: UInt64]? = nil) {
        self.markets = markets
        self.sql = sql
        self.aggregate = aggregate
        self.jobs = jobs
    }
}

/// The privacy facts of a differentially private answer.
public struct PrivacyReport: Sendable, Hashable, Codable {
    /// The mechanism.
    public var mechanism: String
    /// Epsilon spent, decimal.
    public var epsilon: String
    /// L1 sensitivity, in real units, decimal.
    public var sensitivity: String
    /// Noise scale (sensitivity / epsilon) in grid units, as a fraction "n/d".
    public var scale: String
    /// The clamping bounds used, if any.
    public var bounds: [Double]?
}

/// The answer of RUN_QUERY.
public struct QueryResult: Sendable, Hashable, Codable {
    /// Result column names.
    public var columns: [String]
    /// Result rows.
    public var rows: [[SQLValue]]
    /// For an aggregate: how its noise was made.
    public var privacy: PrivacyReport?
    /// Per market: the listings whose rows were read (reported as usage).
    public var listingsRead: [String: [Hash32]]
    /// Per market: the usage report's transaction hash, or nil if it is queued for retry.
    public var usageReports: [String: String]
}

/// The answer of GET_COMPUTE_COST.
public struct CostQuote: Sendable, Hashable, Codable {
    /// One market's share.
    public struct Item: Sendable, Hashable, Codable {
        /// The market.
        public var market: MarketID
        /// Rows the query would load.
        public var rows: Int
        /// Compute part (base + per-row), smallest units.
        public var compute: UInt256
        /// Privacy part (milli-epsilon × the market's privacy price).
        public var privacy: UInt256
        /// compute + privacy: what the job in this market must have paid at least.
        public var total: UInt256
    }
    /// Per market.
    public var items: [Item]
    /// Sum over markets.
    public var total: UInt256
    /// Epsilon the query spends (decimal; "0" for none... raw SQL has no epsilon and is quoted without a privacy part).
    public var epsilon: String?
}

/// The answer of GET_EPSILON.
public struct EpsilonQuote: Sendable, Hashable, Codable {
    /// Epsilon the query spends, decimal.
    public var epsilon: String
    /// The same in milli-epsilon.
    public var milliEpsilon: UInt64
    /// Per market: the caller's remaining budget (decimal), when the caller is known.
    public var remaining: [String: String]?
}
