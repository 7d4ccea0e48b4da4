// Hexadecimal text, the form of Ethereum JSON-RPC quantities.

extension UInt256 {
    /// Parses a hexadecimal amount: an optional `0x`/`0X` prefix, then 1 to 64 digits in
    /// either case (leading zeros allowed within the 64). No sign, no spaces.
    ///
    /// - Parameters:
    ///   - text: the text, e.g. `"0x1bc16d674ec80000"`.
    ///   - field: the name of the input, used in error messages.
    /// - Throws: ``AmountParseError/empty(field:)`` (no digits, e.g. `"0x"`),
    ///   ``AmountParseError/invalidDigit(field:character:offset:expected:)`` or
    ///   ``AmountParseError/tooManyHexDigits(field:given:)``.
    public init(hex text: String, field: String = "amount") throws(AmountParseError) {
        let outcome = Self.withUTF8(of: text) { bytes -> ParseOutcome in
            var start = 0
            if bytes.count >= 2 && bytes[0] == 0x30 && (bytes[1] == 0x78 || bytes[1] == 0x58) { start = 2 }
            if bytes.count == start { return .failure(.empty(field: field)) }
            var value = UInt256.zero
            let digitCount = bytes.count - start
            for offset in start..<bytes.count {
                guard let nibble = Self.hexNibble(bytes[offset]) else {
                    return .invalid(offset: offset, expected: .hexDigit)
                }
                // Position of this digit counted from the least significant end.
                let position = bytes.count - 1 - offset
                if position < 64 { value[limb: position / 16] |= UInt64(nibble) << (4 * (position % 16)) }
            }
            if digitCount > 64 { return .failure(.tooManyHexDigits(field: field, given: digitCount)) }
            return .value(value)
        }
        self = try outcome.get(text: text, field: field)
    }

    /// `"0x"` followed by the minimal lowercase hexadecimal digits; `"0x0"` for zero.
    public var hex: String {
        let digitCount = Swift.max((significantBitCount + 3) / 4, 1)
        return String(unsafeUninitializedCapacity: 2 + digitCount) { out in
            out[0] = 0x30
            out[1] = 0x78
            for k in 0..<digitCount {
                let position = digitCount - 1 - k
                let nibble = UInt8(truncatingIfNeeded: self[limb: position / 16] >> (4 * (position % 16))) & 0x0F
                out[2 + k] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
            }
            return 2 + digitCount
        }
    }

    /// The value of an ASCII hexadecimal digit, or `nil`.
    @inline(__always)
    internal static func hexNibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x61...0x66: return byte - 0x57
        case 0x41...0x46: return byte - 0x37
        default: return nil
        }
    }
}
