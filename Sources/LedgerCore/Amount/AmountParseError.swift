/// Why a text or byte form of a ``UInt256`` was refused.
///
/// Every case names the `field` that was being read, so a message can point at the input.
public enum AmountParseError: Error, Equatable, Sendable {
    /// The text holds no digits at all (`""`, or `"0x"` for hexadecimal).
    case empty(field: String)
    /// `character` at zero-based `offset` is not allowed there; `expected` says what is.
    case invalidDigit(field: String, character: Character, offset: Int, expected: Expected)
    /// A decimal amount starts with its point (`".5"`, `"."`): write `0.5`.
    case missingIntegerDigits(field: String)
    /// A decimal amount ends with its point (`"1."`): write `1` or `1.0`.
    case missingFractionalDigits(field: String)
    /// More fractional digits than the token's decimals; amounts are never rounded silently.
    case tooManyFractionalDigits(field: String, given: Int, allowed: Int)
    /// The value, in the smallest unit, exceeds 2^256 − 1.
    case outOfRange(field: String)
    /// A hexadecimal amount with more than 64 digits.
    case tooManyHexDigits(field: String, given: Int)
    /// A big-endian byte form longer than 32 bytes.
    case tooManyBytes(field: String, given: Int)
    /// A negative number of decimals was asked for.
    case negativeDecimals(field: String, decimals: Int)

    /// The kind of character a parser expected where it found an invalid one.
    public enum Expected: Equatable, Sendable, CustomStringConvertible {
        /// A decimal digit `0`–`9`.
        case decimalDigit
        /// A decimal digit or the one decimal point.
        case decimalDigitOrPoint
        /// A hexadecimal digit `0`–`9`, `a`–`f`, `A`–`F`.
        case hexDigit

        /// A human-readable phrase for the expected characters.
        public var description: String {
            switch self {
            case .decimalDigit: return "a decimal digit 0-9"
            case .decimalDigitOrPoint: return "a decimal digit 0-9 or a single '.'"
            case .hexDigit: return "a hexadecimal digit 0-9, a-f or A-F"
            }
        }
    }
}

extension AmountParseError: CustomStringConvertible {
    /// What was wrong with the input and what was expected, prefixed by the field name.
    public var description: String {
        switch self {
        case let .empty(field):
            return "\(field): no digits, expected at least one digit"
        case let .invalidDigit(field, character, offset, expected):
            return "\(field): invalid character \(String(character).debugDescription) at offset \(offset), expected \(expected)"
        case let .missingIntegerDigits(field):
            return "\(field): no digit before the decimal point, expected e.g. 0.5 rather than .5"
        case let .missingFractionalDigits(field):
            return "\(field): no digit after the decimal point, expected e.g. 1 or 1.0 rather than 1."
        case let .tooManyFractionalDigits(field, given, allowed):
            return "\(field): \(given) fractional digits, at most \(allowed) allowed (amounts are never rounded)"
        case let .outOfRange(field):
            return "\(field): value exceeds 2^256−1 = \(UInt256.max) in the smallest unit"
        case let .tooManyHexDigits(field, given):
            return "\(field): \(given) hexadecimal digits, at most 64 allowed (256 bits)"
        case let .tooManyBytes(field, given):
            return "\(field): \(given) bytes, at most 32 allowed (256 bits)"
        case let .negativeDecimals(field, decimals):
            return "\(field): decimals is \(decimals), expected 0 or more"
        }
    }
}
