/// The name of a market this datatrust serves: 1–63 characters of `a–z`, `0–9` and `_`,
/// starting with a letter. The name doubles as the SQL table name of the market's rows.
public struct MarketID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The name.
    public let name: String

    /// A market name.
    /// - Throws: ``DatatrustError/badRequest(_:)`` naming the rule when `name` breaks it.
    public init(_ name: String) throws(DatatrustError) {
        guard Self.isValid(name) else {
            throw .badRequest("market: \"\(name.prefix(80))\" is not a market name; expected 1–63 of a–z, 0–9, _ starting with a letter")
        }
        self.name = name
    }

    /// Whether `name` follows the naming rule.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), (97...122).contains(bytes[0]) else { return false }
        return bytes.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    /// The name.
    public var description: String { name }

    /// Orders by name.
    public static func < (lhs: MarketID, rhs: MarketID) -> Bool { lhs.name < rhs.name }

    /// Decodes a name and checks the rule.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes the name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
