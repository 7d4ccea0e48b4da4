/// Every refusal or failure of the datatrust service, grouped by the HTTP status it maps to.
/// The associated text says what was wrong and what was expected, naming the field.
public enum DatatrustError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 400: malformed JSON, a missing or ill-formed field, or SQL that is not a single read-only SELECT.
    case badRequest(String)
    /// 401: no bearer token, an unknown or expired token, or a failed login (nonce, signature).
    case unauthenticated(String)
    /// 403: the chain does not allow this caller this action (not the owner, job not paid, …).
    case forbidden(String)
    /// 403: the caller's epsilon budget in a market would be exceeded (retrying does not help).
    case budgetExhausted(String)
    /// 404: unknown market or dataHash.
    case notFound(String)
    /// 405: the path exists but not with this method.
    case methodNotAllowed(String)
    /// 409: the datapoint is already stored, or the job was already used.
    case conflict(String)
    /// 413: the request body is larger than the server accepts.
    case payloadTooLarge(String)
    /// 422: the data does not fit the market's schema, the hash does not match, or epsilon
    /// cannot be computed for the query.
    case unprocessable(String)
    /// 429: too many requests for this token (or client) in the current window.
    case rateLimited(String)
    /// 500: a stored file failed its integrity check; the data is not served.
    case integrity(String)
    /// 502: the chain could not be consulted.
    case chainUnavailable(String)
    /// 500: an unexpected internal failure (I/O, database).
    case internalFailure(String)

    /// The HTTP status code.
    public var status: Int {
        switch self {
        case .badRequest: return 400
        case .unauthenticated: return 401
        case .forbidden, .budgetExhausted: return 403
        case .notFound: return 404
        case .methodNotAllowed: return 405
        case .conflict: return 409
        case .payloadTooLarge: return 413
        case .unprocessable: return 422
        case .rateLimited: return 429
        case .integrity, .internalFailure: return 500
        case .chainUnavailable: return 502
        }
    }

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

    /// Builds an error from a status, code and detail (as a client reads them off the wire).
    public init(status: Int, code: String, detail: String) {
        switch (status, code) {
        case (400, _): self = .badRequest(detail)
        case (401, _): self = .unauthenticated(detail)
        case (403, "epsilon_budget_exhausted"): self = .budgetExhausted(detail)
        case (403, _): self = .forbidden(detail)
        case (404, _): self = .notFound(detail)
        case (405, _): self = .methodNotAllowed(detail)
        case (409, _): self = .conflict(detail)
        case (413, _): self = .payloadTooLarge(detail)
        case (422, _): self = .unprocessable(detail)
        case (429, _): self = .rateLimited(detail)
        case (500, "integrity_error"): self = .integrity(detail)
        case (502, _): self = .chainUnavailable(detail)
        default: self = .internalFailure("HTTP \(status) \(code): \(detail)")
        }
    }
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
