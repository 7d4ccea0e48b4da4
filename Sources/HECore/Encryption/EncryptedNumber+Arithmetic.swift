internal import GMPSupport

extension Paillier.EncryptedNumber {
    // MARK: - Addition

    /// E(a + b) from E(a) and E(b); the operand with the larger exponent is first brought
    /// down to the smaller one (as phe does).
    ///
    /// - Throws: `keyMismatch` when `other` belongs to another key; `exponentAlignmentOverflow`
    ///   when the exponents are too far apart to align (16^gap > n/3 − 1).
    public func adding(_ other: Paillier.EncryptedNumber) throws(HEError) -> Paillier.EncryptedNumber {
        try publicKey.requireSame(other.publicKey)
        var a = self, b = other
        if a.exponent > b.exponent { a = try a.decreasingExponent(to: b.exponent) }
        if b.exponent > a.exponent { b = try b.decreasingExponent(to: a.exponent) }
        return Paillier.EncryptedNumber(
            unchecked: publicKey, ciphertext: publicKey.multiplyModNSquared(a.ciphertext, b.ciphertext),
            exponent: a.exponent)
    }

    /// E(a + b) for a plaintext encoding b (encrypted with r = 1, as phe does; re-randomise
    /// before the result leaves you).
    ///
    /// - Throws: `keyMismatch`; `exponentAlignmentOverflow` when aligning exponents overflows.
    public func adding(_ encoded: Paillier.EncodedNumber) throws(HEError) -> Paillier.EncryptedNumber {
        try publicKey.requireSame(encoded.publicKey)
        var a = self, b = encoded
        if a.exponent > b.exponent { a = try a.decreasingExponent(to: b.exponent) }
        if b.exponent > a.exponent { b = try b.decreasingExponent(to: a.exponent) }
        let c = publicKey.multiplyModNSquared(a.ciphertext, publicKey.nudeCiphertext(b.encoding))
        return Paillier.EncryptedNumber(unchecked: publicKey, ciphertext: c, exponent: a.exponent)
    }

    /// E(a + b) for a `Double` b, encoded with at most this number's exponent.
    ///
    /// - Throws: the encoding errors of ``Paillier/EncodedNumber``.
    public func adding(_ value: Double) throws(HEError) -> Paillier.EncryptedNumber {
        try adding(Paillier.EncodedNumber.encode(value, publicKey: publicKey, maxExponent: exponent))
    }

    /// E(a + b) for an integer b, encoded with at most this number's exponent.
    ///
    /// - Throws: the encoding errors of ``Paillier/EncodedNumber``.
    public func adding(_ value: BigInteger) throws(HEError) -> Paillier.EncryptedNumber {
        try adding(Paillier.EncodedNumber.encode(value, publicKey: publicKey, maxExponent: exponent))
    }

    // MARK: - Negation and subtraction

    /// E(−a) = E(a)⁻¹ mod n².
    public func negated() -> Paillier.EncryptedNumber {
        // c is a unit of Z*(n²), so the inverse exists.
        let inverse = ciphertext.inverse(modulo: publicKey.nSquared) ?? ciphertext
        return Paillier.EncryptedNumber(unchecked: publicKey, ciphertext: inverse, exponent: exponent)
    }

    /// E(a − b) from E(a) and E(b).
    ///
    /// - Throws: `keyMismatch`.
    public func subtracting(_ other: Paillier.EncryptedNumber) throws(HEError) -> Paillier.EncryptedNumber {
        try adding(other.negated())
    }

    /// E(a − b) for a `Double` b.
    ///
    /// - Throws: the encoding errors of ``Paillier/EncodedNumber``.
    public func subtracting(_ value: Double) throws(HEError) -> Paillier.EncryptedNumber {
        try adding(-value)
    }

    // MARK: - Scalar multiplication

    /// E(a·b) for a plaintext encoding b; the exponents add. A negative b (encoding ≥ n − maxInt)
    /// is applied as (c⁻¹)^(n − encoding), as phe does.
    ///
    /// - Throws: `keyMismatch`; `exponentOutOfRange` when the exponents' sum leaves the range.
    public func multiplied(by encoded: Paillier.EncodedNumber) throws(HEError) -> Paillier.EncryptedNumber {
        try publicKey.requireSame(encoded.publicKey)
        let exponent = self.exponent + encoded.exponent
        try Paillier.checkExponent(exponent, field: "exponent")
        let key = publicKey
        let product: BigInteger
        if encoded.encoding >= key.negativeThreshold {
            let inverse = ciphertext.inverse(modulo: key.nSquared) ?? ciphertext
            let scalar = key.n - encoded.encoding
            product = BigInteger { $0.power(inverse.raw, scalar.raw, modulo: key.nSquared.raw) }
        } else {
            product = BigInteger { $0.power(ciphertext.raw, encoded.encoding.raw, modulo: key.nSquared.raw) }
        }
        return Paillier.EncryptedNumber(unchecked: key, ciphertext: product, exponent: exponent)
    }

    /// E(a·b) for a `Double` b (encoded with phe's default precision).
    ///
    /// - Throws: the encoding errors of ``Paillier/EncodedNumber``.
    public func multiplied(by value: Double) throws(HEError) -> Paillier.EncryptedNumber {
        try multiplied(by: Paillier.EncodedNumber.encode(value, publicKey: publicKey))
    }

    /// E(a·b) for an integer b.
    ///
    /// - Throws: `encodingOverflow` when |b| > n/3 − 1.
    public func multiplied(by value: BigInteger) throws(HEError) -> Paillier.EncryptedNumber {
        try multiplied(by: Paillier.EncodedNumber.encode(value, publicKey: publicKey))
    }

    // MARK: - Exponent and randomness

    /// The same plaintext at a lower exponent (multiplies the ciphertext by 16^(e − new)).
    ///
    /// The factor 16^(e − new) is itself a plaintext scalar, so it must not exceed n/3 − 1:
    /// python-paillier refuses a larger one, and the product would wrap modulo n into a wrong
    /// value (`Enc(1e300) + Enc(5e-324)` would decrypt to about 6.3e275).
    ///
    /// - Throws: `exponentIncrease` when `newExponent` is larger than the current exponent;
    ///   `exponentAlignmentOverflow` naming both exponents when 16^(e − new) > n/3 − 1.
    public func decreasingExponent(to newExponent: Int) throws(HEError) -> Paillier.EncryptedNumber {
        guard newExponent <= exponent else { throw .exponentIncrease(from: exponent, to: newExponent) }
        try Paillier.checkExponent(newExponent, field: "exponent")
        if newExponent == exponent { return self }
        let factor = try Paillier.alignmentFactor(from: exponent, to: newExponent, publicKey: publicKey)
        let key = publicKey
        let c = BigInteger { $0.power(ciphertext.raw, factor.raw, modulo: key.nSquared.raw) }
        return Paillier.EncryptedNumber(unchecked: key, ciphertext: c, exponent: newExponent)
    }

    /// The same plaintext under fresh randomness (c · rⁿ mod n², or hₛ^a with `fast`): do this
    /// before a computed ciphertext leaves its owner, so it reveals nothing of its history.
    ///
    /// - Throws: `keyMismatch` when `fast` was built for another key.
    public func rerandomized(using fast: Paillier.FastEncryptor? = nil) throws(HEError) -> Paillier.EncryptedNumber {
        let residue: BigInteger
        if let fast {
            try publicKey.requireSame(fast.publicKey)
            residue = fast.randomNthResidue()
        } else {
            residue = Paillier.Obfuscator.standard(publicKey).randomNthResidue()
        }
        return Paillier.EncryptedNumber(
            unchecked: publicKey, ciphertext: publicKey.multiplyModNSquared(ciphertext, residue),
            exponent: exponent)
    }
}
