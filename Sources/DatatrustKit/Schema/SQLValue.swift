/// One cell of a parsed row, in SQLite's storage classes.
public enum SQLValue: Sendable, Equatable, Hashable, Codable {
    /// NULL.
    case null
    /// A 64-bit integer (also booleans, as 0/1).
    case integer(Int64)
    /// A finite double.
    case real(Double)
    /// UTF-8 text (also labels).
    case text(String)

    /// Encodes as the JSON null, number or string.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .integer(let v): try c.encode(v)
        case .real(let v): try c.encode(v)
        case .text(let v): try c.encode(v)
        }
    }

    /// Decodes a JSON null, integer, number or string.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let i = try? c.decode(Int64.self) { self = .integer(i) } else if let d = try? c.decode(Double.self) {
            self = .real(d)
        } else { self = .text(try c.decode(String.self)) }
    }
}
