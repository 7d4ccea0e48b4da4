import Foundation
public import LedgerCore
import Logging
import PostgresNIO

/// A `BlockSource` over a ``PostgresBlockStore`` that waits without polling: it `LISTEN`s on
/// the chain's channel, which every append `NOTIFY`s with the new height when it commits, and
/// wakes its waiters as soon as a block above theirs is announced.
///
/// The listening connection is its own (a connection that listens cannot also serve the store's
/// queries in order); the blocks themselves are read through the store, which checks them.
/// Connecting, listening and waking waiters all happen on the connection's event loop, never on
/// Swift's cooperative pool, so a pool kept busy by blocking callers cannot delay a wake-up.
/// Until the `LISTEN` is in place, and if the listening connection is lost, waiting falls back to
/// sleeping ``fallbackInterval`` (the follower re-reads the store after each wait, so a lost
/// notification costs at most that delay, never a block).
///
/// ```swift
/// let store = try PostgresBlockStore(location: location)
/// let follower = try ChainFollower.open(store: store, modules: modules, source: PostgresBlockSource(store: store))
/// let state = try await follower.state(atLeast: receipt.height, timeout: .seconds(5))
/// ```
public final class PostgresBlockSource: BlockSource, @unchecked Sendable {
    // @unchecked: the mutable state lives in `listener`, which guards it with its lock; the
    // other stored properties are immutable and Sendable (the store is thread-safe).
    private let listener: Listener

    /// The store blocks are read from.
    public let store: PostgresBlockStore
    /// How long a wait sleeps when no notification can arrive (not yet listening, or the
    /// listening connection was lost).
    public let fallbackInterval: Duration

    /// A source over `store`; starts listening in the background at once.
    public init(store: PostgresBlockStore, fallbackInterval: Duration = .milliseconds(200)) {
        self.store = store
        self.fallbackInterval = fallbackInterval
        let listener = Listener()
        self.listener = listener
        listener.start(location: store.location)
    }

    deinit {
        listener.finish()
    }

    /// Whether the `LISTEN` is in place (waits then end on notification, not on a timer).
    public var isListening: Bool { listener.isListening }

    /// The highest height announced so far: the tip read when the `LISTEN` went in place, then
    /// each height a commit notified; nil before listening.
    public var announcedHeight: UInt64? { listener.announcedHeight }

    /// The stored blocks from `height` on, checked by the store.
    public func blocks(from height: UInt64) async throws -> [Block] {
        try store.blocks(from: height)
    }

    /// Returns once a block above `height` has been announced (at once if one already was), or
    /// after `timeout`.
    public func waitForBlocks(after height: UInt64, timeout: Duration) async throws {
        guard listener.isListening else {
            try await Task.sleep(for: min(fallbackInterval, timeout))
            return
        }
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                guard listener.enqueue(id: id, after: height, continuation) else {
                    continuation.resume()
                    return
                }
                let listener = self.listener
                Task {
                    try? await Task.sleep(for: timeout)
                    listener.resume(id)
                }
            }
        } onCancel: {
            listener.resume(id)
        }
        try Task.checkCancellation()
    }
}

/// The listening connection and its state, shared by the source and the event loop's callbacks.
private final class Listener: @unchecked Sendable {
    // @unchecked: every stored property is read and written only while holding `lock`.
    private let lock = NSLock()
    private var announced: UInt64?
    private var listening = false
    private var finished = false
    private var waiters: [UUID: (after: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]
    private var connection: PostgresConnection?
    private var context: PostgresListenContext?

    var isListening: Bool { lock.withLock { listening } }

    var announcedHeight: UInt64? { lock.withLock { announced } }

    /// Registers a waiter for a block above `after`; false if it need not wait (one was
    /// announced already, the task is cancelled, or listening stopped).
    func enqueue(id: UUID, after: UInt64, _ continuation: CheckedContinuation<Void, Never>) -> Bool {
        lock.withLock {
            if finished || !listening || Task.isCancelled { return false }
            if let announced, announced > after { return false }
            waiters[id] = (after, continuation)
            return true
        }
    }

    /// Wakes waiter `id` if it still waits (its timeout, or its task was cancelled).
    func resume(_ id: UUID) {
        lock.withLock { waiters.removeValue(forKey: id) }?.continuation.resume()
    }

    /// Records that block `height` exists and wakes every waiter below it.
    func announce(_ height: UInt64) {
        let woken = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            announced = max(announced ?? 0, height)
            let ready = waiters.filter { $0.value.after < height }
            for id in ready.keys { waiters.removeValue(forKey: id) }
            return ready.map(\.value.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Stops listening, closes the connection and wakes every waiter (they re-read the store
    /// and wait by timer).
    func finish() {
        let (woken, connection, context) = lock.withLock { () -> ([CheckedContinuation<Void, Never>], PostgresConnection?, PostgresListenContext?) in
            listening = false
            finished = true
            defer {
                waiters.removeAll()
                self.connection = nil
                self.context = nil
            }
            return (waiters.values.map(\.continuation), self.connection, self.context)
        }
        context?.stop()
        if let connection { connection.close().whenComplete { _ in withExtendedLifetime(connection) {} } }
        for continuation in woken { continuation.resume() }
    }

    /// Connects, registers the notification handler (postgres-nio sends the `LISTEN`), then
    /// reads the tip on the same connection: once that answer is in, the `LISTEN` before it is in
    /// place, and every later block is announced. All of it runs on the event loop.
    func start(location: PostgresLocation) {
        var quiet = Logger(label: "datamarket.postgres.listen")
        quiet.logLevel = .critical
        let logger = quiet
        let channel = location.blocksChannel
        let tipQuery: PostgresQuery = "SELECT max(height) FROM \(unescaped: location.table("dm_blocks"))"
        PostgresConnection.connect(
            on: BlockingConnection.eventLoops.next(), configuration: location.configuration, id: 2, logger: logger
        ).whenComplete { result in
            guard case .success(let connection) = result else {
                self.finish()  // no server: waits fall back to the timer
                return
            }
            let stillWanted = self.lock.withLock { () -> Bool in
                if !self.finished { self.connection = connection }
                return !self.finished
            }
            guard stillWanted else {
                connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
                return
            }
            connection.closeFuture.whenComplete { _ in self.finish() }
            let context = connection.addListener(channel: channel) { _, notification in
                if let height = UInt64(notification.payload) { self.announce(height) }
            }
            self.lock.withLock { self.context = context }
            connection.query(tipQuery, logger: logger).whenComplete { result in
                let tip: Int64? = (try? result.get().rows.first.flatMap { row in (try? row.decode(Int64?.self)) ?? nil }) ?? nil
                self.lock.withLock { self.listening = !self.finished }
                if let tip, tip >= 0 { self.announce(UInt64(tip)) }
            }
        }
    }
}
