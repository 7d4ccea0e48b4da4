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

    private enum CodingKeys: String, CodingKey { case maxResultRows, maxLoadedRows, maxMilliseconds, maxSQLBytes }

    /// Decodes limits; a key left out takes its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = QueryLimits()
        self.init(maxResultRows: try c.decodeIfPresent(Int.self, forKey: .maxResultRows) ?? d.maxResultRows,
                  maxLoadedRows: try c.decodeIfPresent(Int.self, forKey: .maxLoadedRows) ?? d.maxLoadedRows,
                  maxMilliseconds: try c.decodeIfPresent(Int.self, forKey: .maxMilliseconds) ?? d.maxMilliseconds,
                  maxSQLBytes: try c.decodeIfPresent(Int.self, forKey: .maxSQLBytes) ?? d.maxSQLBytes)
    }
}
