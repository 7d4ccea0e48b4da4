internal import CGMP

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

    /// The owned GMP integer; never mutated after `init` returns.
    ///
    /// Never read `.raw` of a temporary (`f().raw`): Swift may release the temporary, and
    /// free the limbs, before the C call runs. Bind it to a name first (named locals have
    /// lexical lifetimes) or use `withExtendedLifetime`.
    let raw: UnsafeMutablePointer<__mpz_struct>

    /// Creates an integer by letting `fill` write the value into a fresh, initialised `mpz_t`.
    init(_ fill: (UnsafeMutablePointer<__mpz_struct>) -> Void) {
        raw = .allocate(capacity: 1)
        __gmpz_init(raw)
        fill(raw)
    }

    deinit {
        __gmpz_clear(raw)
        raw.deallocate()
    }

    /// Creates an integer equal to `value`.
    public convenience init(_ value: Int) {
        self.init { __gmpz_set_si($0, value) }
    }

    /// Zero.
    public static let zero = BigInteger(0)
    /// One.
    public static let one = BigInteger(1)

    // MARK: - Properties

    /// −1, 0 or 1 according to the sign.
    public var signum: Int { Int(cgmp_mpz_sgn(raw)) }

    /// Whether the value is zero.
    public var isZero: Bool { signum == 0 }

    /// Whether the value is odd.
    public var isOdd: Bool { cgmp_mpz_odd_p(raw) != 0 }

    /// The number of bits of the magnitude (0 for zero).
    public var bitWidth: Int { isZero ? 0 : Int(__gmpz_sizeinbase(raw, 2)) }

    /// Whether bit `index` of the magnitude's two's-complement form is set.
    public func testBit(_ index: Int) -> Bool {
        index >= 0 && __gmpz_tstbit(raw, mp_bitcnt_t(index)) != 0
    }

    /// The value as an `Int`, or nil when it does not fit.
    public var intValue: Int? {
        __gmpz_fits_slong_p(raw) != 0 ? __gmpz_get_si(raw) : nil
    }

    // MARK: - Arithmetic

    /// The sum.
    public static func + (lhs: BigInteger, rhs: BigInteger) -> BigInteger {
        BigInteger { __gmpz_add($0, lhs.raw, rhs.raw) }
    }

    /// The difference.
    public static func - (lhs: BigInteger, rhs: BigInteger) -> BigInteger {
        BigInteger { __gmpz_sub($0, lhs.raw, rhs.raw) }
    }

    /// The product.
    public static func * (lhs: BigInteger, rhs: BigInteger) -> BigInteger {
        BigInteger { __gmpz_mul($0, lhs.raw, rhs.raw) }
    }

    /// The negation.
    public static prefix func - (value: BigInteger) -> BigInteger {
        BigInteger { __gmpz_neg($0, value.raw) }
    }

    /// The absolute value.
    public var magnitude: BigInteger { signum >= 0 ? self : -self }

    /// The quotient rounded towards −∞, or nil when `divisor` is zero.
    public func floorDivided(by divisor: BigInteger) -> BigInteger? {
        guard !divisor.isZero else { return nil }
        return BigInteger { __gmpz_fdiv_q($0, raw, divisor.raw) }
    }

    /// The least non-negative residue modulo `modulus`, or nil when `modulus` is not positive.
    public func modulo(_ modulus: BigInteger) -> BigInteger? {
        guard modulus.signum > 0 else { return nil }
        return BigInteger { __gmpz_mod($0, raw, modulus.raw) }
    }

    /// `self^exponent mod modulus` in variable time; nil when `modulus` is not positive or
    /// `exponent` is negative and `self` has no inverse.
    public func power(_ exponent: BigInteger, modulo modulus: BigInteger) -> BigInteger? {
        guard modulus.signum > 0 else { return nil }
        if exponent.signum < 0 {
            guard let inverse = inverse(modulo: modulus) else { return nil }
            return inverse.power(-exponent, modulo: modulus)
        }
        return BigInteger { __gmpz_powm($0, raw, exponent.raw, modulus.raw) }
    }

    /// `self^exponent mod modulus` with GMP's side-channel-silent exponentiation, for secret
    /// exponents; `modulus` must be odd and `exponent` positive.
    func powerSecret(_ exponent: BigInteger, modulo modulus: BigInteger) -> BigInteger {
        BigInteger { __gmpz_powm_sec($0, raw, exponent.raw, modulus.raw) }
    }

    /// The inverse modulo `modulus`, or nil when none exists.
    public func inverse(modulo modulus: BigInteger) -> BigInteger? {
        guard modulus.signum > 0 else { return nil }
        var exists: Int32 = 0
        let result = BigInteger { exists = __gmpz_invert($0, raw, modulus.raw) }
        return exists != 0 ? result : nil
    }

    /// The greatest common divisor (non-negative).
    public func gcd(_ other: BigInteger) -> BigInteger {
        BigInteger { __gmpz_gcd($0, raw, other.raw) }
    }

    /// `self · 2^count` for `count ≥ 0`, `⌊self / 2^−count⌋` for `count < 0`.
    public func shifted(by count: Int) -> BigInteger {
        if count >= 0 { return BigInteger { __gmpz_mul_2exp($0, raw, mp_bitcnt_t(count)) } }
        return BigInteger { __gmpz_fdiv_q_2exp($0, raw, mp_bitcnt_t(count.magnitude)) }
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
        BigInteger { __gmpz_ui_pow_ui($0, UInt(base.magnitude), UInt(exponent.magnitude)) }
    }

    /// Whether the value is probably prime after `rounds` Miller–Rabin rounds.
    public func isProbablePrime(rounds: Int = 30) -> Bool {
        __gmpz_probab_prime_p(raw, Int32(clamping: rounds)) != 0
    }

    /// Three-way comparison: negative, zero or positive.
    func compare(_ other: BigInteger) -> Int { Int(__gmpz_cmp(raw, other.raw)) }
}

// MARK: - Equatable, Hashable, Comparable

extension BigInteger: Equatable, Hashable, Comparable {
    /// Numeric equality.
    public static func == (lhs: BigInteger, rhs: BigInteger) -> Bool {
        lhs === rhs || __gmpz_cmp(lhs.raw, rhs.raw) == 0
    }

    /// Numeric order.
    public static func < (lhs: BigInteger, rhs: BigInteger) -> Bool {
        __gmpz_cmp(lhs.raw, rhs.raw) < 0
    }

    /// Hashes the numeric value.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(signum)
        hasher.combine(bigEndianMagnitude)
    }
}
