/// Why bytes or text were refused as a ``PrivateKey`` or ``PublicKey``.
public enum KeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A private key that is not exactly `expected` (32) bytes long.
    case wrongLength(expected: Int, actual: Int)
    /// A private key of value zero, which has no public key.
    case zero
    /// A private key that is not below the secp256k1 group order n.
    case notBelowGroupOrder
    /// Key text that is not strict hex.
    case invalidHex(HexError)
    /// A public key of 33, 64 or 65 bytes that libsecp256k1 refuses (bad prefix, not on the curve).
    case invalidPublicKey(String)
    /// A public key whose length is not 33 (compressed), 64 (raw x‖y) or 65 (uncompressed).
    case wrongPublicKeyLength(actual: Int)

    /// A sentence naming the field, what was wrong and what was expected.
    public var description: String {
        switch self {
        case .wrongLength(let expected, let actual):
            return "private key: \(actual) bytes; expected exactly \(expected)"
        case .zero:
            return "private key: is zero; expected a value in 1 ..< n (the secp256k1 group order)"
        case .notBelowGroupOrder:
            return "private key: is not below the secp256k1 group order n "
                + "(0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141); expected 1 ..< n"
        case .invalidHex(let error):
            return error.description
        case .invalidPublicKey(let reason):
            return "public key: \(reason)"
        case .wrongPublicKeyLength(let actual):
            return "public key: \(actual) bytes; expected 33 (compressed), 64 (x‖y) or 65 (uncompressed)"
        }
    }
}
