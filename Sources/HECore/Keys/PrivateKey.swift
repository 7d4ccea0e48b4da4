internal import GMPSupport

extension Paillier {
    /// A Paillier private key: the primes p < q of the public modulus with the CRT
    /// precomputations used for decryption and for the owner's fast encryption.
    public struct PrivateKey: Sendable, Hashable {
        /// The public key n = p·q.
        public let publicKey: PublicKey
        /// The smaller prime.
        public let p: BigInteger
        /// The larger prime.
        public let q: BigInteger
        /// p².
        let pSquared: BigInteger
        /// q².
        let qSquared: BigInteger
        /// p − 1, the secret decryption exponent modulo p².
        let pMinusOne: BigInteger
        /// q − 1, the secret decryption exponent modulo q².
        let qMinusOne: BigInteger
        /// p⁻¹ mod q, for recombining plaintexts.
        let pInverseModQ: BigInteger
        /// (p²)⁻¹ mod q², for recombining ciphertexts.
        let pSquaredInverseModQSquared: BigInteger
        /// h_p = L_p(g^(p−1) mod p²)⁻¹ mod p.
        let hp: BigInteger
        /// h_q = L_q(g^(q−1) mod q²)⁻¹ mod q.
        let hq: BigInteger
        /// n mod p(p−1): the exponent of rⁿ modulo p² (secret).
        let nModPhiPSquared: BigInteger
        /// n mod q(q−1): the exponent of rⁿ modulo q² (secret).
        let nModPhiQSquared: BigInteger

        /// Validates `p` and `q` against `publicKey` and precomputes the CRT values.
        ///
        /// - Throws: `HEError.invalidPrivateKey` when p·q ≠ n, p = q, either is not prime,
        ///   or gcd(n, (p−1)(q−1)) ≠ 1.
        public init(publicKey: PublicKey, p: BigInteger, q: BigInteger) throws(HEError) {
            guard p.signum > 0, q.signum > 0, p * q == publicKey.n else {
                throw .invalidPrivateKey(reason: "p·q differs from the public modulus n")
            }
            guard p != q else { throw .invalidPrivateKey(reason: "p equals q") }
            guard p.isProbablePrime(rounds: 25), q.isProbablePrime(rounds: 25) else {
                throw .invalidPrivateKey(reason: "p or q is not prime")
            }
            let phi = (p - .one) * (q - .one)
            guard publicKey.n.gcd(phi) == .one else {
                throw .invalidPrivateKey(reason: "gcd(n, (p−1)(q−1)) ≠ 1")
            }
            self.init(validatedPublicKey: publicKey, p: p, q: q)
        }

        /// Precomputes for factors already known to be valid.
        init(validatedPublicKey publicKey: PublicKey, p first: BigInteger, q second: BigInteger) {
            self.publicKey = publicKey
            let (p, q) = first < second ? (first, second) : (second, first)
            self.p = p
            self.q = q
            pSquared = p * p
            qSquared = q * q
            pMinusOne = p - .one
            qMinusOne = q - .one
            // Valid keys make every inverse below exist; `?? .one` is unreachable for them.
            pInverseModQ = p.inverse(modulo: q) ?? .one
            pSquaredInverseModQSquared = pSquared.inverse(modulo: qSquared) ?? .one
            hp = Self.hFunction(g: publicKey.g, prime: p, primeSquared: pSquared)
            hq = Self.hFunction(g: publicKey.g, prime: q, primeSquared: qSquared)
            nModPhiPSquared = publicKey.n.modulo(p * pMinusOne) ?? .one
            nModPhiQSquared = publicKey.n.modulo(q * qMinusOne) ?? .one
        }

        /// h = L(g^(x−1) mod x²)⁻¹ mod x, with L(u) = (u − 1)/x.
        private static func hFunction(g: BigInteger, prime: BigInteger, primeSquared: BigInteger) -> BigInteger {
            let u = g.powerSecret(prime - .one, modulo: primeSquared)
            let l = BigInteger { $0.subtract(u.raw, 1); $0.divideExactly($0, prime.raw) }
            return l.inverse(modulo: prime) ?? .one
        }

        /// Equal when the factors are equal.
        public static func == (lhs: PrivateKey, rhs: PrivateKey) -> Bool { lhs.p == rhs.p && lhs.q == rhs.q }

        /// Hashes the factors.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(p)
            hasher.combine(q)
        }
    }
}
