/// Why typed data could not be read or hashed, or is not a DataMarket transaction.
public enum TypedDataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The JSON is not an `eth_signTypedData_v4` object (types, primaryType, domain, message).
    case malformedJSON(String)
    /// A type name that is neither atomic (uintN, intN, bytesN, bytes, string, bool, address) nor in `types`.
    case unknownType(String)
    /// A struct member the type lists but the value lacks.
    case missingField(path: String, type: String)
    /// A value member the struct type does not list (it would be shown but not signed).
    case unexpectedField(path: String, type: String)
    /// A value that does not fit its type.
    case invalidValue(path: String, type: String, reason: String)
    /// Typed data that is not the DataMarket transaction envelope this library writes.
    case notATransaction(String)

    /// What was wrong and what was expected.
    public var description: String {
        switch self {
        case .malformedJSON(let r): "typed data is not eth_signTypedData_v4 JSON: \(r); expected an object with types, primaryType, domain and message"
        case .unknownType(let t): "typed data: type '\(t)' is neither an atomic EIP-712 type nor defined in types"
        case .missingField(let p, let t): "typed data: \(p) is missing; expected a value of type \(t)"
        case .unexpectedField(let p, let t): "typed data: \(p) is not a member of \(t); expected only the members its type lists"
        case .invalidValue(let p, let t, let r): "typed data: \(p) is not a valid \(t): \(r)"
        case .notATransaction(let r): "typed data is not a DataMarket transaction: \(r)"
        }
    }
}
