import Foundation

/// The PostgreSQL server tests may use: `DATAMARKET_POSTGRES_URL` names it
/// (`scripts/postgres.sh start` prints one). Without it PostgreSQL cases are left out with a
/// printed reason, unless `DATAMARKET_REQUIRE_POSTGRES=1` (as CI sets), when they run and fail.
public enum PostgresTestServer {
    /// The server's URL, or nil when none is given.
    public static let url: String? = ProcessInfo.processInfo.environment["DATAMARKET_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// Whether the PostgreSQL cases must run (and fail without a server).
    public static let isRequired = ProcessInfo.processInfo.environment["DATAMARKET_REQUIRE_POSTGRES"] == "1"

    /// Whether PostgreSQL cases run: a server is named, or one is required. When they are left
    /// out, the reason is printed once.
    public static let isEnabled: Bool = {
        if url == nil, !isRequired {
            print("note: PostgreSQL tests skipped: DATAMARKET_POSTGRES_URL is not set (start one with scripts/postgres.sh start)")
            return false
        }
        return true
    }()

    /// The server's URL with a new schema as its `schema` query item, as `dmctl --store` takes it.
    public static func freshStoreURL() throws -> String {
        let (url, schema) = try freshSchema()
        return url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

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
