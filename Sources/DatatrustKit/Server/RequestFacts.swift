import LedgerCore

/// What the server's middleware learnt of the request being handled, for the generated
/// handlers (``DatatrustAPI``), which see only the operation's documented input: the caller a
/// valid bearer token authenticated, and the `Authorization` header as sent.
struct RequestFacts: Sendable {
    /// The address a valid `Authorization: Bearer` token authenticated, if any.
    var caller: Address?
    /// The `Authorization` header, if any.
    var authorization: String?

    /// The facts of the request this task is handling (set by the middleware around the handler).
    @TaskLocal static var current = RequestFacts()

    /// The caller the middleware authenticated, or the reason the header does not authenticate anyone.
    func authenticated(by datatrust: Datatrust) async throws(DatatrustError) -> Address {
        if let caller { return caller }
        guard let authorization else {
            throw .unauthenticated("Authorization: missing; expected \"Bearer <token>\" from POST /auth/token")
        }
        guard let token = CallerMiddleware.bearerToken(authorization) else { throw .unauthenticated("Authorization: expected \"Bearer <token>\"") }
        return try await datatrust.authenticate(bearer: token)
    }

    /// The caller when an `Authorization` header was sent (an invalid one is refused), else nil:
    /// the endpoints that anyone may call and a logged-in caller may call with its own budget.
    func optionallyAuthenticated(by datatrust: Datatrust) async throws(DatatrustError) -> Address? {
        authorization == nil ? nil : try await authenticated(by: datatrust)
    }
}
