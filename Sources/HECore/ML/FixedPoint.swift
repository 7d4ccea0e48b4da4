extension Paillier.EncodedNumber {
    /// Encodes `value` at exactly `exponent`: mantissa = round(value · 16^−exponent), ties to
    /// even (phe's rounding). Fixed-point protocols use this so that every party's products
    /// land on the same exponent.
    ///
    /// - Throws: `nonFiniteValue`, `exponentOutOfRange`, `encodingOverflow`.
    public static func encode(
        _ value: Double, atExponent exponent: Int, publicKey: Paillier.PublicKey
    ) throws(HEError) -> Paillier.EncodedNumber {
        guard value.isFinite else { throw .nonFiniteValue(field: "value") }
        try Paillier.checkExponent(exponent, field: "exponent")
        let mantissa = BigInteger.scaled(value, byPowerOf16: -exponent, rounding: .toNearestOrEven)
        return try wrap(mantissa: mantissa, exponent: exponent, publicKey: publicKey, field: "value")
    }

    /// The value this encoding stands for, as a `Double` whatever its exponent (nil on overflow).
    var approximateValue: Double? { try? decode().doubleValue }
}

extension BigInteger {
    /// value · 16^power rounded to an integer (`power` may be negative).
    static func scaled(_ value: Double, byPowerOf16 power: Int, rounding: FloatingPointRoundingRule) -> BigInteger {
        let (significand, binary) = exactParts(of: value)
        let shift = binary + Paillier.log2Base * power
        if shift >= 0 { return significand.shifted(by: shift) }
        switch rounding {
        case .up:
            // ⌈s / 2^k⌉ = −⌊−s / 2^k⌋
            return -((-significand).shifted(by: shift))
        default:
            return significand.dividedByPowerOfTwoRoundingHalfEven(-shift)
        }
    }
}
