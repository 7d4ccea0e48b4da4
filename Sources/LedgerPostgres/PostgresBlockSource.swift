import Foundation
import LedgerCore
import Logging
import PostgresNIO

/// A ``BlockSource`` over a ``PostgresBlockStore`` that waits without polling: it `LISTEN`s on
/// the chain's channel, which every append `NOTIFY`s with the new height when it commits, and
/// wakes its waiters as soon as a block above theirs is announced.
///
/// The listening connection is its own (a connection that listens cannot also serve the store's
/// queries in order); the blocks themselves are read through the store, which checks them.
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
    private let task: Task<Void, Never>

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
        let location = store.location
        task = Task.detached { await listener.run(location: location, tip: { (try? store.currentTip()) ?? store.tipHeight }) }
    }

    deinit {
        task.cancel()
        listener.finish()
    }

    /// Whether the `LISTEN` is in place (waits then end on notification, not on a timer).
    public var isListening: Bool { listener.isListening }

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

/// The listening connection's state, shared by the source and its background task.
private final class Listener: @unchecked Sendable {
    // @unchecked: every stored property is read and written only while holding `lock`.
    private let lock = NSLock()
    private var announced: UInt64?
    private var listening = false
    private var finished = false
    private var waiters: [UUID: (after: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]

    var isListening: Bool { lock.withLock { listening } }

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

    /// Stops listening and wakes every waiter (they re-read the store and wait by timer).
    func finish() {
        let woken = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            listening = false
            finished = true
            defer { waiters.removeAll() }
            return waiters.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    private func started(tip: UInt64?) {
        lock.withLock { listening = !finished }
        if let tip { announce(tip) }
    }

    /// Connects, listens on the chain's channel and announces every notified height until the
    /// task is cancelled or the connection is lost.
    func run(location: PostgresLocation, tip: @escaping @Sendable () -> UInt64?) async {
        var logger = Logger(label: "datamarket.postgres.listen")
        logger.logLevel = .critical
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                on: BlockingConnection.eventLoops.next(), configuration: location.configuration, id: 2, logger: logger)
        } catch {
            finish()  // no server: waits fall back to the timer
            return
        }
        do {
            try await connection.listen(on: location.blocksChannel) { notifications in
                // Listening now: anything appended before this point is at most the store's tip,
                // read here; announce it so no one waits for it.
                started(tip: tip())
                for try await notification in notifications {
                    if let height = UInt64(notification.payload) { announce(height) }
                }
            }
        } catch {
            // Cancelled, or the connection failed: waits fall back to the timer.
        }
        try? await connection.close()
        finish()
    }
}
