/// A token bucket per client IP: each client may burst `capacity` requests, refilled evenly
/// over `window` seconds. Buckets that are full again are forgotten, so memory follows the
/// number of recently active clients.
actor ClientRateLimiter {
    private let capacity: Double
    private let refillPerSecond: Double
    private var buckets: [String: (tokens: Double, at: Double)] = [:]
    private var lastSweep: Double = 0

    init(capacity: Int, window: Int64) {
        self.capacity = Double(max(capacity, 1))
        refillPerSecond = Double(max(capacity, 1)) / Double(max(window, 1))
    }

    /// Takes one token for `client` at time `now` (seconds); false, with the seconds until one
    /// is available, when the bucket is empty.
    func admit(_ client: String, now: Double) -> (admitted: Bool, retryAfter: Int) {
        if now - lastSweep > 60 {
            lastSweep = now
            buckets = buckets.filter { _, b in b.tokens + (now - b.at) * refillPerSecond < capacity }
        }
        var bucket = buckets[client] ?? (capacity, now)
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.at) * refillPerSecond)
        bucket.at = now
        guard bucket.tokens >= 1 else {
            buckets[client] = bucket
            return (false, max(1, Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up))))
        }
        bucket.tokens -= 1
        buckets[client] = bucket
        return (true, 0)
    }
}
