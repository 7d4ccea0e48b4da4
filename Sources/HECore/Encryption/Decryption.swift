internal import GMPSupport

extension Paillier.PrivateKey {
    /// Decrypts and decodes (phe semantics: an exact integer at exponent ≥ 0, else a `Double`).
    ///
    /// - Throws: `keyMismatch`; `ciphertextOutOfRange`/`ciphertextNotInvertible` for a value
    ///   outside Z*(n²); `decodingOverflow` when the plaintext lies in the overflow band.
    public func decrypt(_ number: Paillier.EncryptedNumber) throws(HEError) -> Paillier.PlainNumber {
        try decryptEncoded(number).decode()
    }

    /// Decrypts and decodes one ciphertext with its two CRT halves (modulo p² and q²) computed
    /// at the same time on two cores: lower latency for a single value, the same constant-time
    /// exponentiations. For many ciphertexts, decrypt them side by side instead.
    ///
    /// - Throws: the errors of ``decrypt(_:)-(Paillier.EncryptedNumber)``.
    public func decryptConcurrently(_ number: Paillier.EncryptedNumber) throws(HEError) -> Paillier.PlainNumber {
        try publicKey.requireSame(number.publicKey)
        let m = try rawDecrypt(number.ciphertext, concurrently: true)
        return try Paillier.EncodedNumber(unchecked: publicKey, encoding: m, exponent: number.exponent).decode()
    }

    /// Decrypts to the encoding without decoding it.
    ///
    /// - Throws: `keyMismatch`, `ciphertextOutOfRange`, `ciphertextNotInvertible`.
    public func decryptEncoded(_ number: Paillier.EncryptedNumber) throws(HEError) -> Paillier.EncodedNumber {
        try publicKey.requireSame(number.publicKey)
        let m = try rawDecrypt(number.ciphertext)
        return Paillier.EncodedNumber(unchecked: publicKey, encoding: m, exponent: number.exponent)
    }

    /// The plaintext m in 0..<n of a raw ciphertext, by CRT with constant-time exponentiation
    /// (`mpz_powm_sec`) for the secret exponents p − 1 and q − 1.
    ///
    /// - Throws: `ciphertextOutOfRange` for 0 or c ≥ n²; `ciphertextNotInvertible` when
    ///   gcd(c, n) ≠ 1 (phe accepts both; they are refused here).
    public func rawDecrypt(_ c: BigInteger) throws(HEError) -> BigInteger {
        try rawDecrypt(c, concurrently: false)
    }

    /// ``rawDecrypt(_:)``, with the two halves on two threads when `concurrently` is true.
    func rawDecrypt(_ c: BigInteger, concurrently: Bool) throws(HEError) -> BigInteger {
        try Paillier.EncryptedNumber.validate(c, for: publicKey)
        let mp: BigInteger, mq: BigInteger
        if concurrently {
            let halves = Paillier.parallelMap([true, false]) { isP in
                isP ? halfDecrypt(c, prime: p, primeSquared: pSquared, exponent: pMinusOne, h: hp)
                    : halfDecrypt(c, prime: q, primeSquared: qSquared, exponent: qMinusOne, h: hq)
            }
            mp = halves[0]
            mq = halves[1]
        } else {
            mp = halfDecrypt(c, prime: p, primeSquared: pSquared, exponent: pMinusOne, h: hp)
            mq = halfDecrypt(c, prime: q, primeSquared: qSquared, exponent: qMinusOne, h: hq)
        }
        // m = mp + p·((mq − mp)·p⁻¹ mod q)
        return BigInteger { m in
            m.subtract(mq.raw, mp.raw)
            m.multiply(m, pInverseModQ.raw)
            m.modulo(m, q.raw)
            m.multiply(m, p.raw)
            m.add(m, mp.raw)
        }
    }

    /// L_x(c^(x−1) mod x²) · h_x mod x.
    private func halfDecrypt(
        _ c: BigInteger, prime: BigInteger, primeSquared: BigInteger, exponent: BigInteger, h: BigInteger
    ) -> BigInteger {
        BigInteger { t in
            t.modulo(c.raw, primeSquared.raw)
            t.powerSecret(t, exponent.raw, modulo: primeSquared.raw)
            t.subtract(t, 1)
            t.divideExactly(t, prime.raw)
            t.multiply(t, h.raw)
            t.modulo(t, prime.raw)
        }
    }
}
