extension Paillier {
    /// A Paillier ciphertext in Z*(n²) with the base-16 exponent of its encoded plaintext
    /// (phe's `EncryptedNumber`).
    public struct EncryptedNumber: Sendable, Hashable {
        /// The key the ciphertext was made under.
        public let publicKey: PublicKey
        /// The ciphertext c, with 0 < c < n² and gcd(c, n) = 1.
        public let ciphertext: BigInteger
        /// The exponent of the encrypted encoding.
        public let exponent: Int

        /// Wraps a ciphertext received from elsewhere, refusing anything outside Z*(n²).
        ///
        /// - Throws: `ciphertextOutOfRange` for 0 or c ≥ n² (or c < 0); `ciphertextNotInvertible`
        ///   when gcd(c, n) ≠ 1; `exponentOutOfRange`.
        public init(publicKey: PublicKey, ciphertext: BigInteger, exponent: Int) throws(HEError) {
            try Self.validate(ciphertext, for: publicKey)
            try Paillier.checkExponent(exponent, field: "e")
            self.init(unchecked: publicKey, ciphertext: ciphertext, exponent: exponent)
        }

        /// Wraps a ciphertext produced by this library's own operations (already in Z*(n²)).
        init(unchecked publicKey: PublicKey, ciphertext: BigInteger, exponent: Int) {
            self.publicKey = publicKey
            self.ciphertext = ciphertext
            self.exponent = exponent
        }

        /// Refuses 0, negatives, values ≥ n² and values sharing a factor with n.
        static func validate(_ c: BigInteger, for key: PublicKey) throws(HEError) {
            guard c.signum > 0, c < key.nSquared else {
                throw .ciphertextOutOfRange(bits: c.bitWidth, modulusBits: key.nSquared.bitWidth)
            }
            guard c.gcd(key.n) == .one else { throw .ciphertextNotInvertible }
        }
    }
}
