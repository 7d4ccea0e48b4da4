internal import Secp256k1Support

/// A recoverable secp256k1 ECDSA signature as Ethereum uses it: r, s and a recovery id.
///
/// On the wire it is 65 bytes r‖s‖v with v = 27 + recovery id, as MetaMask and `eth-account`
/// produce; parsing also takes v = 0 or 1. Only canonical signatures are accepted: r and s in
/// 1 ..< n and s ≤ n/2 (low-s), so each message and key has exactly one valid signature form.
///
/// ```swift
/// let signature = try Signature(hex: "0x15dc…1b")
/// let signer = try signature.recoverAddress(digest: PersonalMessage.digest("hello"))
/// ```
public struct Signature: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The x coordinate of the nonce point, reduced mod n (32 bytes, big-endian).
    public let r: [UInt8]
    /// The proof scalar (32 bytes, big-endian), at most n/2.
    public let s: [UInt8]
    /// Which of the candidate public keys is the signer's: 0 or 1 (the parity of the nonce point's y).
    public let recoveryID: UInt8

    /// The length of the wire form r‖s‖v.
    public static let byteCount = 65

    /// Builds a signature from its parts, validating them.
    /// - Throws: ``SignatureError/wrongLength(expected:actual:)`` when r or s is not 32 bytes,
    ///   ``SignatureError/recoveryIDOutOfRange(_:)`` unless the id is 0 or 1, and the r and s
    ///   range errors described on ``init(bytes:)``.
    public init(r: [UInt8], s: [UInt8], recoveryID: UInt8) throws(SignatureError) {
        guard r.count == 32 else { throw .wrongLength(expected: 32, actual: r.count) }
        guard s.count == 32 else { throw .wrongLength(expected: 32, actual: s.count) }
        guard recoveryID <= 1 else { throw .recoveryIDOutOfRange(recoveryID) }
        try Self.validate(r: r, s: s)
        self.r = r
        self.s = s
        self.recoveryID = recoveryID
    }

    /// Parses the 65-byte wire form r‖s‖v.
    /// - Throws: ``SignatureError/wrongLength(expected:actual:)`` unless 65 bytes;
    ///   ``SignatureError/recoveryIDOutOfRange(_:)`` unless v is 0, 1, 27 or 28;
    ///   ``SignatureError/zeroR``, ``SignatureError/rNotBelowOrder``, ``SignatureError/zeroS``,
    ///   ``SignatureError/sNotBelowOrder`` or ``SignatureError/highS`` for an r or s out of range
    ///   (checked in that order).
    public init(bytes: [UInt8]) throws(SignatureError) {
        guard bytes.count == Self.byteCount else {
            throw .wrongLength(expected: Self.byteCount, actual: bytes.count)
        }
        let v = bytes[64]
        let id: UInt8
        switch v {
        case 0, 1: id = v
        case 27, 28: id = v - 27
        default: throw .recoveryIDOutOfRange(v)
        }
        let r = Array(bytes[0..<32])
        let s = Array(bytes[32..<64])
        try Self.validate(r: r, s: s)
        self.r = r
        self.s = s
        self.recoveryID = id
    }

    /// Parses the wire form from hex (`0x` + 130 digits; the prefix is optional).
    /// - Throws: ``SignatureError/invalidHex(_:)`` for malformed hex, otherwise as ``init(bytes:)``.
    public init(hex: String) throws(SignatureError) {
        try self.init(bytes: Hex.decode(hex, field: "signature", wrapping: SignatureError.invalidHex))
    }

    /// Wraps parts libsecp256k1 produced (32-byte low-s r and s, id 0 or 1).
    init(unchecked r: [UInt8], s: [UInt8], recoveryID: UInt8) {
        assert(r.count == 32 && s.count == 32 && recoveryID <= 1)
        self.r = r
        self.s = s
        self.recoveryID = recoveryID
    }

    private static func validate(r: [UInt8], s: [UInt8]) throws(SignatureError) {
        guard !Secp256k1Group.isZero(r) else { throw .zeroR }
        guard Secp256k1Group.isBelowOrder(r) else { throw .rNotBelowOrder }
        guard !Secp256k1Group.isZero(s) else { throw .zeroS }
        guard Secp256k1Group.isBelowOrder(s) else { throw .sNotBelowOrder }
        guard Secp256k1Group.isLowHalf(s) else { throw .highS }
    }

    // MARK: - Wire form

    /// The 65-byte wire form r‖s‖v with v = 27 + ``recoveryID``.
    public var bytes: [UInt8] { r + s + [27 + recoveryID] }

    /// The wire form as `0x` + 130 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }

    /// The same as ``hex``.
    public var description: String { hex }

    // MARK: - Recovery

    /// Recovers the public key that made this signature over `digest`.
    /// - Throws: ``SignatureError/recoveryFailed`` when no key fits (r is not the x coordinate
    ///   of a curve point, or the recovered point is infinity).
    public func recoverPublicKey(digest: Hash32) throws(SignatureError) -> PublicKey {
        var uncompressed = [UInt8](repeating: 0, count: 65)
        let recovered = uncompressed.withUnsafeMutableBytes { recoverUncompressed(digest: digest, into: $0) }
        guard recovered else { throw .recoveryFailed }
        return PublicKey(uncheckedUncompressed: uncompressed)
    }

    /// Recovers the address of the key that made this signature over `digest`.
    /// - Throws: ``SignatureError/recoveryFailed`` when no key fits.
    public func recoverAddress(digest: Hash32) throws(SignatureError) -> Address {
        // The uncompressed key lives in a stack tuple and is hashed in place: the only heap
        // allocation on this path is the returned address's 20 bytes.
        var uncompressed: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0)
        let address: Address? = withUnsafeMutableBytes(of: &uncompressed) { raw in
            let out = UnsafeMutableRawBufferPointer(rebasing: raw[0..<65])
            guard recoverUncompressed(digest: digest, into: out) else { return nil }
            return PublicKey.address(ofUncompressed: UnsafeRawBufferPointer(out))
        }
        guard let address else { throw .recoveryFailed }
        return address
    }

    /// Whether this signature over `digest` was made by the key of `address`.
    public func isValid(for address: Address, digest: Hash32) -> Bool {
        (try? recoverAddress(digest: digest)) == address
    }

    /// Recovers the signer's key into `out` (65 bytes, uncompressed); false when none fits.
    private func recoverUncompressed(digest: Hash32, into out: UnsafeMutableRawBufferPointer) -> Bool {
        Secp256k1.recoverUncompressed(digest: digest.bytes, r: r, s: s, recoveryID: Int32(recoveryID), into: out)
    }

    // MARK: - Codable

    /// Decodes the `0x`-hex wire form, strictly.
    public init(from decoder: any Decoder) throws {
        self = try decoder.decodeString { text in try Signature(hex: text) }
    }

    /// Encodes as the `0x`-hex wire form (v = 27 or 28).
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeString(hex)
    }
}

/// Why bytes or text were refused as a ``Signature``, or why recovery found no signer.
public enum SignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The signature (65 bytes) or one of its parts r, s (32 bytes) has the wrong length.
    case wrongLength(expected: Int, actual: Int)
    /// The signature text is not strict hex.
    case invalidHex(HexError)
    /// v (or the recovery id) is not 0, 1, 27 or 28.
    case recoveryIDOutOfRange(UInt8)
    /// r is zero.
    case zeroR
    /// s is zero.
    case zeroS
    /// r is not below the group order n.
    case rNotBelowOrder
    /// s is not below the group order n.
    case sNotBelowOrder
    /// s is above n/2: the malleable twin of a valid signature, refused to keep signatures unique.
    case highS
    /// No public key fits the signature and digest.
    case recoveryFailed

    /// A sentence naming the field, what was wrong and what was expected.
    public var description: String {
        switch self {
        case .wrongLength(let expected, let actual):
            return "signature: \(actual) bytes; expected exactly \(expected)"
                + (expected == 65 ? " (r‖s‖v)" : " (r or s)")
        case .invalidHex(let error):
            return error.description
        case .recoveryIDOutOfRange(let v):
            return "signature: v is \(v); expected 27 or 28 (or a recovery id 0 or 1)"
        case .zeroR:
            return "signature: r is zero; expected 1 ..< n"
        case .zeroS:
            return "signature: s is zero; expected 1 ... n/2"
        case .rNotBelowOrder:
            return "signature: r is not below the group order n; expected 1 ..< n"
        case .sNotBelowOrder:
            return "signature: s is not below the group order n; expected 1 ... n/2"
        case .highS:
            return "signature: s is above n/2 (high-s, malleable form); expected a low-s signature "
                + "(replace s by n − s and flip v)"
        case .recoveryFailed:
            return "signature: no public key can be recovered for this digest; "
                + "expected r to be the x coordinate of a curve point"
        }
    }
}
