internal import Secp256k1Support
internal import SodiumSupport

/// A secp256k1 private key: 32 bytes, a scalar in 1 ..< n.
///
/// Signs with deterministic (RFC 6979) recoverable ECDSA, low-s, as Ethereum wallets do.
/// Printing a key never shows its bytes: `description`, `debugDescription` and its mirror
/// (used by `dump`) show only `PrivateKey(<redacted> address 0x…)`.
///
/// ```swift
/// let key = PrivateKey.generate()
/// let signature = key.signPersonalMessage("hello")
/// try PersonalMessage.recoverSigner(of: Array("hello".utf8), signature: signature) == key.address  // true
/// ```
public struct PrivateKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The 32 secret bytes.
    private let secret: [UInt8]
    /// The matching public key, derived once when the key is made.
    public let publicKey: PublicKey

    /// Wraps 32 secret bytes (big-endian scalar).
    /// - Throws: ``KeyError/wrongLength(expected:actual:)`` unless 32 bytes, ``KeyError/zero``,
    ///   ``KeyError/notBelowGroupOrder`` when the value is n or more.
    public init(bytes: [UInt8]) throws(KeyError) {
        guard bytes.count == 32 else { throw .wrongLength(expected: 32, actual: bytes.count) }
        guard !Secp256k1Group.isZero(bytes) else { throw .zero }
        guard Secp256k1Group.isBelowOrder(bytes) else { throw .notBelowGroupOrder }
        // The range checks above are exactly libsecp256k1's validity rule, so this holds.
        guard let uncompressed = Secp256k1.publicKey(ofSecret: bytes) else { throw .notBelowGroupOrder }
        secret = bytes
        publicKey = PublicKey(uncheckedUncompressed: uncompressed)
    }

    /// Parses 64 hex digits (optional `0x`).
    /// - Throws: ``KeyError/invalidHex(_:)`` for malformed hex, otherwise as ``init(bytes:)``.
    public init(hex: String) throws(KeyError) {
        try self.init(bytes: Hex.decode(hex, field: "private key", wrapping: KeyError.invalidHex))
    }

    /// A fresh random key from libsodium's CSPRNG (`randombytes_buf`), drawing again in the
    /// vanishingly rare case (about 2^-128) that the bytes are zero or not below n.
    public static func generate() -> PrivateKey {
        while true {
            var candidate = [UInt8](repeating: 0, count: 32)
            candidate.withUnsafeMutableBytes { SecureRandom.fill($0) }
            if let key = try? PrivateKey(bytes: candidate) { return key }
        }
    }

    /// The 32 secret bytes, big-endian. Handle with care.
    public var bytes: [UInt8] { secret }

    /// The Ethereum address of this key.
    public var address: Address { publicKey.address }

    // MARK: - Signing

    /// Signs a 32-byte digest with deterministic (RFC 6979) recoverable ECDSA.
    ///
    /// The result is low-s (libsecp256k1 always normalises s) and has recovery id 0 or 1. A
    /// recovery id of 2 or 3 (an R whose x is above n, probability about 2^-127) cannot be
    /// expressed in Ethereum's v, so in that case the nonce is re-derived with a counter as
    /// RFC 6979 extra data, which keeps the result deterministic.
    public func sign(digest: Hash32) -> Signature {
        var attempt: UInt64 = 0
        while true {
            // RFC 6979 extra data: none on the first attempt (the standard nonce), then the
            // counter, little-endian, in 32 bytes.
            let extraData = attempt == 0
                ? nil : withUnsafeBytes(of: attempt.littleEndian) { Array($0) } + [UInt8](repeating: 0, count: 24)
            // The key was validated at creation and the RFC 6979 nonce function never gives up,
            // so signing cannot fail; the check only guards against an unforeseen library change.
            guard let (compact, recoveryID) = Secp256k1.signRecoverable(
                digest: digest.bytes, secret: secret, extraData: extraData)
            else { preconditionFailure("secp256k1_ecdsa_sign_recoverable failed for a validated key") }
            if recoveryID == 0 || recoveryID == 1 {
                return Signature(
                    unchecked: Array(compact[0..<32]), s: Array(compact[32..<64]), recoveryID: UInt8(recoveryID))
            }
            attempt &+= 1
        }
    }

    /// Signs `message` as an EIP-191 personal message (what `personal_sign` and
    /// `eth_account.Account.sign_message(encode_defunct(...))` do).
    public func signPersonalMessage(_ message: [UInt8]) -> Signature {
        sign(digest: PersonalMessage.digest(message))
    }

    /// Signs the UTF-8 bytes of `message` as an EIP-191 personal message.
    public func signPersonalMessage(_ message: String) -> Signature {
        sign(digest: PersonalMessage.digest(message))
    }

    // MARK: - Equality and printing

    /// Compares the secrets in constant time.
    public static func == (lhs: PrivateKey, rhs: PrivateKey) -> Bool {
        SecureRandom.constantTimeEqual(lhs.secret, rhs.secret)
    }

    /// `PrivateKey(<redacted> address 0x…)`: never the secret.
    public var description: String { "PrivateKey(<redacted> address \(address.checksummed))" }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A mirror showing only the address, so `dump` and debuggers do not print the secret.
    public var customMirror: Mirror {
        Mirror(self, children: ["address": address.checksummed], displayStyle: .struct)
    }
}
