import Foundation

/// Where a ``ChainFollower`` gets the blocks appended after the ones it has applied.
///
/// A file-backed home is followed through ``StoreBlockSource`` over a read-only
/// ``FileBlockStore`` handle. Other sources (a remote chain node streaming blocks over HTTP, a
/// PostgreSQL store woken by `LISTEN`/`NOTIFY`) conform to the same protocol, and every
/// follower feature (catching up, awaiting a height) works unchanged over them.
///
/// The follower checks every block it is given (parent hash, roots, signatures, receipts), so
/// a source need not be trusted to be correct, only to be live.
public protocol BlockSource: Sendable {
    /// The blocks with height `height` and above that the source has now, in order; empty when
    /// there are none yet. A source may return fewer than all of them (a page); the follower
    /// asks again.
    func blocks(from height: UInt64) async throws -> [Block]
    /// Returns once blocks above `height` may have appeared, or after about `timeout`, whichever
    /// comes first. A source that cannot be notified sleeps for a short poll interval; one that
    /// can (a node's block stream, `LISTEN`/`NOTIFY`) returns as soon as it is told.
    func waitForBlocks(after height: UInt64, timeout: Duration) async throws
}

/// A ``BlockSource`` reading a ``BlockStore`` in this process: new blocks are found by reading
/// the store, and waiting polls it every ``pollInterval``.
///
/// Over a ``FileBlockStore`` opened with ``FileBlockStore/init(readingFolder:)`` reads never take
/// the writers' lock, so a writer holding it delays no reader.
public struct StoreBlockSource: BlockSource {
    /// The store read.
    public let store: any BlockStore
    /// How often ``waitForBlocks(after:timeout:)`` looks at the store again.
    public let pollInterval: Duration

    /// A source over `store`, polled every `pollInterval` while waiting (50 ms by default).
    public init(store: any BlockStore, pollInterval: Duration = .milliseconds(50)) {
        self.store = store
        self.pollInterval = pollInterval
    }

    /// The stored blocks from `height` on.
    public func blocks(from height: UInt64) async throws -> [Block] {
        try store.blocks(from: height)
    }

    /// Sleeps for the poll interval (or `timeout`, if shorter).
    public func waitForBlocks(after height: UInt64, timeout: Duration) async throws {
        try await Task.sleep(for: min(pollInterval, timeout))
    }
}
