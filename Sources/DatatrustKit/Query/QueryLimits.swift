/// Bounds on one query in the sandbox.
public struct QueryLimits: Sendable, Equatable, Codable {
    /// Most result rows returned; a query producing more is refused (add a LIMIT).
    public var maxResultRows: Int
    /// Most rows loaded into the sandbox across the markets of one query.
    public var maxLoadedRows: Int
    /// Wall-clock budget for running the statement, in milliseconds.
    public var maxMilliseconds: Int
    /// Longest accepted SQL text, in bytes.
    public var maxSQLBytes: Int

    /// Limits.
    public init(maxResultRows: Int = 10_000, maxLoadedRows: Int = 1_000_000, maxMilliseconds: Int = 5_000, maxSQLBytes: Int = 20_000) {
        self.maxResultRows = maxResultRows
        self.maxLoadedRows = maxLoadedRows
        self.maxMilliseconds = maxMilliseconds
        self.maxSQLBytes = maxSQLBytes
    }
}
