// The block-store backends the parameterised store suites run against, and the PostgreSQL
// they need: DATAMARKET_POSTGRES_URL names a server (scripts/postgres.sh start prints one);
// without it the PostgreSQL cases are left out with a printed reason, unless
// DATAMARKET_REQUIRE_POSTGRES=1 (as .ci/run sets), when they run and fail.

import DataMarketTesting
import Foundation
import Testing
import LedgerCore
import LedgerPostgres

/// One kind of block store.
enum StoreBackend: String, Sendable, CustomTestStringConvertible {
    case memory, file, postgres

    var testDescription: String { rawValue }

    /// The backends to test: all three, or memory and file only when no PostgreSQL is given.
    static let all: [StoreBackend] = {
        if TestPostgres.url == nil, !TestPostgres.isRequired {
            print("note: PostgreSQL block-store cases skipped: DATAMARKET_POSTGRES_URL is not set (start one with scripts/postgres.sh start)")
            return [.memory, .file]
        }
        return [.memory, .file, .postgres]
    }()
}

/// The PostgreSQL server the tests use (``PostgresTestServer``), each test in a schema of its own.
enum TestPostgres {
    static var url: String? { PostgresTestServer.url }
    static var isRequired: Bool { PostgresTestServer.isRequired }

    /// Whether PostgreSQL-only suites run (see ``StoreBackend/all``).
    static var isEnabled: Bool { StoreBackend.all.contains(.postgres) }

    typealias Missing = PostgresTestServer.Missing

    /// A new, empty schema on the test server.
    static func freshLocation() throws -> PostgresLocation {
        let (url, schema) = try PostgresTestServer.freshSchema()
        return try PostgresLocation(url: url).with(schema: schema)
    }
}

/// Where one test keeps its chain: opens as many handles onto that one chain as it asks for.
final class StorePlace: @unchecked Sendable {
    // @unchecked: every property is immutable after init; the stores are Sendable.
    let backend: StoreBackend
    private let memory = InMemoryBlockStore()
    private let folder = temporaryFolder("store-place")
    private let location: PostgresLocation?

    init(_ backend: StoreBackend) throws {
        self.backend = backend
        location = backend == .postgres ? try TestPostgres.freshLocation() : nil
    }

    /// A handle onto this place's chain (a new one each time, except in memory, where the one
    /// store is the chain).
    func open() throws -> any BlockStore {
        switch backend {
        case .memory: return memory
        case .file: return try FileBlockStore(folder: folder)
        case .postgres: return try PostgresBlockStore(location: try postgresLocation())
        }
    }

    func postgresLocation() throws -> PostgresLocation {
        guard let location else { throw TestPostgres.Missing() }
        return location
    }

    /// Removes what the test stored (the folder, or the schema).
    func remove() {
        try? FileManager.default.removeItem(at: folder)
        if let location { try? PostgresBlockStore.dropSchema(at: location) }
    }
}
