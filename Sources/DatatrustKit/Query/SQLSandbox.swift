import Dispatch
import Foundation
import GRDB
internal import GRDBSQLite
package import LedgerCore
package import MarketKit

/// The rows of one market, as loaded from the vault for a query.
package struct MarketTable: Sendable {
    /// The market (and table name).
    package var market: MarketID
    /// Its schema.
    package var schema: MarketSchema
    /// The datapoints whose rows are loaded, in the order of `listing` indexes below.
    package var listings: [Hash32]
    /// Each row with the index into `listings` of the datapoint it came from.
    package var rows: [(listing: Int, values: [SQLValue])]

    /// A table.
    package init(market: MarketID, schema: MarketSchema, listings: [Hash32], rows: [(listing: Int, values: [SQLValue])]) {
        self.market = market
        self.schema = schema
        self.listings = listings
        self.rows = rows
    }
}

/// The outcome of one sandboxed statement.
package struct SandboxResult: Sendable, Equatable {
    /// Result column names.
    package var columns: [String]
    /// Result rows.
    package var rows: [[SQLValue]]
    /// Per market, the listings (dataHashes, ascending) at least one of whose rows the engine examined.
    package var listingsRead: [MarketID: [Hash32]]
}

/// Runs one read-only SELECT over market rows in a private in-memory SQLite database.
///
/// Defences, all SQLite's own: a fresh unnamed in-memory `DatabaseQueue` per query with
/// `temp_store = MEMORY` (nothing reaches the disk, sorts included); `PRAGMA query_only`;
/// `SQLITE_LIMIT_ATTACHED = 0`; a single statement whose `sqlite3_stmt_readonly` is true; an
/// authorizer that allows only SELECT, reads and functions, and denies the schema tables,
/// PRAGMA, ATTACH and every write; a progress handler that interrupts at the time limit; a cap
/// on result rows.
///
/// Usage tracking: each market's rows live in a hidden table `_rows_<market>` with the index of
/// their datapoint; the user queries a view named after the market whose WHERE clause calls a
/// recording function on each row it examines. The authorizer refuses the hidden table and the
/// recording function outside that view, so a query can neither bypass nor forge the record.
package enum SQLSandbox {
    static let touchFunction = "_dt_touch"
    static let hiddenPrefix = "_rows_"

    /// Runs `sql` over `tables`.
    /// - Throws: ``DatatrustError/badRequest(_:)`` for SQL that is not one read-only SELECT or is
    ///   refused by the sandbox; ``DatatrustError/unprocessable(_:)`` for limits exceeded.
    package static func run(sql: String, tables: [MarketTable], limits: QueryLimits, bindings: [SQLValue] = []) throws(DatatrustError) -> SandboxResult {
        guard sql.utf8.count <= limits.maxSQLBytes else {
            throw .badRequest("sql: \(sql.utf8.count) bytes, expected at most \(limits.maxSQLBytes)")
        }
        let first = sql.drop(while: { $0.isWhitespace || $0 == "(" }).prefix(6).uppercased()
        guard first.hasPrefix("SELECT") || first.hasPrefix("WITH") || first.hasPrefix("VALUES") else {
            throw .badRequest("sql: must be a single SELECT (or WITH … SELECT) statement")
        }
        let loaded = tables.reduce(0) { $0 + $1.rows.count }
        guard loaded <= limits.maxLoadedRows else {
            throw .unprocessable("query: would load \(loaded) rows, expected at most \(limits.maxLoadedRows)")
        }
        let collector = TouchCollector(tables: tables.map { $0.listings.count })
        var config = Configuration()
        config.label = "datatrust-query"
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(configuration: config) } catch {
            throw .internalFailure("query sandbox: cannot open in-memory database: \(error)")
        }
        do {
            return try queue.inDatabase { db in
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                try load(tables, into: db)
                db.add(function: DatabaseFunction(touchFunction, argumentCount: 2, pure: false) { values in
                    if let table = Int64.fromDatabaseValue(values[0]), let index = Int64.fromDatabaseValue(values[1]) {
                        collector.touch(table: Int(table), listing: Int(index))
                    }
                    return 1
                })
                try db.execute(sql: "PRAGMA query_only = 1")
                guard let connection = db.sqliteConnection else {
                    throw DatatrustError.internalFailure("query sandbox: no connection")
                }
                sqlite3_limit(connection, SQLITE_LIMIT_ATTACHED, 0)
                sqlite3_limit(connection, SQLITE_LIMIT_LENGTH, 16 << 20)
                sqlite3_limit(connection, SQLITE_LIMIT_SQL_LENGTH, Int32(limits.maxSQLBytes))
                installAuthorizer(connection)
                let deadline = Deadline(nanoseconds: DispatchTime.now().uptimeNanoseconds + UInt64(max(limits.maxMilliseconds, 1)) * 1_000_000)
                let deadlinePointer = Unmanaged.passRetained(deadline)
                defer { deadlinePointer.release() }
                sqlite3_progress_handler(connection, 1000, { context in
                    guard let context else { return 0 }
                    let deadline = Unmanaged<Deadline>.fromOpaque(context).takeUnretainedValue()
                    return DispatchTime.now().uptimeNanoseconds > deadline.nanoseconds ? 1 : 0
                }, deadlinePointer.toOpaque())
                defer { sqlite3_progress_handler(connection, 0, nil, nil) }

                let statement: Statement
                do { statement = try db.makeStatement(sql: sql) } catch let error as DatabaseError {
                    throw DatatrustError.badRequest("sql: \(error.message ?? "refused") (only a single read-only SELECT over the market tables is allowed)")
                }
                guard statement.isReadonly else { throw DatatrustError.badRequest("sql: the statement writes; expected a read-only SELECT") }
                if !bindings.isEmpty {
                    try statement.setArguments(StatementArguments(bindings.map(\.databaseValue)))
                }
                let columns = statement.columnNames
                var rows: [[SQLValue]] = []
                do {
                    let cursor = try Row.fetchCursor(statement)
                    while let row = try cursor.next() {
                        guard rows.count < limits.maxResultRows else {
                            throw DatatrustError.unprocessable("query: more than \(limits.maxResultRows) result rows; add a LIMIT or aggregate")
                        }
                        rows.append(row.databaseValues.map(SQLValue.init))
                    }
                } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
                    throw DatatrustError.unprocessable("query: ran longer than \(limits.maxMilliseconds) ms and was stopped")
                } catch let error as DatabaseError {
                    throw DatatrustError.badRequest("sql: \(error.message ?? "\(error)")")
                }
                var read: [MarketID: [Hash32]] = [:]
                for (t, table) in tables.enumerated() {
                    read[table.market] = collector.touched(table: t).map { table.listings[$0] }.sorted()
                }
                return SandboxResult(columns: columns, rows: rows, listingsRead: read)
            }
        } catch let error as DatatrustError {
            throw error
        } catch {
            throw .internalFailure("query sandbox: \(error)")
        }
    }

    private static func quote(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    private static func load(_ tables: [MarketTable], into db: Database) throws {
        for (t, table) in tables.enumerated() {
            let hidden = quote(hiddenPrefix + table.market.slug)
            let columns = table.schema.columns.map { column -> String in
                let type: String
                switch column.type {
                case .integer, .boolean: type = "INTEGER"
                case .real: type = "REAL"
                case .text, .label: type = "TEXT"
                }
                return quote(column.name) + " " + type
            }
            try db.execute(sql: "CREATE TABLE \(hidden) (_listing INTEGER NOT NULL, \(columns.joined(separator: ", ")))")
            let names = table.schema.columns.map { quote($0.name) }.joined(separator: ", ")
            try db.execute(sql: "CREATE VIEW \(quote(table.market.slug)) AS SELECT \(names) FROM \(hidden) WHERE \(touchFunction)(\(t), _listing)")
            let placeholders = Array(repeating: "?", count: table.schema.columns.count + 1).joined(separator: ", ")
            let insert = try db.makeStatement(sql: "INSERT INTO \(hidden) VALUES (\(placeholders))")
            try db.inTransaction {
                for row in table.rows {
                    try insert.execute(arguments: StatementArguments([Int64(row.listing).databaseValue] + row.values.map(\.databaseValue)))
                }
                return .commit
            }
        }
    }

    private static func installAuthorizer(_ connection: OpaquePointer) {
        sqlite3_set_authorizer(connection, { _, action, first, second, _, inner in
            func text(_ p: UnsafePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
            switch action {
            case SQLITE_SELECT, SQLITE_RECURSIVE:
                return SQLITE_OK
            case SQLITE_READ:
                let table = text(first).lowercased()
                if ["sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema"].contains(table) { return SQLITE_DENY }
                if table.hasPrefix(SQLSandbox.hiddenPrefix) && inner == nil { return SQLITE_DENY }
                return SQLITE_OK
            case SQLITE_FUNCTION:
                let name = text(second).lowercased()
                if name == SQLSandbox.touchFunction && inner == nil { return SQLITE_DENY }
                if ["load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"].contains(name) { return SQLITE_DENY }
                return SQLITE_OK
            default:
                return SQLITE_DENY
            }
        }, nil)
    }
}

/// The time after which the progress handler interrupts the statement.
private final class Deadline {
    let nanoseconds: UInt64
    init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }
}

/// Records which datapoints' rows a statement examined.
///
/// `@unchecked Sendable`: the only mutable state, `seen`, is read and written under `lock`.
private final class TouchCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [[Bool]]

    init(tables: [Int]) { seen = tables.map { [Bool](repeating: false, count: $0) } }

    func touch(table: Int, listing: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard seen.indices.contains(table), seen[table].indices.contains(listing) else { return }
        seen[table][listing] = true
    }

    func touched(table: Int) -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        guard seen.indices.contains(table) else { return [] }
        return seen[table].indices.filter { seen[table][$0] }
    }
}

extension SQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let v): return v.databaseValue
        case .real(let v): return v.databaseValue
        case .text(let v): return v.databaseValue
        }
    }

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let v): self = .integer(v)
        case .double(let v): self = v.isFinite ? .real(v) : .null
        case .string(let v): self = .text(v)
        case .blob(let data): self = .text(Hex.encode([UInt8](data)))
        }
    }
}
