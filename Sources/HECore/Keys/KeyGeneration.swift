extension Paillier {
    /// A step of key generation, reported to the caller's progress handler.
    public enum KeyGenerationEvent: Sendable, Equatable {
        /// Searching for prime `index` (1 or 2) of `bits` bits.
        case searchingPrime(index: Int, bits: Int)
        /// Prime `index` was found.
        case foundPrime(index: Int)
        /// The product did not have the requested length (or p = q); starting again.
        case retrying
        /// The key pair is ready.
        case done
    }
}

extension Paillier.PrivateKey {
    /// Generates a key pair with a modulus of exactly `bits` bits from libsodium randomness.
    ///
    /// p and q are random primes of `bits/2` bits each with their two top bits set; g = n + 1.
    ///
    /// - Parameters:
    ///   - bits: the modulus length; even and at least ``Paillier/minimumKeyBits``. Default 2048.
    ///   - progress: called on the generating thread at each step (for a progress display).
    /// - Throws: `HEError.unsupportedKeySize` for an odd or too small `bits`.
    public static func generate(
        bits: Int = Paillier.defaultKeyBits,
        progress: ((Paillier.KeyGenerationEvent) -> Void)? = nil
    ) throws(HEError) -> Paillier.PrivateKey {
        guard bits >= Paillier.minimumKeyBits, bits % 2 == 0, bits <= 1 << 16 else {
            throw .unsupportedKeySize(bits: bits, minimum: Paillier.minimumKeyBits)
        }
        let half = bits / 2
        while true {
            progress?(.searchingPrime(index: 1, bits: half))
            let p = BigInteger.randomPrime(bits: half)
            progress?(.foundPrime(index: 1))
            progress?(.searchingPrime(index: 2, bits: half))
            let q = BigInteger.randomPrime(bits: half)
            progress?(.foundPrime(index: 2))
            let n = p * q
            let phi = (p - .one) * (q - .one)
            guard p != q, n.bitWidth == bits, n.gcd(phi) == .one else {
                progress?(.retrying)
                continue
            }
            let key = Paillier.PrivateKey(
                validatedPublicKey: Paillier.PublicKey(validated: n), p: p, q: q)
            progress?(.done)
            return key
        }
    }
}
