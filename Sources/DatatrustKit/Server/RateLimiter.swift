/// Fixed-window request counters per key: an authenticated address, or a client IP address
/// before login (the server derives the key; a client cannot pick it).
actor RateLimiter {
    private let limit: Int
    private let window: Int64
    private var windowStart: Int64 = 0
    private var counts: [String: Int] = [:]

    init(limit: Int, window: Int64) {
        self.limit = limit
        self.window = max(window, 1)
    }

    /// Counts one request for `key` at `now`; false when the key is over its limit this window.
    func admit(_ key: String, now: Int64) -> Bool {
        let start = now - now % window
        if start != windowStart {
            windowStart = start
            counts.removeAll(keepingCapacity: true)
        }
        let used = counts[key, default: 0]
        guard used < limit else { return false }
        counts[key] = used + 1
        return true
    }

    /// When the current window ends.
    func resetsAt() -> Int64 { windowStart + window }
}
