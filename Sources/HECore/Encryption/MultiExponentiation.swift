internal import CGMP

/// Simultaneous exponentiation Π bᵢ^eᵢ mod m (Straus's interleaved windows): every base gets
/// a table of its first 2^w − 1 powers once, and all bases share one chain of squarings.
///
/// Exponents are public (the computing party's own plaintexts); this is variable-time.
final class MultiExponentiation: @unchecked Sendable {
    // @unchecked Sendable: the tables are written in `init` only and read afterwards as
    // `const` GMP operands.

    static let window = 4
    let modulus: BigInteger
    let baseCount: Int
    private let tables: UnsafeMutablePointer<__mpz_struct>
    private let perBase = (1 << MultiExponentiation.window) - 1

    /// Precomputes bᵢ^1 … bᵢ^(2^w − 1) mod m for every base.
    init(bases: [BigInteger], modulus: BigInteger) {
        self.modulus = modulus
        baseCount = bases.count
        tables = .allocate(capacity: max(1, bases.count * perBase))
        let product = UnsafeMutablePointer<__mpz_struct>.allocate(capacity: 1)
        __gmpz_init(product)
        for (i, base) in bases.enumerated() {
            let start = tables + i * perBase
            for d in 0..<perBase { __gmpz_init(start + d) }
            __gmpz_mod(start, base.raw, modulus.raw)
            for d in 1..<perBase {
                __gmpz_mul(product, start + (d - 1), start)
                __gmpz_tdiv_r(start + d, product, modulus.raw)
            }
        }
        __gmpz_clear(product)
        product.deallocate()
    }

    deinit {
        for i in 0..<(baseCount * perBase) { __gmpz_clear(tables + i) }
        tables.deallocate()
    }

    /// Π bᵢ^eᵢ mod m over the bases whose exponent is given (nil skips a base); exponents ≥ 0.
    func evaluate(_ exponents: [BigInteger?]) -> BigInteger {
        let w = MultiExponentiation.window
        let count = min(exponents.count, baseCount)
        let maxBits = exponents.prefix(count).reduce(0) { max($0, $1?.bitWidth ?? 0) }
        let windows = (maxBits + w - 1) / w
        let perBase = self.perBase
        return BigInteger { acc in
            __gmpz_set_ui(acc, 1)
            let product = UnsafeMutablePointer<__mpz_struct>.allocate(capacity: 1)
            __gmpz_init(product)
            var started = false
            for window in stride(from: windows - 1, through: 0, by: -1) {
                if started {
                    for _ in 0..<w {
                        __gmpz_mul(product, acc, acc)
                        __gmpz_tdiv_r(acc, product, modulus.raw)
                    }
                }
                for i in 0..<count {
                    guard let e = exponents[i] else { continue }
                    var digit = 0
                    for bit in 0..<w where __gmpz_tstbit(e.raw, mp_bitcnt_t(window * w + bit)) != 0 {
                        digit |= 1 << bit
                    }
                    guard digit != 0 else { continue }
                    __gmpz_mul(product, acc, tables + (i * perBase + digit - 1))
                    __gmpz_tdiv_r(acc, product, modulus.raw)
                    started = true
                }
            }
            __gmpz_clear(product)
            product.deallocate()
        }
    }
}
