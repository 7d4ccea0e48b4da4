import BigInt
import Foundation
import LedgerCore

/// Area `amount`: the fixed-width `UInt256` against attaswift/BigInt's `BigUInt`, on the same
/// random inputs in the same run. `BigUInt` never overflows, so each of its results is compared
/// with 2^256 − 1 to do the work a checked 256-bit operation must do.
///
/// The ratio printed is BigUInt time / UInt256 time (how many times faster UInt256 is).
enum AmountBench {
    static func big(_ x: UInt256) -> BigUInt {
        let (a, b, c, d) = x.littleEndianLimbs
        return BigUInt(words: [UInt(a), UInt(b), UInt(c), UInt(d)])
    }

    static let count = 4096
    static let passes = 50

    static func run() throws {
        var rng = SplitMix64(seed: 0xA4_0E7)
        let limit = (BigUInt(1) << 256) - 1
        let bigWad = BigUInt(1_000_000_000_000_000_000)

        // add: operands below 2^255, so the sum always fits and both sides do the same work.
        let addA = (0..<count).map { _ in rng.amount(bits: 256).shiftedRightOne() }
        let addB = (0..<count).map { _ in rng.amount(bits: 256).shiftedRightOne() }
        // multiply: 128-bit operands, a full 256-bit product that fits.
        let mulA = (0..<count).map { _ in rng.amount(bits: 128) }
        let mulB = (0..<count).map { _ in rng.amount(bits: 128) }
        // multiplyThenDivide: a·b/c with full 256-bit operands and a < c (a pro-rata share),
        // so the 512-bit product's quotient fits.
        var divA: [UInt256] = [], divB: [UInt256] = [], divC: [UInt256] = []
        for _ in 0..<count {
            let x = rng.amount(bits: 256), y = rng.amount(bits: 256)
            divA.append(Swift.min(x, y))
            divC.append(Swift.max(x, y) == .zero ? 1 : Swift.max(x, y))
            divB.append(rng.amount(bits: 256))
        }
        // formatting: token balances of various sizes (64 to 256 bits).
        let fmt = (0..<count).map { i in rng.amount(bits: 64 * (1 + i % 4)) }

        let bigAddA = addA.map(big), bigAddB = addB.map(big)
        let bigMulA = mulA.map(big), bigMulB = mulB.map(big)
        let bigDivA = divA.map(big), bigDivB = divB.map(big), bigDivC = divC.map(big)
        let bigFmt = fmt.map(big)
        let ops = count * passes
        var sink: UInt64 = 0

        Bench.section("amount: UInt256 (checked, fixed width) vs BigUInt (attaswift/BigInt 6)")

        let add = try Bench.secondsPerOp(operations: ops) {
            for _ in 0..<passes {
                for i in 0..<count { sink ^= try addA[i].adding(addB[i]).littleEndianLimbs.0 }
            }
        }
        let bigAdd = try Bench.secondsPerOp(operations: ops) {
            for _ in 0..<passes {
                for i in 0..<count {
                    let s = bigAddA[i] + bigAddB[i]
                    if s > limit { throw ArithmeticError.overflow(operation: "+", lhs: addA[i], rhs: addB[i]) }
                    sink ^= UInt64(s.words[0])
                }
            }
        }
        row("checked add", add, bigAdd)

        let mul = try Bench.secondsPerOp(operations: ops) {
            for _ in 0..<passes {
                for i in 0..<count { sink ^= try mulA[i].multiplied(by: mulB[i]).littleEndianLimbs.0 }
            }
        }
        let bigMul = try Bench.secondsPerOp(operations: ops) {
            for _ in 0..<passes {
                for i in 0..<count {
                    let p = bigMulA[i] * bigMulB[i]
                    if p > limit { throw ArithmeticError.overflow(operation: "*", lhs: mulA[i], rhs: mulB[i]) }
                    sink ^= UInt64(p.isZero ? 0 : p.words[0])
                }
            }
        }
        row("checked multiply (128 x 128 bits)", mul, bigMul)

        let divPasses = passes / 5
        let mulDiv = try Bench.secondsPerOp(operations: count * divPasses) {
            for _ in 0..<divPasses {
                for i in 0..<count {
                    let (q, r) = try UInt256.multiplyThenDivide(divA[i], divB[i], divC[i])
                    sink ^= q.littleEndianLimbs.0 ^ r.littleEndianLimbs.0
                }
            }
        }
        let bigMulDiv = try Bench.secondsPerOp(operations: count * divPasses) {
            for _ in 0..<divPasses {
                for i in 0..<count {
                    let (q, r) = (bigDivA[i] * bigDivB[i]).quotientAndRemainder(dividingBy: bigDivC[i])
                    if q > limit { throw ArithmeticError.overflow(operation: "mulDiv", lhs: divA[i], rhs: divB[i]) }
                    sink ^= UInt64(q.isZero ? 0 : q.words[0]) ^ UInt64(r.isZero ? 0 : r.words[0])
                }
            }
        }
        row("multiplyThenDivide a·b/c (512-bit product)", mulDiv, bigMulDiv)

        let description = Bench.secondsPerOp(operations: count * divPasses) {
            for _ in 0..<divPasses {
                for i in 0..<count { sink &+= UInt64(fmt[i].description.utf8.count) }
            }
        }
        let bigDescription = Bench.secondsPerOp(operations: count * divPasses) {
            for _ in 0..<divPasses {
                for i in 0..<count { sink &+= UInt64(bigFmt[i].description.utf8.count) }
            }
        }
        row("decimal integer string (description)", description, bigDescription)

        let formatted = Bench.secondsPerOp(operations: count * divPasses) {
            for _ in 0..<divPasses {
                for i in 0..<count { sink &+= UInt64(fmt[i].formatted(decimals: 18).utf8.count) }
            }
        }
        let bigFormatted = Bench.secondsPerOp(operations: count * divPasses) {
            for _ in 0..<divPasses {
                for i in 0..<count { sink &+= UInt64(bigFormatted18(bigFmt[i], wad: bigWad).utf8.count) }
            }
        }
        row("formatted(decimals: 18), e.g. \"1.5\"", formatted, bigFormatted)

        let texts = fmt.map(\.description)
        let parse = try Bench.secondsPerOp(operations: count * divPasses) {
            for _ in 0..<divPasses {
                for i in 0..<count { sink ^= try UInt256(decimalInteger: texts[i]).littleEndianLimbs.0 }
            }
        }
        let bigParse = Bench.secondsPerOp(operations: count * divPasses) {
            for _ in 0..<divPasses {
                for i in 0..<count {
                    let v = BigUInt(texts[i]) ?? 0
                    sink ^= UInt64(v.isZero || v > limit ? 0 : v.words[0])
                }
            }
        }
        row("decimal integer parse", parse, bigParse)

        // The same inputs gave the same results on both sides (a check, not a figure).
        var agree = true
        for i in 0..<64 {
            let sum = try addA[i] + addB[i], product = try mulA[i] * mulB[i]
            agree = agree && big(sum) == bigAddA[i] + bigAddB[i]
            agree = agree && big(product) == bigMulA[i] * bigMulB[i]
            let (q, r) = try UInt256.multiplyThenDivide(divA[i], divB[i], divC[i])
            let (bq, br) = (bigDivA[i] * bigDivB[i]).quotientAndRemainder(dividingBy: bigDivC[i])
            agree = agree && big(q) == bq && big(r) == br
            agree = agree && fmt[i].description == bigFmt[i].description
            agree = agree && fmt[i].formatted(decimals: 18) == bigFormatted18(bigFmt[i], wad: bigWad)
        }
        print("results agree with BigUInt on sampled inputs: \(agree)   (sink \(sink & 0xFF))")
    }

    /// BigUInt has no decimal-point formatting; this is the shortest honest emulation.
    static func bigFormatted18(_ x: BigUInt, wad: BigUInt) -> String {
        let (whole, fraction) = x.quotientAndRemainder(dividingBy: wad)
        if fraction.isZero { return whole.description }
        var digits = fraction.description
        digits = String(repeating: "0", count: 18 - digits.count) + digits
        while digits.last == "0" { digits.removeLast() }
        return whole.description + "." + digits
    }

    static func row(_ name: String, _ value: Double, _ baseline: Double) {
        Bench.row(
            name, value: String(format: "%.1f ns/op", value * 1e9),
            baseline: String(format: "BigUInt %.1f ns/op", baseline * 1e9),
            ratio: baseline / value, target: "BigUInt/UInt256 time, want > 1")
    }
}

extension UInt256 {
    /// Halves the value (used to keep benchmark sums below 2^256).
    fileprivate func shiftedRightOne() -> UInt256 {
        (try? shiftedRight(by: 1)) ?? .zero
    }
}

extension SplitMix64 {
    /// A value with `bits` random low bits (a multiple of 64 up to 256), so the inputs are the
    /// same on every run.
    mutating func amount(bits: Int) -> UInt256 {
        var limbs: [UInt64] = [0, 0, 0, 0]
        for i in 0..<(bits / 64) { limbs[i] = next() }
        return UInt256(littleEndianLimbs: (limbs[0], limbs[1], limbs[2], limbs[3]))
    }
}
