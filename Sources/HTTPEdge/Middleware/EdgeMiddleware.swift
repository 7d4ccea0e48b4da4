package import Hummingbird

/// What one server decides at its HTTP edge; ``EdgeMiddleware`` does the rest the same way for
/// every server.
package protocol EdgePolicy: Sendable {
    /// The request context of the server's router.
    associatedtype Context: RequestContext

    /// The server's time, seconds (an injected clock where the server has one).
    func now() -> Int64
    /// The key the rate limit counts `request` under: derived from what the server verified
    /// (an authenticated caller, the client's IP), never from what the client chose freely.
    func rateLimitKey(_ request: Request, context: Context) -> String
    /// The 429 answer for `key`, refused at `now` by `limit`: the server's own error body, with
    /// `Retry-After` set to `admission.retryAfter`.
    func rateLimited(key: String, limit: RateLimit, admission: Admission, now: Int64) -> Response
    /// The most body bytes `request` may carry, collected before the handler runs; nil when the
    /// handler reads (and bounds) the body itself, as a streamed upload does.
    func bodyLimit(for request: Request) -> Int?
    /// The server's error answer for `error`, thrown by a handler, the router or the body limit
    /// (a ``BodyTooLarge``).
    func response(for error: any Error, request: Request, context: Context) -> Response
}

/// The edge every server puts in front of its routes: the per-client rate limit, the body-size
/// limit, and every thrown error turned into the server's JSON error body.
package struct EdgeMiddleware<Policy: EdgePolicy>: RouterMiddleware {
    /// The router's request context.
    package typealias Context = Policy.Context

    /// The server's decisions.
    package let policy: Policy
    /// The limiter shared by all requests of this router.
    package let limiter: ClientRateLimiter

    /// The edge of a server deciding by `policy`, limiting each client by `limit`.
    package init(policy: Policy, limit: RateLimit) {
        self.policy = policy
        limiter = ClientRateLimiter(limit)
    }

    /// Admits, bounds and answers `request`, or answers the server's error for it.
    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let now = policy.now()
        let key = policy.rateLimitKey(request, context: context)
        let admission = await limiter.admit(key, now: Double(now))
        guard admission.admitted else {
            var response = policy.rateLimited(key: key, limit: limiter.limit, admission: admission, now: now)
            response.headers[.retryAfter] = "\(admission.retryAfter)"
            return response
        }
        do {
            var request = request
            if let limit = policy.bodyLimit(for: request) { _ = try await request.collectBody(limitedTo: limit) }
            return try await next(request, context)
        } catch {
            return policy.response(for: error, request: request, context: context)
        }
    }
}
