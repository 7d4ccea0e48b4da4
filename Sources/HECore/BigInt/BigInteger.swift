internal import GMPSupport

/// An arbitrary-precision signed integer backed by GMP's `mpz_t`.
///
/// The value is immutable: every operation returns a new integer. The GMP storage is owned by
/// the instance and released in `deinit`.
///
/// ```swift
/// let n = try BigInteger(decimal: "340282366920938463463374607431768211457")
/// let square = n * n
/// ```
public final class BigInteger: @unchecked Sendable {
    // @unchecked Sendable: the `mpz_t` is written only inside an initialiser, before the
    // instance is published; afterwards GMP receives it only as a `const` source operand,
    // which GMP documents as safe to read from several threads at once.

    /// The owned GMP integer (a GMPSupport handle; no C type leaves that module); never
    /// mutated after `init` returns.
    ///
    /// Never read `.raw` of a temporary (`f().raw`): Swift may release the temporary, and
    /// free the limbs, before the GMP call runs. Bind it to a name first (named locals have
    /// lexical lifetimes) or use `withExtendedLifetime`.
    let raw: MPZ

    /// Creates an integer by letting `fill` write the value into a fresh integer equal to 0.
    init(_ fill: (MPZ) -> Void) {
        raw = MPZ.allocate()
        fill(raw)
    }

    deinit {
        raw.deallocate()
    }

    /// Creates an integer equal to `value`.
    public convenience init(_ value: Int) {
        self.init { $0.set(value) }
    }

    /// Zero.
    public static let zero = BigInteger(0)
    /// One.
    public static let one = BigInteger(1)

    // MARK: - Properties

    /// −1, 0 or 1 according to the sign.
    public var signum: Int { raw.sign }

    /// Whether the value is zero.
    public var isZero: Bool { signum == 0 }

    /// Whether the value is odd.
    public var isOdd: Bool { raw.isOdd }

    /// The number of bits of the magnitude (0 for zero).
    public var bitWidth: Int { isZero ? 0 : raw.digitCount(base: 2) }

    /// Whether bit `index` of the magnitude's two's-complement form is set.
    public func testBit(_ index: Int) -> Bool {
        index >= 0 && raw.testBit(index)
    }

    /// The value as an `Int`, or nil when it does not fit.
    public var intValue: Int? {
        raw.intValue
    }

    // MARK: - Arithmetic

    /// The sum.
    public static func + (lhs: BigInteger, rhs: BigInteger) -> BigInteger {
        BigInteger { $0.add(lhs.raw, rhs.raw) }
    }

    /// The difference.
    public static func - (lhs: BigInteger, rhs: BigInteger) -> BigInteger {
        BigInteger { $0.subtract(lhs.raw, rhs.raw) }
    }

    /// The product.
    public static func * (lhs: BigInteger, rhs: BigInteger) -> BigInteger {
        BigInteger { $0.multiply(lhs.raw, rhs.raw) }
    }

    /// The negation.
    public static prefix func - (value: BigInteger) -> BigInteger {
        BigInteger { $0.negate(value.raw) }
    }

    /// The absolute value.
    public var magnitude: BigInteger { signum >= 0 ? self : -self }

    /// The quotient rounded towards −∞, or nil when `divisor` is zero.
    public func floorDivided(by divisor: BigInteger) -> BigInteger? {
        guard !divisor.isZero else { return nil }
        return BigInteger { $0.floorDivide(raw, divisor.raw) }
    }

    /// The least non-negative residue modulo `modulus`, or nil when `modulus` is not positive.
    public func modulo(_ modulus: BigInteger) -> BigInteger? {
        guard modulus.signum > 0 else { return nil }
        return BigInteger { $0.modulo(raw, modulus.raw) }
    }

    /// `self^exponent mod modulus` in variable time; nil when `modulus` is not positive or
    /// `exponent` is negative and `self` has no inverse.
    public func power(_ exponent: BigInteger, modulo modulus: BigInteger) -> BigInteger? {
        guard modulus.signum > 0 else { return nil }
        if exponent.signum < 0 {
            guard let inverse = inverse(modulo: modulus) else { return nil }
            return inverse.power(-exponent, modulo: modulus)
        }
        return BigInteger { $0.power(raw, exponent.raw, modulo: modulus.raw) }
    }

    /// `self^exponent mod modulus` with GMP's side-channel-silent exponentiation, for secret
    /// exponents; `modulus` must be odd and `exponent` positive.
    func powerSecret(_ exponent: BigInteger, modulo modulus: BigInteger) -> BigInteger {
        BigInteger { $0.powerSecret(raw, exponent.raw, modulo: modulus.raw) }
    }

    /// The inverse modulo `modulus`, or nil when none exists.
    public func inverse(modulo modulus: BigInteger) -> BigInteger? {
        guard modulus.signum > 0 else { return nil }
        var exists = false
        let result = BigInteger { exists = $0.invert(raw, modulo: modulus.raw) }
        return exists ? result : nil
    }

    /// The greatest common divisor (non-negative).
    public func gcd(_ other: BigInteger) -> BigInteger {
        BigInteger { $0.gcd(raw, other.raw) }
    }

    /// `self · 2^count` for `count ≥ 0`, `⌊self / 2^−count⌋` for `count < 0`.
    public func shifted(by count: Int) -> BigInteger {
        if count >= 0 { return BigInteger { $0.shiftLeft(raw, by: count) } }
        return BigInteger { $0.floorShiftRight(raw, by: Int(clamping: count.magnitude)) }
    }

    /// `self / 2^count` rounded to nearest, ties to even (as Python's `round` of a fraction).
    func dividedByPowerOfTwoRoundingHalfEven(_ count: Int) -> BigInteger {
        guard count > 0 else { return shifted(by: -count) }
        let floor = shifted(by: -count)
        let remainder = self - floor.shifted(by: count)  // 0 ≤ remainder < 2^count
        let half = BigInteger.one.shifted(by: count - 1)
        let comparison = remainder.compare(half)
        if comparison > 0 || (comparison == 0 && floor.isOdd) { return floor + .one }
        return floor
    }

    /// `base^exponent` for a small non-negative exponent.
    static func power(_ base: Int, _ exponent: Int) -> BigInteger {
        BigInteger { $0.power(UInt(base.magnitude), UInt(exponent.magnitude)) }
    }

    /// Whether the value is probably prime after `rounds` Miller–Rabin rounds.
    public func isProbablePrime(rounds: Int = 30) -> Bool {
        raw.isProbablePrime(rounds: rounds)
    }

    /// Three-way comparison: negative, zero or positive.
    func compare(_ other: BigInteger) -> Int { raw.compare(other.raw) }
}

// MARK: - Equatable, Hashable, Comparable

extension BigInteger: Equatable, Hashable, Comparable {
    /// Numeric equality.
    public static func == (lhs: BigInteger, rhs: BigInteger) -> Bool {
        lhs === rhs || lhs.raw.compare(rhs.raw) == 0
    }

    /// Numeric order.
    public static func < (lhs: BigInteger, rhs: BigInteger) -> Bool {
        lhs.raw.compare(rhs.raw) < 0
    }

    /// Hashes the numeric value.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(signum)
        hasher.combine(bigEndianMagnitude)
    }
}
