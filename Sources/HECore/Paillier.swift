/// The Paillier cryptosystem, compatible with python-paillier (`phe`).
///
/// Keys: ``Paillier/PublicKey``, ``Paillier/PrivateKey``; plaintexts: ``Paillier/EncodedNumber``;
/// ciphertexts: ``Paillier/EncryptedNumber``.
///
/// ```swift
/// let privateKey = try Paillier.PrivateKey.generate(bits: 2048)
/// let a = try privateKey.publicKey.encrypt(1.5)
/// let sum = try a.adding(try privateKey.publicKey.encrypt(-4))
/// try privateKey.decrypt(sum)   // .double(-2.5)
/// ```
public enum Paillier {
    /// The base of the fixed-point encoding (phe's `EncodedNumber.BASE`).
    public static let base = 16
    /// log₂ of ``base`` (phe's `LOG2_BASE`).
    public static let log2Base = 4
    /// Mantissa bits of a `Double` (phe's `FLOAT_MANTISSA_BITS`).
    public static let floatMantissaDigits = 53
    /// The default modulus length in bits.
    public static let defaultKeyBits = 2048
    /// The smallest modulus length accepted.
    public static let minimumKeyBits = 512

    /// A ciphertext with its exponent (phe's `EncryptedNumber`).
    public typealias Ciphertext = EncryptedNumber
}
