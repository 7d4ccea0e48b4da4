internal import GMPSupport

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
    private let tables: MPZBuffer
    private let perBase = (1 << MultiExponentiation.window) - 1

    /// Precomputes bᵢ^1 … bᵢ^(2^w − 1) mod m for every base.
    init(bases: [BigInteger], modulus: BigInteger) {
        self.modulus = modulus
        baseCount = bases.count
        tables = MPZBuffer(count: bases.count * perBase)
        let product = MPZ.allocate()
        for (i, base) in bases.enumerated() {
            let start = i * perBase
            tables[start].modulo(base.raw, modulus.raw)
            for d in 1..<perBase {
                product.multiply(tables[start + d - 1], tables[start])
                tables[start + d].truncatedRemainder(product, modulus.raw)
            }
        }
        product.deallocate()
    }

    deinit {
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
            acc.set(1)
            let product = MPZ.allocate()
            var started = false
            for window in stride(from: windows - 1, through: 0, by: -1) {
                if started {
                    for _ in 0..<w {
                        product.multiply(acc, acc)
                        acc.truncatedRemainder(product, modulus.raw)
                    }
                }
                for i in 0..<count {
                    guard let e = exponents[i] else { continue }
                    var digit = 0
                    for bit in 0..<w where e.raw.testBit(window * w + bit) {
                        digit |= 1 << bit
                    }
                    guard digit != 0 else { continue }
                    product.multiply(acc, tables[i * perBase + digit - 1])
                    acc.truncatedRemainder(product, modulus.raw)
                    started = true
                }
            }
            product.deallocate()
        }
    }
}

extension MultiExponentiation {
    /// The widest exponents (in bits) for which ``bucketProduct(bases:exponents:modulus:)``
    /// beats building Straus tables: short integer weights, such as 16-bit ones.
    static let shortExponentBits = 32

    /// Π bᵢ^eᵢ mod m for short exponents (Pippenger's buckets, window 4): no per-base tables;
    /// per 4-bit window every base costs one multiplication into the bucket of its digit, and
    /// the 15 buckets are combined with 30 more, so 100 bases with 16-bit exponents take about
    /// 540 multiplications instead of Straus's 1,800 (1,400 of them for the tables).
    ///
    /// Exponents are public and ≥ 0 (nil skips a base); variable-time.
    static func bucketProduct(bases: [BigInteger], exponents: [BigInteger?], modulus: BigInteger) -> BigInteger {
        let w = 4
        let bucketCount = (1 << w) - 1
        let count = min(bases.count, exponents.count)
        let maxBits = exponents.prefix(count).reduce(0) { max($0, $1?.bitWidth ?? 0) }
        let windows = (maxBits + w - 1) / w
        return BigInteger { acc in
            acc.set(1)
            let scratch = MPZBuffer(count: bucketCount + 3)
            defer { scratch.deallocate() }
            let product = scratch[bucketCount], running = scratch[bucketCount + 1], total = scratch[bucketCount + 2]
            var filled = [Bool](repeating: false, count: bucketCount)
            func multiply(_ target: MPZ, _ factor: MPZ) {
                product.multiply(target, factor)
                target.truncatedRemainder(product, modulus.raw)
            }
            var started = false
            for window in stride(from: windows - 1, through: 0, by: -1) {
                if started { for _ in 0..<w { multiply(acc, acc) } }
                for d in 0..<bucketCount { filled[d] = false }
                for i in 0..<count {
                    guard let e = exponents[i] else { continue }
                    var digit = 0
                    for bit in 0..<w where e.raw.testBit(window * w + bit) { digit |= 1 << bit }
                    guard digit != 0 else { continue }
                    if filled[digit - 1] {
                        multiply(scratch[digit - 1], bases[i].raw)
                    } else {
                        scratch[digit - 1].modulo(bases[i].raw, modulus.raw)
                        filled[digit - 1] = true
                    }
                }
                // Π_d bucket_d^d = Π_{d from top} (running product of buckets ≥ d).
                var haveRunning = false, haveTotal = false
                for d in stride(from: bucketCount - 1, through: 0, by: -1) {
                    if filled[d] {
                        if haveRunning { multiply(running, scratch[d]) } else { running.set(scratch[d]); haveRunning = true }
                    }
                    guard haveRunning else { continue }
                    if haveTotal { multiply(total, running) } else { total.set(running); haveTotal = true }
                }
                if haveTotal {
                    multiply(acc, total)
                    started = true
                }
            }
        }
    }
}
