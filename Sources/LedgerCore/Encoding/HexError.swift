/// Why a hexadecimal text was refused by ``Hex/decode(_:field:expectedByteCount:)``.
public enum HexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text (after any `0x` prefix) has an odd number of digits, so its bytes do not pair up.
    case oddLength(field: String, digits: Int)
    /// A character is not a hex digit; `offset` counts characters from the start of the text,
    /// including any `0x` prefix.
    case invalidCharacter(field: String, character: Character, offset: Int)
    /// The text is well formed but encodes `actual` bytes where exactly `expected` are required.
    case wrongByteCount(field: String, expected: Int, actual: Int)

    /// A sentence naming the field, what was wrong and what was expected.
    public var description: String {
        switch self {
        case .oddLength(let field, let digits):
            return "\(field): odd number of hex digits (\(digits)); expected an even number, two per byte"
        case .invalidCharacter(let field, let character, let offset):
            return "\(field): invalid character \(String(reflecting: character)) at offset \(offset); "
                + "expected only hex digits 0-9, a-f, A-F after an optional 0x prefix"
        case .wrongByteCount(let field, let expected, let actual):
            return "\(field): \(actual) bytes; expected exactly \(expected) bytes"
        }
    }
}
