import Foundation
import LedgerCore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// One PostgreSQL connection used from synchronous code.
///
/// `BlockStore` is synchronous (`Chain` calls it under its own lock), and postgres-nio is
/// asynchronous. The bridge: the connection runs on an event loop of its own (one thread shared
/// by every store of the process, see ``eventLoops``), and the calling thread waits on the
/// query's `EventLoopFuture`. The waiting thread is never that event loop (no store method is
/// called from it), so waiting cannot stall the I/O it waits for, and no NIO thread of a server
/// (Hummingbird's loops) ever blocks on PostgreSQL. Bridging through a `Task` and a semaphore
/// was rejected: it would park a thread of Swift's small cooperative pool (two threads here)
/// while another task of that pool must run to wake it, which can deadlock under load.
final class BlockingConnection: @unchecked Sendable {
    // @unchecked: `connection` is only read or replaced while holding `lock`; postgres-nio's
    // connection itself is Sendable and orders the queries written to it.
    private let lock = NSLock()
    private var connection: PostgresConnection?
    private let location: PostgresLocation
    private let logger: Logger

    /// The event loop group every store's connection runs on: one thread, owned here, never
    /// running caller code, so a caller waiting on a future never waits on its own thread.
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    init(location: PostgresLocation) throws(ChainError) {
        self.location = location
        var logger = Logger(label: "datamarket.postgres")
        logger.logLevel = .critical
        self.logger = logger
        _ = try current()
    }

    deinit {
        // Closing is asynchronous and not awaited (deinit may run anywhere); the completion
        // handler keeps the connection alive until it is closed, as postgres-nio requires.
        guard let connection else { return }
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// The open connection, reconnecting if the previous one was closed (a server restart).
    func current() throws(ChainError) -> PostgresConnection {
        lock.lock()
        defer { lock.unlock() }
        if let connection, !connection.isClosed { return connection }
        do {
            let opened = try PostgresConnection.connect(
                on: Self.eventLoops.next(), configuration: location.configuration, id: 1, logger: logger
            ).wait()
            connection = opened
            return opened
        } catch {
            throw .storage("cannot connect to PostgreSQL at \(location): \(Self.describe(error))")
        }
    }

    /// Runs `query` and returns every row; `what` names the step in error messages.
    @discardableResult
    func run(_ query: PostgresQuery, _ what: String) throws(ChainError) -> [PostgresRow] {
        let connection = try current()
        do {
            return try connection.query(query, logger: logger).wait().rows
        } catch {
            throw .storage("PostgreSQL \(location): \(what) failed: \(Self.describe(error))")
        }
    }

    /// Runs SQL text with no parameters (tests use it to damage a store on purpose).
    func execute(sql: String) throws(ChainError) {
        try run(PostgresQuery(unsafeSQL: sql), "running \(sql)")
    }

    /// Like ``run(_:_:)`` but hands back the server's SQLSTATE instead of throwing for it.
    func runReportingState(_ query: PostgresQuery, _ what: String) throws(ChainError) -> Result<[PostgresRow], ServerRefusal> {
        let connection = try current()
        do {
            return .success(try connection.query(query, logger: logger).wait().rows)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] != nil {
            return .failure(ServerRefusal(sqlState: error.serverInfo?[.sqlState] ?? "", message: Self.describe(error)))
        } catch {
            throw .storage("PostgreSQL \(location): \(what) failed: \(Self.describe(error))")
        }
    }

    /// An error the server reported for a statement (a constraint it refused, say).
    struct ServerRefusal: Error {
        /// The five-character SQLSTATE (`23505` is a unique violation).
        let sqlState: String
        /// The server's message.
        let message: String
    }

    /// The server's own message when there is one (postgres-nio's `description` hides it).
    static func describe(_ error: any Error) -> String { PostgresLocation.describe(error) }
}
