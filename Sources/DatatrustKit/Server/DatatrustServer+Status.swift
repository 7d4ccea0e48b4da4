extension DatatrustServer {
    /// The HTTP status the datatrust answers `error` with: the one place a ``DatatrustError``
    /// becomes a status. The switch is exhaustive, so a new case must be mapped here.
    public static func status(for error: DatatrustError) -> Int {
        switch error {
        case .badRequest: 400
        case .unauthenticated: 401
        case .forbidden, .budgetExhausted: 403
        case .notFound: 404
        case .methodNotAllowed: 405
        case .conflict: 409
        case .payloadTooLarge: 413
        case .unprocessable: 422
        case .rateLimited: 429
        case .integrity, .internalFailure: 500
        case .chainUnavailable: 502
        }
    }
}
