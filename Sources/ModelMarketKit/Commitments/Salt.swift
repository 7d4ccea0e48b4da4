import LedgerCore

/// Thirty-two secret random bytes mixed into a commitment so that its payload cannot be
/// guessed from the hash (a test set with few classes could otherwise be brute-forced).
///
/// Coded as `0x` + 64 hex digits.
public struct Salt: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 32 bytes.
    public let bytes: [UInt8]

    /// The number of bytes in a salt.
    public static let byteCount = 32

    /// Wraps exactly 32 bytes.
    /// - Throws: ``CommitmentError/wrongSaltLength(found:)`` for any other length.
    public init(bytes: [UInt8]) throws(CommitmentError) {
        guard bytes.count == Self.byteCount else { throw .wrongSaltLength(found: bytes.count) }
        self.bytes = bytes
    }

    /// Parses `0x` + 64 hex digits.
    /// - Throws: ``CommitmentError/malformedSalt(reason:)`` when the text is not 32 bytes of hex.
    public init(hex: String) throws(CommitmentError) {
        do { bytes = try Hex.decode(hex, field: "salt", expectedByteCount: Self.byteCount) } catch {
            throw .malformedSalt(reason: error.description)
        }
    }

    /// A fresh salt from the system's cryptographically secure generator (`getrandom` on Linux,
    /// `arc4random` on Apple platforms, via `SystemRandomNumberGenerator`).
    public static func random() -> Salt {
        var generator = SystemRandomNumberGenerator()
        return drawn(from: &generator)
    }

    /// A salt derived from a seed, for reproducible tests and demos only (never for real use).
    public static func deterministic(seed: UInt64) -> Salt {
        var rng = SplitMix64(seed: seed)
        return drawn(from: &rng)
    }

    /// `byteCount` bytes from `generator`'s next 64-bit words, each word little-endian.
    private static func drawn(from generator: inout some RandomNumberGenerator) -> Salt {
        var out: [UInt8] = []
        out.reserveCapacity(byteCount)
        for _ in 0..<(byteCount / 8) {
            var word = generator.next()
            for _ in 0..<8 {
                out.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return Salt(unchecked: out)
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// `0x` + 64 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }

    /// The salt as `0x` followed by 64 lowercase hex digits (the same as ``hex``).
    public var description: String { hex }

    /// Decodes the hex form strictly.
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeString { text in try Salt(hex: text) }
    }

    /// Encodes the hex form.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeString(hex)
    }
}
