import Foundation

/// The limits and pacing of a ``Node``: how long transactions wait for a block, how many go in
/// one, how much a client may send.
public struct NodeConfiguration: Sendable, Equatable {
    /// A block is built at least this often while transactions are pending, in milliseconds.
    public var blockIntervalMilliseconds: UInt64
    /// A block is built at once when this many transactions are ready, and holds at most this many.
    public var maxBlockTransactions: Int
    /// At most this many transactions wait in the pending pool; more are refused with 429.
    public var maxPendingTransactions: Int
    /// A transaction whose nonce leaves a gap is refused after waiting this long for the gap to fill, in milliseconds.
    public var nonceGapTimeoutMilliseconds: UInt64
    /// The largest request body accepted, in bytes (413 beyond).
    public var maxBodyBytes: Int
    /// Requests one client IP may make per ``rateLimitWindowSeconds`` (429 beyond).
    public var rateLimitRequests: Int
    /// The rate-limit window, in seconds.
    public var rateLimitWindowSeconds: Int64
    /// Whether chain time may be warped (a development node).
    public var dev: Bool
    /// On a follower: how long a forwarded transaction is kept pending while the leader cannot
    /// be reached, in milliseconds; after that it is reported dropped (`NodeError.forwardLost`).
    public var forwardRetryMilliseconds: UInt64

    /// A configuration; the defaults suit a node on one machine serving scripts and services.
    public init(
        blockIntervalMilliseconds: UInt64 = 200, maxBlockTransactions: Int = 500, maxPendingTransactions: Int = 10_000,
        nonceGapTimeoutMilliseconds: UInt64 = 5_000, maxBodyBytes: Int = 256 * 1024, rateLimitRequests: Int = 20_000,
        rateLimitWindowSeconds: Int64 = 60, dev: Bool = false, forwardRetryMilliseconds: UInt64 = 60_000
    ) {
        self.blockIntervalMilliseconds = blockIntervalMilliseconds
        self.maxBlockTransactions = max(1, maxBlockTransactions)
        self.maxPendingTransactions = max(1, maxPendingTransactions)
        self.nonceGapTimeoutMilliseconds = nonceGapTimeoutMilliseconds
        self.maxBodyBytes = max(1024, maxBodyBytes)
        self.rateLimitRequests = max(1, rateLimitRequests)
        self.rateLimitWindowSeconds = max(1, rateLimitWindowSeconds)
        self.dev = dev
        self.forwardRetryMilliseconds = forwardRetryMilliseconds
    }
}
