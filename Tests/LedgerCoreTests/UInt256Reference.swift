// Test support for the UInt256 suites: property-test generators (swift-property-based, which
// shrinks a failing input and prints the seed that replays it) and an independent
// arbitrary-precision oracle. The oracle uses 32-bit limbs and the simplest algorithms
// (schoolbook multiply, bit-at-a-time long division, digit-at-a-time base conversion) so that it
// shares no code or technique with the 64-bit-limb, Knuth-division, 19-digit-chunk
// implementation under test.

import LedgerCore
import PropertyBased

extension Gen where Value == UInt64 {
    /// A 64-bit limb biased toward the edges: zero, all ones, small, a power of two, just
    /// below all ones, or uniform (three times as often as each edge).
    static var edgyLimb: Generator<UInt64, some SendableSequenceType> {
        Gen.frequency(
            (1, Gen.always(UInt64(0))),
            (1, Gen.always(UInt64.max)),
            (1, Gen.uint64(in: 0...15)),
            (1, Gen.uint64(in: 0...63).map { UInt64(1) << $0 }),
            (1, Gen.uint64(in: 0...15).map { UInt64.max - $0 }),
            (3, Gen.uint64()))
    }
}

extension Gen where Value == UInt256 {
    /// A UInt256 with 0 to 4 significant edge-biased limbs, the top bit of its highest limb
    /// set one time in eight; shrinks toward fewer and smaller limbs.
    static var amount: Generator<UInt256, some SendableSequenceType> {
        zip(Gen<Int>.int(in: 0...4), Gen<UInt64>.edgyLimb.array(of: 4), Gen<Bool>.bool(0.125)).map { generated in
            let (limbs, drawn, topBit) = generated
            var parts = Array(drawn.prefix(limbs)) + Array(repeating: 0, count: 4 - min(limbs, drawn.count))
            if topBit { parts[max(limbs - 1, 0)] |= 1 << 63 }
            return UInt256(littleEndianLimbs: (parts[0], parts[1], parts[2], parts[3]))
        }
    }
}

/// An arbitrary-precision natural number: little-endian 32-bit limbs without trailing zeros.
struct ReferenceNatural: Equatable, Comparable, CustomStringConvertible {
    private(set) var limbs: [UInt32]

    init(limbs: [UInt32]) {
        self.limbs = limbs
        while self.limbs.last == 0 { self.limbs.removeLast() }
    }

    init(_ value: UInt64) {
        self.init(limbs: [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)])
    }

    init(_ value: UInt256) {
        let (a, b, c, d) = value.littleEndianLimbs
        var parts: [UInt32] = []
        for limb in [a, b, c, d] {
            parts.append(UInt32(truncatingIfNeeded: limb))
            parts.append(UInt32(truncatingIfNeeded: limb >> 32))
        }
        self.init(limbs: parts)
    }

    /// Parses ASCII decimal digits one at a time (the test guarantees they are digits).
    init(decimal text: String) {
        var value = ReferenceNatural(limbs: [])
        for ch in text.utf8 { value = value.timesSmall(10).plusSmall(UInt32(ch - 48)) }
        self = value
    }

    static func pow(_ base: UInt32, _ exponent: Int) -> ReferenceNatural {
        var result = ReferenceNatural(UInt64(1))
        for _ in 0..<exponent { result = result.timesSmall(base) }
        return result
    }

    var isZero: Bool { limbs.isEmpty }
    var bitLength: Int { limbs.isEmpty ? 0 : (limbs.count - 1) * 32 + (32 - limbs[limbs.count - 1].leadingZeroBitCount) }

    /// The value as a UInt256, or nil above 2^256 − 1.
    var uint256: UInt256? {
        guard limbs.count <= 8 else { return nil }
        var parts = [UInt64](repeating: 0, count: 4)
        for (i, limb) in limbs.enumerated() { parts[i / 2] |= UInt64(limb) << (32 * UInt64(i % 2)) }
        return UInt256(littleEndianLimbs: (parts[0], parts[1], parts[2], parts[3]))
    }

    func bit(_ i: Int) -> Bool {
        let limb = i / 32
        return limb < limbs.count && (limbs[limb] >> UInt32(i % 32)) & 1 == 1
    }

    static func < (lhs: ReferenceNatural, rhs: ReferenceNatural) -> Bool {
        if lhs.limbs.count != rhs.limbs.count { return lhs.limbs.count < rhs.limbs.count }
        for i in stride(from: lhs.limbs.count - 1, through: 0, by: -1) where lhs.limbs[i] != rhs.limbs[i] {
            return lhs.limbs[i] < rhs.limbs[i]
        }
        return false
    }

    static func + (lhs: ReferenceNatural, rhs: ReferenceNatural) -> ReferenceNatural {
        var out: [UInt32] = []
        var carry: UInt64 = 0
        for i in 0..<max(lhs.limbs.count, rhs.limbs.count) {
            let s = UInt64(i < lhs.limbs.count ? lhs.limbs[i] : 0) + UInt64(i < rhs.limbs.count ? rhs.limbs[i] : 0) + carry
            out.append(UInt32(truncatingIfNeeded: s))
            carry = s >> 32
        }
        out.append(UInt32(carry))
        return ReferenceNatural(limbs: out)
    }

    /// lhs − rhs; the caller guarantees lhs >= rhs.
    static func - (lhs: ReferenceNatural, rhs: ReferenceNatural) -> ReferenceNatural {
        var out: [UInt32] = []
        var borrow: Int64 = 0
        for i in 0..<lhs.limbs.count {
            var d = Int64(lhs.limbs[i]) - Int64(i < rhs.limbs.count ? rhs.limbs[i] : 0) - borrow
            borrow = 0
            if d < 0 { d += 1 << 32; borrow = 1 }
            out.append(UInt32(d))
        }
        return ReferenceNatural(limbs: out)
    }

    static func * (lhs: ReferenceNatural, rhs: ReferenceNatural) -> ReferenceNatural {
        if lhs.isZero || rhs.isZero { return ReferenceNatural(limbs: []) }
        var out = [UInt32](repeating: 0, count: lhs.limbs.count + rhs.limbs.count)
        for i in 0..<lhs.limbs.count {
            var carry: UInt64 = 0
            for j in 0..<rhs.limbs.count {
                let t = UInt64(lhs.limbs[i]) * UInt64(rhs.limbs[j]) + UInt64(out[i + j]) + carry
                out[i + j] = UInt32(truncatingIfNeeded: t)
                carry = t >> 32
            }
            out[i + rhs.limbs.count] = UInt32(carry)
        }
        return ReferenceNatural(limbs: out)
    }

    func timesSmall(_ m: UInt32) -> ReferenceNatural { self * ReferenceNatural(UInt64(m)) }
    func plusSmall(_ a: UInt32) -> ReferenceNatural { self + ReferenceNatural(UInt64(a)) }

    /// Bit-at-a-time long division; the divisor must not be zero.
    func quotientAndRemainder(dividingBy divisor: ReferenceNatural) -> (quotient: ReferenceNatural, remainder: ReferenceNatural) {
        var quotientLimbs = [UInt32](repeating: 0, count: limbs.count)
        var remainder = ReferenceNatural(limbs: [])
        for i in stride(from: bitLength - 1, through: 0, by: -1) {
            remainder = remainder + remainder
            if bit(i) { remainder = remainder.plusSmall(1) }
            if !(remainder < divisor) {
                remainder = remainder - divisor
                quotientLimbs[i / 32] |= 1 << UInt32(i % 32)
            }
        }
        return (ReferenceNatural(limbs: quotientLimbs), remainder)
    }

    /// Division by a small number, returning the remainder (used for base conversion).
    func dividedBySmall(_ d: UInt32) -> (ReferenceNatural, UInt32) {
        var out = [UInt32](repeating: 0, count: limbs.count)
        var rem: UInt64 = 0
        for i in stride(from: limbs.count - 1, through: 0, by: -1) {
            let cur = (rem << 32) | UInt64(limbs[i])
            out[i] = UInt32(cur / UInt64(d))
            rem = cur % UInt64(d)
        }
        return (ReferenceNatural(limbs: out), UInt32(rem))
    }

    /// Base-10 digits, one division by ten at a time.
    var description: String { digits(base: 10) }

    /// Lowercase hexadecimal digits without prefix ("0" for zero).
    var hexDigits: String { digits(base: 16) }

    /// The digits in `base` (2 to 16, lowercase letters), one division by the base at a time.
    private func digits(base: UInt32) -> String {
        if isZero { return "0" }
        let alphabet = Array("0123456789abcdef")
        var digits: [Character] = []
        var rest = self
        while !rest.isZero {
            let (q, r) = rest.dividedBySmall(base)
            digits.append(alphabet[Int(r)])
            rest = q
        }
        return String(digits.reversed())
    }
}
