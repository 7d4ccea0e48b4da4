/// A 32-byte digest, such as a Keccak-256 hash, shown and coded as `0x` + 64 lowercase hex digits.
///
/// Ordering is lexicographic on the bytes, which is also the numeric order of the digest read as
/// a big-endian number.
public struct Hash32: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The 32 bytes of the digest.
    public let bytes: [UInt8]

    /// The number of bytes in a digest.
    public static let byteCount = 32

    /// The all-zero digest.
    public static let zero = Hash32(unchecked: [UInt8](repeating: 0, count: 32))

    /// Wraps 32 bytes.
    /// - Throws: ``HexError/wrongByteCount(field:expected:actual:)`` (field `hash`) unless
    ///   there are exactly 32 bytes.
    public init(bytes: [UInt8]) throws(HexError) {
        guard bytes.count == Self.byteCount else {
            throw .wrongByteCount(field: "hash", expected: Self.byteCount, actual: bytes.count)
        }
        self.bytes = bytes
    }

    /// Parses `0x` + 64 hex digits (the prefix is optional, digits of either case).
    /// - Parameters:
    ///   - hex: The text to parse.
    ///   - field: The name used in error messages.
    /// - Throws: ``HexError`` when the text is not exactly 32 bytes of strict hex.
    public init(hex: String, field: String = "hash") throws(HexError) {
        bytes = try Hex.decode(hex, field: field, expectedByteCount: Self.byteCount)
    }

    /// Wraps bytes the caller guarantees to be exactly 32 (a hasher's output).
    package init(unchecked bytes: [UInt8]) {
        assert(bytes.count == Self.byteCount)
        self.bytes = bytes
    }

    /// `0x` followed by 64 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }

    /// The same as ``hex``.
    public var description: String { hex }

    /// Lexicographic order on the bytes.
    public static func < (lhs: Hash32, rhs: Hash32) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    // MARK: - Codable

    /// Decodes the `0x`-hex string form, strictly.
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeString { text in try Hash32(hex: text) }
    }

    /// Encodes as the `0x`-hex string.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeString(hex)
    }
}
