internal import GMPSupport
internal import SodiumSupport

extension Paillier {
    /// A Paillier public key: the modulus n = p·q with generator g = n + 1.
    ///
    /// Two keys are equal when their moduli are equal.
    public struct PublicKey: Sendable, Hashable {
        /// The modulus n.
        public let n: BigInteger
        /// n², the ciphertext modulus.
        public let nSquared: BigInteger
        /// The largest safe magnitude of an encoded value: ⌊n/3⌋ − 1 (phe's `max_int`).
        public let maxInt: BigInteger
        /// n − maxInt: encodings at or above this are negative.
        let negativeThreshold: BigInteger

        /// Validates `n` and creates the key.
        ///
        /// - Throws: `HEError.invalidModulus` when `n` is even, shorter than
        ///   ``Paillier/minimumKeyBits``, a perfect square, prime, or has a factor below 10 000.
        public init(n: BigInteger) throws(HEError) {
            guard n.bitWidth >= Paillier.minimumKeyBits else {
                throw .invalidModulus(reason: "\(n.bitWidth) bits, fewer than \(Paillier.minimumKeyBits)")
            }
            guard n.isOdd else { throw .invalidModulus(reason: "n is even") }
            guard !n.raw.isPerfectSquare else { throw .invalidModulus(reason: "n is a perfect square") }
            let smallPrimes = BigInteger { $0.primorial(10_000) }
            guard n.gcd(smallPrimes) == .one else { throw .invalidModulus(reason: "n has a factor below 10000") }
            guard !n.isProbablePrime(rounds: 25) else { throw .invalidModulus(reason: "n is prime") }
            self.init(validated: n)
        }

        /// Creates the key for a modulus already known to be valid (e.g. just generated).
        init(validated n: BigInteger) {
            self.n = n
            nSquared = n * n
            let third = BigInteger { $0.floorDivide(n.raw, 3) }
            maxInt = third - .one
            negativeThreshold = n - maxInt
        }

        /// The generator g = n + 1.
        public var g: BigInteger { n + .one }

        /// The modulus length in bits.
        public var bits: Int { n.bitWidth }

        /// A short, stable identifier of the key: `sha256:` and the first 16 hexadecimal digits
        /// of SHA-256 over n's big-endian bytes. Written beside ciphertexts so that one made for
        /// another key is refused instead of decrypting to a wrong value.
        public var fingerprint: String {
            let digest = Sodium.sha256(n.bigEndianMagnitude)
            let digits = Array("0123456789abcdef")
            return "sha256:" + digest.prefix(8).map { String([digits[Int($0 >> 4)], digits[Int($0 & 15)]]) }.joined()
        }

        /// Equal when the moduli are equal.
        public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.n == rhs.n }

        /// Hashes the modulus.
        public func hash(into hasher: inout Hasher) { hasher.combine(n) }

        /// Throws `keyMismatch` unless `other` is this key.
        func requireSame(_ other: PublicKey) throws(HEError) {
            guard self == other else { throw .keyMismatch(expected: fingerprint, found: other.fingerprint) }
        }
    }
}
