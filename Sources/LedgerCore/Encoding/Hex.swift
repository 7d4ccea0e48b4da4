/// Strict hexadecimal encoding and decoding of byte strings.
///
/// Encoding always writes lowercase digits. Decoding accepts an optional `0x` or `0X` prefix,
/// then an even number of digits `0-9`, `a-f`, `A-F` and nothing else (no whitespace, no
/// separators), and can require an exact byte count.
///
/// ```swift
/// Hex.encode([0xde, 0xad])                  // "0xdead"
/// try Hex.decode("0xDEAD")                  // [0xde, 0xad]
/// try Hex.decode("0xdead", expectedByteCount: 32)  // throws HexError.wrongByteCount
/// ```
public enum Hex {
    // MARK: - Encoding

    /// Encodes bytes as lowercase hexadecimal, two digits per byte.
    ///
    /// - Parameters:
    ///   - bytes: The bytes to encode.
    ///   - prefix: Whether to start the text with `0x`.
    /// - Returns: The encoded text, for example `0x00ff10`.
    public static func encode<S: Sequence>(_ bytes: S, prefix: Bool = true) -> String where S.Element == UInt8 {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(buffer: $0, prefix: prefix) }) {
            return text
        }
        return Array(bytes).withUnsafeBufferPointer { encode(buffer: $0, prefix: prefix) }
    }

    private static func encode(buffer: UnsafeBufferPointer<UInt8>, prefix: Bool) -> String {
        let prefixLength = prefix ? 2 : 0
        let length = prefixLength + 2 * buffer.count
        return String(unsafeUninitializedCapacity: length) { out in
            var position = 0
            if prefix {
                out[0] = UInt8(ascii: "0")
                out[1] = UInt8(ascii: "x")
                position = 2
            }
            for byte in buffer {
                out[position] = digit(byte >> 4)
                out[position + 1] = digit(byte & 0x0f)
                position += 2
            }
            return length
        }
    }

    @inline(__always)
    private static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? nibble &+ UInt8(ascii: "0") : nibble &+ (UInt8(ascii: "a") &- 10)
    }

    // MARK: - Decoding

    /// Decodes strict hexadecimal text into bytes.
    ///
    /// - Parameters:
    ///   - text: Hex digits, optionally preceded by `0x` or `0X`. The empty string and a bare
    ///     prefix decode to no bytes.
    ///   - field: The name of the value being decoded, used in error messages.
    ///   - expectedByteCount: When given, the exact number of bytes the text must encode.
    /// - Returns: The decoded bytes.
    /// - Throws: ``HexError/invalidCharacter(field:character:offset:)`` for the first character
    ///   that is not a hex digit, ``HexError/oddLength(field:digits:)`` when the digits do not
    ///   pair up, ``HexError/wrongByteCount(field:expected:actual:)`` when `expectedByteCount`
    ///   is given and not met. The checks run in that order.
    public static func decode(
        _ text: String, field: String = "hex", expectedByteCount: Int? = nil
    ) throws(HexError) -> [UInt8] {
        let outcome: Outcome =
            text.utf8.withContiguousStorageIfAvailable { decode(utf8: $0, expectedByteCount: expectedByteCount) }
            ?? Array(text.utf8).withUnsafeBufferPointer { decode(utf8: $0, expectedByteCount: expectedByteCount) }
        switch outcome {
        case .bytes(let bytes):
            return bytes
        case .invalidByte(let utf8Offset):
            let (character, offset) = firstInvalidCharacter(in: text, fallbackUTF8Offset: utf8Offset)
            throw .invalidCharacter(field: field, character: character, offset: offset)
        case .oddLength(let digits):
            throw .oddLength(field: field, digits: digits)
        case .wrongByteCount(let actual):
            throw .wrongByteCount(field: field, expected: expectedByteCount ?? actual, actual: actual)
        }
    }

    /// Decodes like ``decode(_:field:expectedByteCount:)`` and hands a ``HexError`` to `wrap`,
    /// throwing what it makes: one place for the types whose hex initialisers report malformed
    /// hex as their own `invalidHex` case (addresses, keys, signatures).
    static func decode<Failure: Error>(
        _ text: String, field: String, wrapping wrap: (HexError) -> Failure
    ) throws(Failure) -> [UInt8] {
        do { return try decode(text, field: field) } catch { throw wrap(error) }
    }

    /// The result of decoding UTF-8, before the error is dressed with the field name.
    private enum Outcome {
        case bytes([UInt8])
        case invalidByte(utf8Offset: Int)
        case oddLength(digits: Int)
        case wrongByteCount(actual: Int)
    }

    /// The length of a `0x`/`0X` prefix at the start of `utf8`, 0 or 2.
    @inline(__always)
    private static func prefixLength(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        if utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] | 0x20 == UInt8(ascii: "x") { return 2 }
        return 0
    }

    private static func decode(utf8: UnsafeBufferPointer<UInt8>, expectedByteCount: Int?) -> Outcome {
        let start = prefixLength(utf8)
        // Validate every character before looking at the length, so that the most specific
        // complaint (a bad character) wins.
        for index in start..<utf8.count where nibble(utf8[index]) == nil {
            return .invalidByte(utf8Offset: index)
        }
        let digits = utf8.count - start
        guard digits % 2 == 0 else { return .oddLength(digits: digits) }
        let count = digits / 2
        if let expectedByteCount, expectedByteCount != count { return .wrongByteCount(actual: count) }
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { out, initialised in
            var position = start
            for index in 0..<count {
                let high = nibble(utf8[position]) ?? 0
                let low = nibble(utf8[position + 1]) ?? 0
                out[index] = high << 4 | low
                position += 2
            }
            initialised = count
        }
        return .bytes(bytes)
    }

    /// The value of one ASCII hex digit, or nil.
    @inline(__always)
    static func nibble(_ ascii: UInt8) -> UInt8? {
        switch ascii {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return ascii &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return ascii &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return ascii &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }

    /// Finds the first character (a whole grapheme cluster, so that `é` is reported as itself
    /// rather than as half of its UTF-8 encoding) that is not a hex digit, with its offset
    /// in characters from the start of the text, prefix included.
    private static func firstInvalidCharacter(in text: String, fallbackUTF8Offset: Int) -> (Character, Int) {
        var offset = 0
        var remaining = Substring(text)
        if let first = remaining.first, first == "0", let second = remaining.dropFirst().first,
            second == "x" || second == "X"
        {
            remaining = remaining.dropFirst(2)
            offset = 2
        }
        for character in remaining {
            if !(character.isASCII && character.isHexDigit) { return (character, offset) }
            offset += 1
        }
        // Unreachable when every character is an ASCII hex digit, because then so is every
        // byte; kept as a total answer rather than a trap.
        let byte = text.utf8.dropFirst(fallbackUTF8Offset).first ?? UInt8(ascii: "?")
        return (Character(Unicode.Scalar(byte)), fallbackUTF8Offset)
    }
}
