import Foundation

/// The PostgreSQL server tests may use: `DATAMARKET_POSTGRES_URL` names it
/// (`scripts/postgres.sh start` prints one). Without it PostgreSQL cases are left out with a
/// printed reason, unless `DATAMARKET_REQUIRE_POSTGRES=1` (as CI sets), when they run and fail.
public enum PostgresTestServer {
    /// The server's URL, or nil when none is given.
    public static let url: String? = ProcessInfo.processInfo.environment["DATAMARKET_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// Whether the PostgreSQL cases must run (and fail without a server).
    public static let isRequired = ProcessInfo.processInfo.environment["DATAMARKET_REQUIRE_POSTGRES"] == "1"

    /// Thrown when PostgreSQL is required but no server is named.
    public struct Missing: Error, CustomStringConvertible {
        /// A missing-server error.
        public init() {}
        /// What is wrong and what was expected.
        public var description: String {
            "DATAMARKET_REQUIRE_POSTGRES=1 but DATAMARKET_POSTGRES_URL is not set; expected the URL scripts/postgres.sh start prints"
        }
    }

    /// The server's URL and a new schema name (`t_` and 24 hex digits), so each test keeps its
    /// tables apart.
    public static func freshSchema() throws -> (url: String, schema: String) {
        guard let url else { throw Missing() }
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(24)
        return (url, "t_\(suffix)")
    }
}
