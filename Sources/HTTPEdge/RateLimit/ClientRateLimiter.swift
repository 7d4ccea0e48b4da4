/// How many requests one client may make: a burst of ``requests``, refilled evenly over
/// ``windowSeconds`` (so at most `requests` per window on average, whatever the window's phase).
package struct RateLimit: Sendable, Equatable {
    /// Requests a client may make at once, and per window on average; at least 1.
    package let requests: Int
    /// The window over which a spent burst is refilled, seconds; at least 1.
    package let windowSeconds: Int64

    /// At most `requests` requests per `windowSeconds` seconds for each client.
    package init(requests: Int, windowSeconds: Int64) {
        self.requests = max(requests, 1)
        self.windowSeconds = max(windowSeconds, 1)
    }
}

/// The limiter's answer for one request.
package struct Admission: Sendable, Equatable {
    /// Whether the request may proceed.
    package let admitted: Bool
    /// Whole seconds until the client may send again (at least 1 when refused, 0 when admitted):
    /// the `Retry-After` of a 429.
    package let retryAfter: Int64

    /// An answer: `admitted`, else refused for `retryAfter` seconds.
    package init(admitted: Bool, retryAfter: Int64) {
        self.admitted = admitted
        self.retryAfter = retryAfter
    }
}

/// The one per-client rate limiter of the project's HTTP servers: a token bucket per key
/// (an authenticated address, a client IP, a bearer token — the server derives the key, the
/// client cannot pick it). Buckets that are full again are forgotten, so memory follows the
/// number of recently active clients. The time is passed in, so a server with an injected
/// clock (the datatrust's) limits by its own time.
package actor ClientRateLimiter {
    /// The limit applied to every key.
    package nonisolated let limit: RateLimit
    private let capacity: Double
    private let refillPerSecond: Double
    private var buckets: [String: (tokens: Double, at: Double)] = [:]
    private var lastSweep: Double = 0

    /// A limiter applying `limit` to each key separately.
    package init(_ limit: RateLimit) {
        self.limit = limit
        capacity = Double(limit.requests)
        refillPerSecond = Double(limit.requests) / Double(limit.windowSeconds)
    }

    /// Takes one request from `key`'s bucket at time `now` (seconds since any fixed epoch);
    /// refused, with the seconds until a request is available, when the bucket is empty.
    package func admit(_ key: String, now: Double) -> Admission {
        if now - lastSweep > 60 {
            lastSweep = now
            let capacity = capacity, refill = refillPerSecond
            buckets = buckets.filter { _, b in b.tokens + (now - b.at) * refill < capacity }
        }
        var bucket = buckets[key] ?? (capacity, now)
        // A clock that went back refills nothing.
        bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.at) * refillPerSecond)
        bucket.at = max(bucket.at, now)
        guard bucket.tokens >= 1 else {
            buckets[key] = bucket
            return Admission(admitted: false, retryAfter: max(1, Int64(((1 - bucket.tokens) / refillPerSecond).rounded(.up))))
        }
        bucket.tokens -= 1
        buckets[key] = bucket
        return Admission(admitted: true, retryAfter: 0)
    }
}
