// The datatrust-index backends the store suite runs against, and the PostgreSQL they need:
// DATAMARKET_POSTGRES_URL names a server (scripts/postgres.sh start prints one); without it
// the PostgreSQL cases are left out with a printed reason, unless DATAMARKET_REQUIRE_POSTGRES=1
// (as .ci/run sets), when they run and fail.

import DataMarketTesting
import DatatrustKit
import DatatrustPostgres
import Foundation
import LedgerPostgres

/// One kind of datatrust index.
enum IndexBackend: String, Sendable, CustomStringConvertible {
    case sqlite, postgres

    var description: String { rawValue }

    /// The backends to test: both, or SQLite only when no PostgreSQL is given.
    static let all: [IndexBackend] = {
        if IndexPostgres.url == nil, !IndexPostgres.isRequired {
            print("note: PostgreSQL datatrust-index cases skipped: DATAMARKET_POSTGRES_URL is not set (start one with scripts/postgres.sh start)")
            return [.sqlite]
        }
        return [.sqlite, .postgres]
    }()
}

/// The PostgreSQL server the tests use (``PostgresTestServer``), each test in a schema of its own.
enum IndexPostgres {
    static var url: String? { PostgresTestServer.url }
    static var isRequired: Bool { PostgresTestServer.isRequired }

    typealias Missing = PostgresTestServer.Missing

    /// A new, empty schema on the test server.
    static func freshLocation() throws -> PostgresLocation {
        let (url, schema) = try PostgresTestServer.freshSchema()
        return try PostgresLocation(url: url).with(schema: schema)
    }
}

/// Where one test keeps its index: opens as many handles onto that one index as it asks for
/// (several handles stand for several datatrust processes sharing it).
final class IndexPlace: Sendable {
    let backend: IndexBackend
    private let folder = TempFolder()
    private let location: PostgresLocation?

    init(_ backend: IndexBackend) throws {
        self.backend = backend
        location = backend == .postgres ? try IndexPostgres.freshLocation() : nil
    }

    /// A new handle onto this place's index.
    func open() async throws -> any DatatrustStore {
        switch backend {
        case .sqlite: return try SQLiteStore(path: folder.url.appendingPathComponent("index.sqlite").path)
        case .postgres:
            guard let location else { throw IndexPostgres.Missing() }
            return try await PostgresDatatrustStore(location: location)
        }
    }

    /// Removes what the test stored (the folder, or the schema).
    func remove() {
        folder.cleanup()
        if let location { try? PostgresBlockStore.dropSchema(at: location) }
    }
}
