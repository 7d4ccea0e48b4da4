/// Every way HECore refuses an input or an operation.
///
/// Each description names the field or value that was wrong and what was expected.
public enum HEError: Error, Equatable, Sendable {
    /// A text that should hold an integer (decimal or base64url) did not.
    case malformedInteger(field: String, expected: String)
    /// A JSON document was not valid JSON or lacked or mistyped a field.
    case malformedJSON(field: String, expected: String)
    /// A key size outside the supported range was requested.
    case unsupportedKeySize(bits: Int, minimum: Int)
    /// A public modulus that cannot be a Paillier modulus `n = p·q`.
    case invalidModulus(reason: String)
    /// Private factors that do not form a valid key for the public modulus.
    case invalidPrivateKey(reason: String)
    /// A ciphertext equal to 0 or not below n².
    case ciphertextOutOfRange(bits: Int, modulusBits: Int)
    /// A ciphertext sharing a factor with n, so not in Z*(n²).
    case ciphertextNotInvertible
    /// Two operands, or an operand and a key, belong to different public keys.
    case keyMismatch(expected: String, found: String)
    /// A value whose encoding exceeds the largest safe value n/3 − 1.
    case encodingOverflow(field: String, limitBits: Int)
    /// A decrypted value fell into the overflow band between n/3 and 2n/3.
    case decodingOverflow
    /// An encoding that is not below n.
    case corruptedEncoding
    /// A decoded value too large for a `Double`.
    case doubleOverflow(exponent: Int)
    /// A NaN or infinite `Double` was given for encoding.
    case nonFiniteValue(field: String)
    /// A precision that is not a finite positive number.
    case invalidPrecision(Double)
    /// An attempt to raise an exponent, which needs decryption.
    case exponentIncrease(from: Int, to: Int)
    /// Bringing an operand from exponent `from` down to `to` would need a factor 16^(from − to),
    /// or give a mantissa, above n/3 − 1 (python-paillier refuses the first; it would wrap).
    case exponentAlignmentOverflow(from: Int, to: Int, limitBits: Int)
    /// An exponent outside ``Paillier/exponentRange``.
    case exponentOutOfRange(field: String, found: Int)
    /// Two vectors whose lengths must agree do not.
    case lengthMismatch(field: String, expected: Int, found: Int)
    /// A list that must not be empty was empty.
    case emptyInput(field: String)
    /// A gradient whose exponent differs from the aggregation's fixed-point exponent.
    case exponentMismatch(field: String, expected: Int, found: Int)
    /// An aggregation whose parties × bound could exceed n/3 − 1.
    case aggregationBoundExceeded(parties: Int, boundBits: Int, limitBits: Int)
    /// A party's gradient bound larger than the aggregation allows.
    case gradientBoundExceeded(bound: Double, allowed: Double)
    /// A packing parameter (value bits, parties, contributors) that could overflow a slot or
    /// the plaintext; `bound` is the largest value that cannot.
    case packingBoundExceeded(field: String, found: Int, bound: Int)
    /// A packing range that is not a finite number > 0.
    case invalidPackingRange(Double)
    /// A value outside the packing's range [−range, range] (quantising it would overflow its slot).
    case packedValueOutOfRange(index: Int, value: Double, range: Double)
    /// Packed vectors that were made under different layouts or hold different counts.
    case packingLayoutMismatch(expected: String, found: String)
}

extension HEError: CustomStringConvertible {
    /// What was wrong and what was expected.
    public var description: String {
        switch self {
        case let .malformedInteger(field, expected):
            return "\(field): malformed integer, expected \(expected)"
        case let .malformedJSON(field, expected):
            return "\(field): malformed JSON, expected \(expected)"
        case let .unsupportedKeySize(bits, minimum):
            return "bits: key size \(bits) not supported, expected an even number of bits ≥ \(minimum)"
        case let .invalidModulus(reason):
            return "n: not a valid Paillier modulus (\(reason)), expected an odd product of two large primes"
        case let .invalidPrivateKey(reason):
            return "p, q: not a valid private key (\(reason)), expected two distinct primes with p·q = n"
        case let .ciphertextOutOfRange(bits, modulusBits):
            return "v: ciphertext of \(bits) bits is outside 1..<n², expected a value of at most \(modulusBits) bits and not 0"
        case .ciphertextNotInvertible:
            return "v: ciphertext shares a factor with n, expected an element of Z*(n²)"
        case let .keyMismatch(expected, found):
            return "key: operand belongs to public key \(found), expected public key \(expected)"
        case let .encodingOverflow(field, limitBits):
            return "\(field): value too large to encode, expected |mantissa| ≤ n/3 − 1 (about 2^\(limitBits))"
        case .decodingOverflow:
            return "plaintext: overflow detected (value between n/3 and 2n/3), expected |value| ≤ n/3 − 1"
        case .corruptedEncoding:
            return "encoding: value not below n, expected 0 ≤ encoding < n"
        case let .doubleOverflow(exponent):
            return "plaintext: decoded value about 2^\(exponent) is too large for a Double, expected below 2^1024"
        case let .nonFiniteValue(field):
            return "\(field): NaN or infinity cannot be encoded, expected a finite number"
        case let .invalidPrecision(value):
            return "precision: \(value) is not usable, expected a finite number > 0"
        case let .exponentIncrease(from, to):
            return "exponent: cannot raise exponent from \(from) to \(to), expected a new exponent ≤ \(from)"
        case let .exponentAlignmentOverflow(from, to, limitBits):
            return "exponent: cannot bring exponent \(from) down to \(to): 16^\(from - to) or the scaled mantissa exceeds n/3 − 1 (about 2^\(limitBits)), expected operands whose exponents are at most \(limitBits / Paillier.log2Base) apart and whose aligned mantissa fits"
        case let .exponentOutOfRange(field, found):
            return "\(field): exponent \(found) out of range, expected \(Paillier.exponentRange.lowerBound)...\(Paillier.exponentRange.upperBound)"
        case let .lengthMismatch(field, expected, found):
            return "\(field): length \(found), expected \(expected)"
        case let .emptyInput(field):
            return "\(field): empty, expected at least one element"
        case let .exponentMismatch(field, expected, found):
            return "\(field): exponent \(found), expected the aggregation's fixed-point exponent \(expected)"
        case let .aggregationBoundExceeded(parties, boundBits, limitBits):
            return "parties: \(parties) parties × per-party bound (2^\(boundBits) in fixed point) may exceed n/3 − 1 (2^\(limitBits)), expected fewer parties, a smaller bound or a larger key"
        case let .gradientBoundExceeded(bound, allowed):
            return "gradient: bound \(bound) exceeds the aggregation's per-party bound, expected ≤ \(allowed)"
        case let .packingBoundExceeded(field, found, bound):
            return "\(field): \(found) could overflow a packed slot, expected at most \(bound)"
        case let .invalidPackingRange(range):
            return "range: \(range) is not usable, expected a finite number > 0 bounding every |value|"
        case let .packedValueOutOfRange(index, value, range):
            return "values[\(index)]: \(value) is outside the packing range, expected −\(range) ≤ value ≤ \(range) (clip first)"
        case let .packingLayoutMismatch(expected, found):
            return "packing: layout \(found), expected \(expected)"
        }
    }
}
