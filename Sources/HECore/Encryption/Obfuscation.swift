internal import GMPSupport

extension Paillier {
    /// How the random n-th residue of an encryption is produced.
    enum Obfuscator: Sendable {
        /// rⁿ mod n² with r uniform in Z*n.
        case standard(PublicKey)
        /// hₛ^a mod n² with a short random a, from a fixed-base table (DJN).
        case fast(FastEncryptor)
        /// rⁿ mod n² computed modulo p² and q² with constant-time exponentiation, then joined.
        case crt(PrivateKey)

        /// A fresh random n-th residue modulo n².
        func randomNthResidue() -> BigInteger {
            switch self {
            case .standard(let key):
                let r = BigInteger.randomUnit(modulo: key.n) ?? .one
                return BigInteger { $0.power(r.raw, key.n.raw, modulo: key.nSquared.raw) }
            case .fast(let encryptor):
                return encryptor.randomNthResidue()
            case .crt(let key):
                let r = BigInteger.randomUnit(modulo: key.publicKey.n) ?? .one
                return key.nthPowerByCRT(r)
            }
        }
    }
}

extension Paillier.PrivateKey {
    /// rⁿ mod n² from rⁿ mod p² and rⁿ mod q², with the secret reduced exponents.
    func nthPowerByCRT(_ r: BigInteger) -> BigInteger {
        let rp = r.modulo(pSquared) ?? .one
        let rq = r.modulo(qSquared) ?? .one
        let xp = rp.powerSecret(nModPhiPSquared, modulo: pSquared)
        let xq = rq.powerSecret(nModPhiQSquared, modulo: qSquared)
        return joinByCRT(xp: xp, xq: xq)
    }

    /// The x mod n² with x ≡ xp (mod p²) and x ≡ xq (mod q²).
    func joinByCRT(xp: BigInteger, xq: BigInteger) -> BigInteger {
        BigInteger { x in
            x.subtract(xq.raw, xp.raw)
            x.multiply(x, pSquaredInverseModQSquared.raw)
            x.modulo(x, qSquared.raw)
            x.multiply(x, pSquared.raw)
            x.add(x, xp.raw)
        }
    }
}

extension Paillier.PublicKey {
    /// (1 + n·m) mod n² = gᵐ mod n² for 0 ≤ m < n.
    func nudeCiphertext(_ m: BigInteger) -> BigInteger {
        BigInteger { c in
            c.multiply(n.raw, m.raw)
            c.add(c, 1)
            c.modulo(c, nSquared.raw)
        }
    }

    /// a·b mod n².
    func multiplyModNSquared(_ a: BigInteger, _ b: BigInteger) -> BigInteger {
        BigInteger { c in
            c.multiply(a.raw, b.raw)
            c.truncatedRemainder(c, nSquared.raw)
        }
    }
}
