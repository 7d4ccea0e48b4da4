/// Every refusal or failure of the datatrust service. The associated text says what was wrong
/// and what was expected, naming the field. The server's edge maps each case to an HTTP status
/// (``DatatrustServer/status(for:)``); the client maps an answer back (``DatatrustClient``).
public enum DatatrustError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Malformed JSON, a missing or ill-formed field, or SQL that is not a single read-only SELECT.
    case badRequest(String)
    /// No bearer token, an unknown or expired token, or a failed login (nonce, signature).
    case unauthenticated(String)
    /// The chain does not allow this caller this action (not the owner, job not paid, …).
    case forbidden(String)
    /// The caller's epsilon budget in a market would be exceeded (retrying does not help).
    case budgetExhausted(String)
    /// Unknown market or dataHash.
    case notFound(String)
    /// The path exists but not with this method.
    case methodNotAllowed(String)
    /// The datapoint is already stored, or the job was already used.
    case conflict(String)
    /// The request body is larger than the server accepts.
    case payloadTooLarge(String)
    /// The data does not fit the market's schema, the hash does not match, or epsilon
    /// Cannot be computed for the query.
    case unprocessable(String)
    /// Too many requests for this token (or client) in the current window.
    case rateLimited(String)
    /// A stored file failed its integrity check; the data is not served.
    case integrity(String)
    /// The chain could not be consulted.
    case chainUnavailable(String)
    /// An unexpected internal failure (I/O, database).
    case internalFailure(String)

    /// The machine-readable `error` field of the JSON error body.
    public var code: String {
        switch self {
        case .badRequest: return "bad_request"
        case .unauthenticated: return "unauthenticated"
        case .forbidden: return "forbidden"
        case .budgetExhausted: return "epsilon_budget_exhausted"
        case .notFound: return "not_found"
        case .methodNotAllowed: return "method_not_allowed"
        case .conflict: return "conflict"
        case .payloadTooLarge: return "payload_too_large"
        case .unprocessable: return "unprocessable"
        case .rateLimited: return "rate_limited"
        case .integrity: return "integrity_error"
        case .chainUnavailable: return "chain_unavailable"
        case .internalFailure: return "internal_error"
        }
    }

    /// The human-readable `detail` field.
    public var detail: String {
        switch self {
        case .badRequest(let s), .unauthenticated(let s), .forbidden(let s), .budgetExhausted(let s),
             .notFound(let s), .methodNotAllowed(let s), .conflict(let s), .payloadTooLarge(let s), .unprocessable(let s),
             .rateLimited(let s), .integrity(let s), .chainUnavailable(let s), .internalFailure(let s):
            return s
        }
    }

    /// `"<code>: <detail>"`.
    public var description: String { "\(code): \(detail)" }
}

extension StoreError {
    /// The service error this store error becomes.
    var asDatatrustError: DatatrustError {
        switch self {
        case .database: return .internalFailure(description)
        case .duplicate, .jobAlreadyUsed: return .conflict(description)
        case .notFound: return .notFound(description)
        case .budgetExhausted: return .budgetExhausted(description)
        }
    }
}

extension VaultError {
    /// The service error this vault error becomes.
    var asDatatrustError: DatatrustError {
        switch self {
        case .notFound: return .notFound(description)
        case .integrity, .wrongMasterKey: return .integrity(description)
        case .hashMismatch: return .unprocessable(description)
        case .io, .invalidKeyFile, .keyDerivationFailed, .source: return .internalFailure(description)
        }
    }
}
