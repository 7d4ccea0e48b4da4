internal import Secp256k1Support

/// A secp256k1 public key, validated by libsecp256k1 and kept in uncompressed form, so two
/// encodings of the same point are equal and hash alike.
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The 65-byte uncompressed encoding: `0x04`, then x and y (32 bytes each, big-endian).
    public let uncompressed: [UInt8]

    /// Parses and validates a public key.
    ///
    /// - Parameter bytes: 33 bytes compressed (`0x02`/`0x03` + x), 65 bytes uncompressed
    ///   (`0x04` + x + y) or 64 bytes raw x‖y as Ethereum tooling often prints them.
    /// - Throws: ``KeyError/wrongPublicKeyLength(actual:)`` for another length,
    ///   ``KeyError/invalidPublicKey(_:)`` for a wrong prefix or a point not on the curve.
    public init(bytes: [UInt8]) throws(KeyError) {
        var input = bytes
        switch bytes.count {
        case 33:
            guard bytes[0] == 0x02 || bytes[0] == 0x03 else {
                throw .invalidPublicKey("33-byte key starts with \(Hex.encode(bytes.prefix(1))); expected 0x02 or 0x03")
            }
        case 64:
            input = [0x04] + bytes
        case 65:
            // libsecp256k1 would also take the rare "hybrid" 0x06/0x07 form; Ethereum never uses it.
            guard bytes[0] == 0x04 else {
                throw .invalidPublicKey("65-byte key starts with \(Hex.encode(bytes.prefix(1))); expected 0x04")
            }
        default:
            throw .wrongPublicKeyLength(actual: bytes.count)
        }
        guard let parsed = Secp256k1.parsePublicKey(input) else {
            throw .invalidPublicKey("\(Hex.encode(bytes)) is not a point on secp256k1")
        }
        uncompressed = parsed
    }

    /// Parses a hex public key (optional `0x`), in any form ``init(bytes:)`` accepts.
    /// - Throws: ``KeyError/invalidHex(_:)`` for malformed hex, otherwise as ``init(bytes:)``.
    public init(hex: String) throws(KeyError) {
        try self.init(bytes: Hex.decode(hex, field: "public key", wrapping: KeyError.invalidHex))
    }

    /// Wraps a 65-byte uncompressed encoding that libsecp256k1 itself produced.
    init(uncheckedUncompressed bytes: [UInt8]) {
        assert(bytes.count == 65 && bytes[0] == 0x04)
        uncompressed = bytes
    }

    // MARK: - Encodings

    /// The 33-byte compressed encoding: `0x02` (y even) or `0x03` (y odd), then x.
    public var compressed: [UInt8] {
        let yIsOdd = uncompressed[64] & 1 == 1
        return [yIsOdd ? 0x03 : 0x02] + uncompressed[1..<33]
    }

    /// The 64 bytes x‖y without the `0x04` prefix, the form Ethereum hashes.
    public var raw: [UInt8] { Array(uncompressed[1...]) }

    /// The Ethereum address of this key: the last 20 bytes of Keccak-256(x‖y).
    public var address: Address {
        uncompressed.withUnsafeBytes { Self.address(ofUncompressed: $0) }
    }

    /// The address of a 65-byte uncompressed encoding, hashing it in place.
    static func address(ofUncompressed bytes: UnsafeRawBufferPointer) -> Address {
        var hasher = Keccak256()
        hasher.update(UnsafeRawBufferPointer(rebasing: bytes[1..<65]))
        let hash = hasher.squeeze()
        // Hash bytes 12 ..< 32 are the top half of lane 1 and all of lanes 2 and 3 (little-endian).
        let bytes = [UInt8](unsafeUninitializedCapacity: Address.byteCount) { out, initialised in
            let raw = UnsafeMutableRawBufferPointer(out)
            raw.storeBytes(of: UInt32(truncatingIfNeeded: hash.1 >> 32).littleEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: hash.2.littleEndian, toByteOffset: 4, as: UInt64.self)
            raw.storeBytes(of: hash.3.littleEndian, toByteOffset: 12, as: UInt64.self)
            initialised = Address.byteCount
        }
        return Address(unchecked: bytes)
    }

    /// The uncompressed encoding in hex.
    public var description: String { "PublicKey(\(Hex.encode(uncompressed)))" }
}
