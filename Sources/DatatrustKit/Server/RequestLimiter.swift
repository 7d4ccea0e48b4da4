/// The datatrust's fixed-window rate limiter, for other servers of the
/// project (the model host) to count requests the same way.
public struct RequestLimiter: Sendable {
    private let limiter: RateLimiter
    /// Requests allowed per key and window.
    public let limit: Int
    /// The window, seconds.
    public let window: Int64

    /// At most `limit` requests per key in each `window`-second window.
    public init(limit: Int, window: Int64) {
        self.limit = limit
        self.window = max(window, 1)
        limiter = RateLimiter(limit: limit, window: window)
    }

    /// Counts one request for `key` at `now`; false when the key is over its limit this window.
    public func admit(_ key: String, now: Int64) async -> Bool { await limiter.admit(key, now: now) }

    /// When the current window ends.
    public func resetsAt() async -> Int64 { await limiter.resetsAt() }
}
