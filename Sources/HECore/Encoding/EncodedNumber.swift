import Foundation

extension Paillier {
    /// A signed integer or a `Double` encoded as a Paillier plaintext, with exactly the
    /// semantics of phe's `EncodedNumber`.
    ///
    /// The value is `mantissa · 16^exponent`, where the mantissa is stored modulo n: a
    /// non-negative mantissa as itself, a negative one as n − |mantissa|. Magnitudes above
    /// ``PublicKey/maxInt`` (⌊n/3⌋ − 1) are refused, so that the band between n/3 and 2n/3
    /// detects overflow after homomorphic arithmetic.
    public struct EncodedNumber: Sendable, Hashable {
        /// The key whose modulus the encoding lives under.
        public let publicKey: PublicKey
        /// The mantissa modulo n, in 0..<n.
        public let encoding: BigInteger
        /// The base-16 exponent.
        public let exponent: Int

        /// Wraps an existing encoding (for example one read from a file).
        ///
        /// - Throws: `HEError.corruptedEncoding` when `encoding` is negative or not below n.
        public init(publicKey: PublicKey, encoding: BigInteger, exponent: Int) throws(HEError) {
            guard encoding.signum >= 0, encoding < publicKey.n else { throw .corruptedEncoding }
            try Paillier.checkExponent(exponent, field: "exponent")
            self.init(unchecked: publicKey, encoding: encoding, exponent: exponent)
        }

        init(unchecked publicKey: PublicKey, encoding: BigInteger, exponent: Int) {
            self.publicKey = publicKey
            self.encoding = encoding
            self.exponent = exponent
        }

        // MARK: - Encoding

        /// Encodes an integer at exponent 0 (or at the exponent `precision` and `maxExponent` ask for).
        ///
        /// - Parameters:
        ///   - value: the integer to encode.
        ///   - publicKey: the key whose n bounds the encoding.
        ///   - precision: choose the exponent ⌊log₁₆ precision⌋, as phe's `precision`.
        ///   - maxExponent: use an exponent no larger than this.
        /// - Throws: `encodingOverflow` when |mantissa| > n/3 − 1; `invalidPrecision`.
        public static func encode(
            _ value: BigInteger, publicKey: PublicKey, precision: Double? = nil, maxExponent: Int? = nil
        ) throws(HEError) -> EncodedNumber {
            var exponent = 0
            if let precision { exponent = try precisionExponent(precision) }
            if let maxExponent { exponent = min(exponent, maxExponent) }
            try Paillier.checkExponent(exponent, field: "maxExponent")
            // value · 16^−exponent, rounded half to even when exponent > 0.
            let mantissa = exponent <= 0
                ? value * BigInteger.power(Paillier.base, -exponent)
                : value.dividedByPowerOfTwoRoundingHalfEven(Paillier.log2Base * exponent)
            return try wrap(mantissa: mantissa, exponent: exponent, publicKey: publicKey, field: "value")
        }

        /// Encodes an `Int`; see ``encode(_:publicKey:precision:maxExponent:)-(BigInteger,_,_,_)``.
        public static func encode(
            _ value: Int, publicKey: PublicKey, precision: Double? = nil, maxExponent: Int? = nil
        ) throws(HEError) -> EncodedNumber {
            try encode(BigInteger(value), publicKey: publicKey, precision: precision, maxExponent: maxExponent)
        }

        /// Encodes a `Double` exactly from its binary exponent, as phe does.
        ///
        /// Without `precision`, the exponent is ⌊(e − 53)/4⌋ where e is `frexp`'s exponent, so
        /// every bit of the `Double` is kept; with `precision` it is ⌊log₁₆ precision⌋ and the
        /// mantissa is rounded half to even.
        ///
        /// - Throws: `nonFiniteValue`, `invalidPrecision`, `encodingOverflow`.
        public static func encode(
            _ value: Double, publicKey: PublicKey, precision: Double? = nil, maxExponent: Int? = nil
        ) throws(HEError) -> EncodedNumber {
            guard value.isFinite else { throw .nonFiniteValue(field: "value") }
            var exponent: Int
            if let precision {
                exponent = try precisionExponent(precision)
            } else {
                let binaryExponent = frexp(value).1
                exponent = floorDivide(binaryExponent - Paillier.floatMantissaDigits, Paillier.log2Base)
            }
            if let maxExponent { exponent = min(exponent, maxExponent) }
            try Paillier.checkExponent(exponent, field: "maxExponent")
            let (significand, binary) = BigInteger.exactParts(of: value)
            // value · 16^−exponent = significand · 2^(binary − 4·exponent)
            let shift = binary - Paillier.log2Base * exponent
            let mantissa = shift >= 0
                ? significand.shifted(by: shift)
                : significand.dividedByPowerOfTwoRoundingHalfEven(-shift)
            return try wrap(mantissa: mantissa, exponent: exponent, publicKey: publicKey, field: "value")
        }

        /// ⌊log₁₆ precision⌋ computed as phe computes it (`math.floor(math.log(precision, 16))`).
        static func precisionExponent(_ precision: Double) throws(HEError) -> Int {
            guard precision.isFinite, precision > 0 else { throw .invalidPrecision(precision) }
            let exponent = (log(precision) / log(Double(Paillier.base))).rounded(.down)
            return Int(exponent)
        }

        /// Checks |mantissa| ≤ maxInt and stores it modulo n.
        static func wrap(
            mantissa: BigInteger, exponent: Int, publicKey: PublicKey, field: String
        ) throws(HEError) -> EncodedNumber {
            guard mantissa.magnitude <= publicKey.maxInt else {
                throw .encodingOverflow(field: field, limitBits: publicKey.maxInt.bitWidth)
            }
            let stored = mantissa.signum < 0 ? publicKey.n + mantissa : mantissa
            return EncodedNumber(unchecked: publicKey, encoding: stored, exponent: exponent)
        }

        // MARK: - Decoding

        /// The signed mantissa: encoding if ≤ maxInt, encoding − n if ≥ n − maxInt.
        ///
        /// - Throws: `decodingOverflow` for the band in between; `corruptedEncoding` if ≥ n.
        public func mantissa() throws(HEError) -> BigInteger {
            guard encoding < publicKey.n else { throw .corruptedEncoding }
            if encoding <= publicKey.maxInt { return encoding }
            if encoding >= publicKey.negativeThreshold { return encoding - publicKey.n }
            throw .decodingOverflow
        }

        /// Decodes as phe does: an exact integer when exponent ≥ 0, otherwise the correctly
        /// rounded `Double` of mantissa / 16^−exponent.
        ///
        /// - Throws: `decodingOverflow`, `corruptedEncoding`, `doubleOverflow`.
        public func decode() throws(HEError) -> PlainNumber {
            let mantissa = try mantissa()
            if exponent >= 0 {
                return .integer(mantissa * BigInteger.power(Paillier.base, exponent))
            }
            return .double(try mantissa.correctlyRoundedDouble(timesPowerOfTwo: Paillier.log2Base * exponent))
        }

        /// The same value at a lower exponent: mantissa · 16^(exponent − newExponent).
        ///
        /// - Throws: `exponentIncrease` when `newExponent > exponent`; `exponentAlignmentOverflow`
        ///   naming both exponents when 16^(exponent − newExponent) or the larger mantissa would
        ///   pass n/3 − 1 (phe wraps the mantissa silently here; this refuses).
        public func decreasingExponent(to newExponent: Int) throws(HEError) -> EncodedNumber {
            guard newExponent <= exponent else { throw .exponentIncrease(from: exponent, to: newExponent) }
            try Paillier.checkExponent(newExponent, field: "exponent")
            if newExponent == exponent { return self }
            let factor = try Paillier.alignmentFactor(from: exponent, to: newExponent, publicKey: publicKey)
            let scaled = try mantissa() * factor
            guard scaled.magnitude <= publicKey.maxInt else {
                throw .exponentAlignmentOverflow(from: exponent, to: newExponent, limitBits: publicKey.maxInt.bitWidth)
            }
            return try Self.wrap(mantissa: scaled, exponent: newExponent, publicKey: publicKey, field: "encoding")
        }
    }
}

extension Paillier {
    /// 16^(from − to) for aligning exponents, refused (before it is built) when it exceeds
    /// n/3 − 1, the largest scalar python-paillier's `decrease_exponent_to` accepts.
    static func alignmentFactor(from: Int, to: Int, publicKey: PublicKey) throws(HEError) -> BigInteger {
        let gap = from - to
        let limitBits = publicKey.maxInt.bitWidth
        // 16^gap has 4·gap + 1 bits; anything at least as long as maxInt may exceed it.
        guard log2Base * gap < limitBits else {
            throw .exponentAlignmentOverflow(from: from, to: to, limitBits: limitBits)
        }
        let factor = BigInteger.power(base, gap)
        guard factor <= publicKey.maxInt else {
            throw .exponentAlignmentOverflow(from: from, to: to, limitBits: limitBits)
        }
        return factor
    }

    /// The exponents HECore accepts: |exponent| ≤ 2^16, far beyond any useful precision
    /// (16^−65536 is 2^−262144), so exponent sums never overflow `Int` and no huge power of 16
    /// is ever built from untrusted input.
    public static let exponentRange = -(1 << 16)...(1 << 16)

    static func checkExponent(_ exponent: Int, field: String) throws(HEError) {
        guard exponentRange.contains(exponent) else {
            throw .exponentOutOfRange(field: field, found: exponent)
        }
    }
}

/// ⌊a / b⌋ for b > 0.
func floorDivide(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
