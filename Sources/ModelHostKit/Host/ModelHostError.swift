import LedgerCore

/// Why the model host refused a request. Each case says what was wrong and what was expected;
/// the server's edge answers each case with one HTTP status (``ModelHostServer/status(for:)``).
public enum ModelHostError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The request is malformed (body, parameter or feature count).
    case badRequest(String)
    /// No valid bearer token, nonce or signature.
    case unauthenticated(String)
    /// The caller has no paid use left for this model (no bundle, exhausted, expired or closed).
    case paymentRequired(String)
    /// The caller may not use this bundle (someone else's, or for another host or model).
    case forbidden(String)
    /// No such model on this host or on chain.
    case notFound(String)
    /// The body is larger than the host accepts.
    case payloadTooLarge(String)
    /// The model cannot do what was asked (e.g. encrypted inference without a linear layer).
    case unprocessable(String)
    /// Too many requests for this token (or anonymous caller) in the current window.
    case rateLimited(String)
    /// Something failed inside the host (storage, model file).
    case internalFailure(String)

    /// The machine-readable code in the JSON body.
    public var code: String {
        switch self {
        case .badRequest: "bad_request"
        case .unauthenticated: "unauthenticated"
        case .paymentRequired: "payment_required"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .payloadTooLarge: "payload_too_large"
        case .unprocessable: "unprocessable"
        case .rateLimited: "rate_limited"
        case .internalFailure: "internal_failure"
        }
    }

    /// The human-readable reason.
    public var detail: String {
        switch self {
        case .badRequest(let s), .unauthenticated(let s), .paymentRequired(let s), .forbidden(let s), .notFound(let s),
             .payloadTooLarge(let s), .unprocessable(let s), .rateLimited(let s), .internalFailure(let s): s
        }
    }

    /// The machine-readable ``code`` and the reason, e.g. `payment_required: ...`.
    public var description: String { "\(code): \(detail)" }
}
