/// A 20-byte Ethereum account address: the last 20 bytes of the Keccak-256 hash of the
/// account's uncompressed public key. Shown, and coded, with the EIP-55 mixed-case checksum.
///
/// ```swift
/// let address = try Address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
/// address.checksummed   // "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
/// try Address("0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed")  // throws checksumMismatch
/// ```
public struct Address: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The 20 address bytes.
    public let bytes: [UInt8]

    /// The number of bytes in an address.
    public static let byteCount = 20

    /// The all-zero address `0x0000000000000000000000000000000000000000`.
    public static let zero = Address(unchecked: [UInt8](repeating: 0, count: 20))

    /// Wraps 20 bytes.
    /// - Throws: ``AddressError/wrongLength(expected:actual:)`` unless there are exactly 20.
    public init(bytes: [UInt8]) throws(AddressError) {
        guard bytes.count == Self.byteCount else {
            throw .wrongLength(expected: Self.byteCount, actual: bytes.count)
        }
        self.bytes = bytes
    }

    /// Wraps bytes the caller guarantees to be exactly 20.
    package init(unchecked bytes: [UInt8]) {
        assert(bytes.count == Self.byteCount)
        self.bytes = bytes
    }

    /// Parses `0x` + 40 hex digits.
    ///
    /// All-lowercase and all-uppercase digits carry no checksum and are accepted as they are;
    /// mixed case is an EIP-55 checksum and must match exactly. The `0x` prefix is optional,
    /// as in ``Hex/decode(_:field:expectedByteCount:)``.
    /// - Throws: ``AddressError/invalidHex(_:)`` for malformed hex,
    ///   ``AddressError/wrongLength(expected:actual:)`` for anything but 20 bytes,
    ///   ``AddressError/checksumMismatch(given:expected:)`` for a wrong mixed-case checksum.
    public init(_ text: String) throws(AddressError) {
        try self.init(bytes: Hex.decode(text, field: "address", wrapping: AddressError.invalidHex))
        // Decoding succeeded with 20 bytes, so the last 40 characters are the digits.
        let digits = text.utf8.suffix(2 * Self.byteCount)
        let hasLower = digits.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f") }
        let hasUpper = digits.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") }
        guard hasLower && hasUpper else { return }
        let expected = checksummed
        guard digits.elementsEqual(expected.utf8.suffix(2 * Self.byteCount)) else {
            throw .checksumMismatch(given: text, expected: expected)
        }
    }

    // MARK: - EIP-55

    /// The EIP-55 form: `0x` + 40 hex digits where each letter is uppercase exactly when the
    /// matching nibble of Keccak-256(lowercase hex digits) is 8 or more.
    public var checksummed: String {
        let lower = Hex.encode(bytes, prefix: false)
        var hasher = Keccak256()
        hasher.update(lower.utf8)
        let hash = hasher.squeeze()
        return String(unsafeUninitializedCapacity: 42) { out in
            out[0] = UInt8(ascii: "0")
            out[1] = UInt8(ascii: "x")
            for (index, digit) in lower.utf8.enumerated() {
                // Nibble `index` of the hash: byte index / 2 (lanes are little-endian),
                // high nibble first.
                let byteIndex = index >> 1
                let word: UInt64
                switch byteIndex >> 3 {
                case 0: word = hash.0
                case 1: word = hash.1
                default: word = hash.2
                }
                let hashByte = UInt8(truncatingIfNeeded: word >> UInt64((byteIndex & 7) * 8))
                let nibble = index & 1 == 0 ? hashByte >> 4 : hashByte & 0x0f
                let isLetter = digit >= UInt8(ascii: "a")
                out[index + 2] = isLetter && nibble >= 8 ? digit - 0x20 : digit
            }
            return 42
        }
    }

    /// The checksummed form.
    public var description: String { checksummed }

    /// Lexicographic order on the bytes.
    public static func < (lhs: Address, rhs: Address) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    // MARK: - Codable

    /// Decodes the string form with the strict parser (so a wrong checksum is refused).
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeString { text in try Address(text) }
    }

    /// Encodes as the checksummed string.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeString(checksummed)
    }
}

/// Why a text or byte string was refused as an ``Address``.
public enum AddressError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text is not strict hex (bad character or odd number of digits).
    case invalidHex(HexError)
    /// The bytes are not exactly 20 long.
    case wrongLength(expected: Int, actual: Int)
    /// Mixed-case digits whose case does not match the EIP-55 checksum of the address.
    case checksumMismatch(given: String, expected: String)

    /// A sentence naming the field, what was wrong and what was expected.
    public var description: String {
        switch self {
        case .invalidHex(let error):
            return error.description
        case .wrongLength(let expected, let actual):
            return "address: \(actual) bytes; expected exactly \(expected) bytes (0x + 40 hex digits)"
        case .checksumMismatch(let given, let expected):
            return "address: mixed-case checksum mismatch in \(given), expected \(expected) "
                + "(or the address in all lowercase)"
        }
    }
}
