import LedgerCore

/// Why the node refused or failed a request. The server's edge answers each case with one HTTP
/// status (``NodeServer/status(for:)``) and the JSON body `{"error": code, "detail": text}`.
public enum NodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The request is malformed: the detail names the field and what was expected.
    case badRequest(String)
    /// Nothing at that path or id.
    case notFound(String)
    /// The body exceeds the limit.
    case payloadTooLarge(String)
    /// The chain refused the transaction: `code` is the typed error's type and case.
    case refused(code: String, detail: String)
    /// The client sent too many requests, or the pending pool is full.
    case rateLimited(String)
    /// The operation is not allowed on this node, such as warping a non-dev chain.
    case forbidden(String)
    /// A node this one depends on (a follower's leader) cannot be reached now; retry later.
    case unavailable(String)
    /// The node itself failed; never caused by a client's input.
    case internalFailure(String)

    /// The machine-readable code in the JSON body.
    public var code: String {
        switch self {
        case .badRequest: "badRequest"
        case .notFound: "notFound"
        case .payloadTooLarge: "payloadTooLarge"
        case .refused(let code, _): code
        case .rateLimited: "rateLimited"
        case .forbidden: "forbidden"
        case .unavailable: "unavailable"
        case .internalFailure: "internalFailure"
        }
    }

    /// What was wrong and what was expected.
    public var detail: String {
        switch self {
        case .badRequest(let d), .notFound(let d), .payloadTooLarge(let d), .rateLimited(let d), .forbidden(let d), .unavailable(let d), .internalFailure(let d): d
        case .refused(_, let d): d
        }
    }

    /// `code: detail`.
    public var description: String { "\(code): \(detail)" }

    /// The refusal for `error` thrown by the chain or a module: its code is `Type.case`.
    public static func refusal(_ error: any Error) -> NodeError {
        .refused(code: refusalCode(error), detail: "\(error)")
    }

    /// `TransactionError.wrongNonce` for a case with a payload, the type name otherwise.
    static func refusalCode(_ error: any Error) -> String {
        let type = String(describing: Swift.type(of: error))
        if let label = Mirror(reflecting: error).children.first?.label { return "\(type).\(label)" }
        return type
    }
}
