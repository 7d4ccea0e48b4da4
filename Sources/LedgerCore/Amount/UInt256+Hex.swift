// Hexadecimal text and big-endian bytes (the forms of Ethereum JSON-RPC quantities and RLP).

extension UInt256 {
    /// Parses a hexadecimal amount: an optional `0x`/`0X` prefix, then 1 to 64 digits in
    /// either case (leading zeros allowed within the 64). No sign, no spaces.
    ///
    /// - Parameters:
    ///   - hex: the text, e.g. `"0x1bc16d674ec80000"`.
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

// MARK: - Bytes

extension UInt256 {
    /// Creates a value from at most 32 big-endian bytes; shorter input is read as if padded
    /// with zeros on the left (an empty collection is zero).
    ///
    /// - Parameters:
    ///   - bytes: the bytes, most significant first.
    ///   - field: the name of the input, used in error messages.
    /// - Throws: ``AmountParseError/tooManyBytes(field:given:)`` for more than 32 bytes.
    public init(bigEndianBytes bytes: some Collection<UInt8>, field: String = "amount") throws(AmountParseError) {
        let count = bytes.count
        guard count <= 32 else { throw .tooManyBytes(field: field, given: count) }
        var value = UInt256.zero
        var position = count - 1
        for byte in bytes {
            value[limb: position / 8] |= UInt64(byte) << (8 * (position % 8))
            position -= 1
        }
        self = value
    }

    /// The value as exactly 32 big-endian bytes (left-padded with zeros).
    public var bigEndianBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, initialized in
            for k in 0..<32 {
                let position = 31 - k
                out[k] = UInt8(truncatingIfNeeded: self[limb: position / 8] >> (8 * (position % 8)))
            }
            initialized = 32
        }
    }

    /// The value as big-endian bytes without leading zero bytes; empty for zero (the
    /// integer form RLP uses).
    public var minimalBigEndianBytes: [UInt8] {
        let count = (significantBitCount + 7) / 8
        return [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            for k in 0..<count {
                let position = count - 1 - k
                out[k] = UInt8(truncatingIfNeeded: self[limb: position / 8] >> (8 * (position % 8)))
            }
            initialized = count
        }
    }
}

// MARK: - Codable

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
