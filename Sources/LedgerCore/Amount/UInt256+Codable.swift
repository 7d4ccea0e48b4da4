// JSON and other Codable formats: the base-10 integer string, because JSON numbers lose
// precision above 2^53.

extension UInt256: Codable {
    /// Decodes the base-10 integer string form, strictly (see ``init(decimalInteger:field:)``);
    /// a JSON number is refused because it would lose precision above 2^53.
    ///
    /// - Throws: `DecodingError.typeMismatch` for a non-string, `DecodingError.dataCorrupted`
    ///   (with the ``AmountParseError`` as underlying error) for a malformed string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        let path = decoder.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
        let field = path.isEmpty ? "amount" : path.joined(separator: ".")
        do {
            self = try UInt256(decimalInteger: text, field: field)
        } catch {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: error.description, underlyingError: error))
        }
    }

    /// Encodes the base-10 integer string form, e.g. `"1500000000000000000"`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
