import Foundation
package import PostgresNIO

/// Where a PostgreSQL-backed store lives: the server, the database and the schema inside it.
///
/// Written as a URL, as `libpq` accepts them:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]`, or with a Unix socket
/// folder as `postgres://USER@/DATABASE?host=/run/postgresql`. The schema (default
/// `datamarket`) holds one chain; several chains share a database in several schemas.
///
/// ```swift
/// let location = try PostgresLocation(url: "postgres://dm@db.internal:5432/markets?schema=market_a")
/// let store = try PostgresBlockStore(location: location)
/// ```
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// The role to connect as.
    public let username: String
    /// The role's password, if the server asks for one.
    public let password: String?
    /// The host name or address, for a TCP connection.
    public let host: String?
    /// The TCP port (default 5432).
    public let port: Int
    /// The folder holding the server's Unix socket, for a local connection without TCP.
    public let socketFolder: String?
    /// The database.
    public let database: String
    /// The schema holding this chain's tables (a lowercase SQL identifier).
    public let schema: String

    /// The schema used when the URL names none.
    public static let defaultSchema = "datamarket"

    /// Parses a `postgres://` or `postgresql://` URL.
    /// - Throws: ``PostgresLocationError`` naming what is missing or malformed.
    public init(url text: String) throws(PostgresLocationError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw .notAURL(text)
        }
        guard scheme == "postgres" || scheme == "postgresql" else { throw .wrongScheme(scheme) }
        let items = components.queryItems ?? []
        func item(_ name: String) -> String? { items.first { $0.name == name }?.value.flatMap { $0.isEmpty ? nil : $0 } }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding ?? $0 }), !user.isEmpty else {
            throw .missingUser(text)
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw .missingDatabase(text) }
        let schema = item("schema") ?? Self.defaultSchema
        guard Self.isIdentifier(schema) else { throw .badSchema(schema) }
        let socket = item("host")
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 }
        guard socket != nil || host != nil else { throw .missingHost(text) }
        if let socket, !socket.hasPrefix("/") { throw .missingHost(text) }
        self.username = user
        self.password = components.password.flatMap { $0.removingPercentEncoding ?? $0 }
        self.host = host
        self.port = components.port ?? 5432
        self.socketFolder = socket
        self.database = database.removingPercentEncoding ?? database
        self.schema = schema
    }

    /// A location with every part given (an empty password means none).
    public init(username: String, password: String? = nil, host: String, port: Int = 5432, database: String, schema: String = defaultSchema)
        throws(PostgresLocationError)
    {
        guard Self.isIdentifier(schema) else { throw .badSchema(schema) }
        self.username = username
        self.password = password
        self.host = host
        self.port = port
        self.socketFolder = nil
        self.database = database
        self.schema = schema
    }

    /// The same server and database, another schema (a test's own, say).
    public func with(schema: String) throws(PostgresLocationError) -> PostgresLocation {
        guard Self.isIdentifier(schema) else { throw .badSchema(schema) }
        return PostgresLocation(copying: self, schema: schema)
    }

    private init(copying other: PostgresLocation, schema: String) {
        username = other.username
        password = other.password
        host = other.host
        port = other.port
        socketFolder = other.socketFolder
        database = other.database
        self.schema = schema
    }

    /// The URL without the password.
    public var description: String {
        let server = socketFolder.map { "/\(database)?host=\($0)&" } ?? "\(host ?? ""):\(port)/\(database)?"
        return "postgres://\(username)@\(server)schema=\(schema)"
    }

    /// Whether `text` is a lowercase SQL identifier short enough to prefix a channel name.
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= 40 else { return false }
        let lower = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz_")
        let rest = lower.union(CharacterSet(charactersIn: "0123456789"))
        return lower.contains(first) && text.unicodeScalars.allSatisfy { rest.contains($0) }
    }

    /// The postgres-nio configuration: TLS is not used (loopback, a Unix socket, or a private
    /// network; put a TLS-terminating proxy in front for anything else).
    package var configuration: PostgresConnection.Configuration {
        if let socketFolder {
            let path = socketFolder.hasSuffix("/") ? socketFolder : socketFolder + "/"
            return .init(unixSocketPath: path + ".s.PGSQL.\(port)", username: username, password: password, database: database)
        }
        return .init(host: host ?? "127.0.0.1", port: port, username: username, password: password, database: database, tls: .disable)
    }

    /// `"schema".name`, for SQL text (the schema is checked to be a plain identifier).
    package func table(_ name: String) -> String { "\"\(schema)\".\(name)" }

    /// The `LISTEN`/`NOTIFY` channel announcing this chain's new blocks.
    var blocksChannel: String { "dm_blocks_\(schema)" }

    /// The advisory-lock key serialising this chain's writers (derived from the schema, so two
    /// chains in one database do not block each other).
    var writerLockKey: Int64 { Self.lockKey("datamarket.writer.\(schema)") }

    /// The advisory-lock key serialising the creation of this chain's tables.
    var setupLockKey: Int64 { Self.lockKey("datamarket.setup.\(schema)") }

    /// A stable advisory-lock key for `text` (the same in every process and on every machine).
    package static func lockKey(_ text: String) -> Int64 {
        // FNV-1a, 64-bit: stable across processes and machines (Swift's Hasher is seeded per process).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int64(bitPattern: hash)
    }
}

extension PostgresLocation {
    /// The configuration of a postgres-nio connection pool (`PostgresClient`) for this
    /// location, holding at most `maximumConnections` connections; TLS as ``configuration``.
    package func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        var config: PostgresClient.Configuration
        if let socketFolder {
            let path = socketFolder.hasSuffix("/") ? socketFolder : socketFolder + "/"
            config = .init(unixSocketPath: path + ".s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            config = .init(host: host ?? "127.0.0.1", port: port, username: username, password: password, database: database, tls: .disable)
        }
        config.options.maximumConnections = max(1, maximumConnections)
        return config
    }

    /// The server's own message for `error` when there is one (postgres-nio's `description`
    /// hides it), with its SQLSTATE.
    package static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
            }
            return "\(error.code)"
        }
        return "\(error)"
    }
}

/// Why a PostgreSQL location could not be read.
public enum PostgresLocationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text is not a URL.
    case notAURL(String)
    /// The URL's scheme is not `postgres` or `postgresql`.
    case wrongScheme(String)
    /// The URL names no user.
    case missingUser(String)
    /// The URL names no database.
    case missingDatabase(String)
    /// The URL names neither a host nor a socket folder.
    case missingHost(String)
    /// The schema is not a lowercase identifier of at most 40 characters.
    case badSchema(String)

    /// What was wrong and what was expected.
    public var description: String {
        let shape = "expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]"
        switch self {
        case .notAURL(let t): return "'\(t)' is not a URL; \(shape)"
        case .wrongScheme(let s): return "scheme '\(s)' is not postgres:// or postgresql://; \(shape)"
        case .missingUser: return "the URL names no user; \(shape)"
        case .missingDatabase: return "the URL names no database; \(shape)"
        case .missingHost: return "the URL names no host (nor an absolute socket folder in ?host=/path); \(shape)"
        case .badSchema(let s): return "schema '\(s)' is not a lowercase SQL identifier (a-z, 0-9, _; at most 40 characters, not starting with a digit)"
        }
    }
}
