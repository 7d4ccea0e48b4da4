extension Decoder {
    /// Decodes a value whose Codable form is one string, read strictly by `parse`.
    ///
    /// The one decoding path of the string-coded values (``Hash32``, ``Address``,
    /// ``Signature``, a commitment salt): a refused text becomes
    /// `DecodingError.dataCorrupted` carrying the parser's own message, so the caller learns
    /// what was wrong (a bad checksum, a short hash) and not just that decoding failed.
    package func decodeString<Value>(_ parse: (String) throws -> Value) throws -> Value {
        let container = try singleValueContainer()
        let text = try container.decode(String.self)
        do {
            return try parse(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error)")
        }
    }
}

extension Encoder {
    /// Encodes `text` as the single string value of a string-coded type.
    package func encodeString(_ text: String) throws {
        var container = singleValueContainer()
        try container.encode(text)
    }
}
