// The 512-bit intermediate of multiply-then-divide, and the long division (Knuth D) that both
// `dividedReportingRemainder(by:)` and `multiplyThenDivide` use.

/// A 512-bit unsigned integer used only as the exact product of two ``UInt256`` values.
internal struct UInt512: Sendable, Equatable {
    /// Bits 256–511.
    var high: UInt256
    /// Bits 0–255.
    var low: UInt256

    init(high: UInt256, low: UInt256) {
        self.high = high
        self.low = low
    }

    /// The exact product `a · b` (schoolbook, written out: sixteen 64×64→128-bit products).
    init(_ a: UInt256, times b: UInt256) {
        let mac = UInt512.multiplyAccumulate
        // Row 0: a.w0 · b
        var (r0, c) = mac(0, a.w0, b.w0, 0)
        var r1: UInt64, r2: UInt64, r3: UInt64, r4: UInt64, r5: UInt64, r6: UInt64, r7: UInt64
        (r1, c) = mac(0, a.w0, b.w1, c)
        (r2, c) = mac(0, a.w0, b.w2, c)
        (r3, c) = mac(0, a.w0, b.w3, c)
        r4 = c
        // Row 1: a.w1 · b, shifted one limb
        (r1, c) = mac(r1, a.w1, b.w0, 0)
        (r2, c) = mac(r2, a.w1, b.w1, c)
        (r3, c) = mac(r3, a.w1, b.w2, c)
        (r4, c) = mac(r4, a.w1, b.w3, c)
        r5 = c
        // Row 2
        (r2, c) = mac(r2, a.w2, b.w0, 0)
        (r3, c) = mac(r3, a.w2, b.w1, c)
        (r4, c) = mac(r4, a.w2, b.w2, c)
        (r5, c) = mac(r5, a.w2, b.w3, c)
        r6 = c
        // Row 3
        (r3, c) = mac(r3, a.w3, b.w0, 0)
        (r4, c) = mac(r4, a.w3, b.w1, c)
        (r5, c) = mac(r5, a.w3, b.w2, c)
        (r6, c) = mac(r6, a.w3, b.w3, c)
        r7 = c
        self.init(high: UInt256(r4, r5, r6, r7), low: UInt256(r0, r1, r2, r3))
    }

    /// `accumulator + x · y + carry` as (low limb, high limb); it always fits in 128 bits
    /// because (2^64 − 1) + (2^64 − 1)^2 + (2^64 − 1) = 2^128 − 1.
    @inline(__always)
    static func multiplyAccumulate(_ accumulator: UInt64, _ x: UInt64, _ y: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
        let (high, low) = x.multipliedFullWidth(by: y)
        let (l1, o1) = low.addingReportingOverflow(accumulator)
        let (l2, o2) = l1.addingReportingOverflow(carry)
        return (l2, high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0))
    }

    /// The limb at `index` (0 is the least significant); outside `0..<8` reads zero.
    subscript(limb index: Int) -> UInt64 {
        get { index < 4 ? low[limb: index] : high[limb: index - 4] }
        set {
            if index < 4 { low[limb: index] = newValue } else { high[limb: index - 4] = newValue }
        }
    }

    /// The number of limbs up to and including the most significant non-zero one.
    var significantLimbCount: Int {
        let h = high.significantLimbCount
        return h > 0 ? 4 + h : low.significantLimbCount
    }

    /// The floor quotient and remainder of `self / divisor` (Knuth, TAOCP vol. 2, 4.3.1,
    /// algorithm D, with 64-bit limbs). The caller guarantees `divisor != 0`; a zero divisor
    /// returns zeros rather than trap.
    func dividedUnchecked(by divisor: UInt256) -> (quotient: UInt512, remainder: UInt256) {
        let n = divisor.significantLimbCount
        let m = significantLimbCount
        guard n > 0 else { return (UInt512(high: .zero, low: .zero), .zero) }
        if m < n { return (UInt512(high: .zero, low: .zero), low) }

        // Scratch on the stack: u (m + 1 limbs), v (n limbs), q (m − n + 1 limbs).
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 9 + 4 + 8) { scratch in
            guard let base = scratch.baseAddress else { return (UInt512(high: .zero, low: .zero), .zero) }
            base.initialize(repeating: 0, count: 21)
            defer { base.deinitialize(count: 21) }
            let u = base, v = base + 9, q = base + 13
            (u[0], u[1], u[2], u[3]) = low.littleEndianLimbs
            (u[4], u[5], u[6], u[7]) = high.littleEndianLimbs
            (v[0], v[1], v[2], v[3]) = divisor.littleEndianLimbs
            Self.divide(u: u, m: m, v: v, n: n, q: q)
            let quotient = UInt512(high: UInt256(q[4], q[5], q[6], q[7]), low: UInt256(q[0], q[1], q[2], q[3]))
            return (quotient, UInt256(u[0], u[1], u[2], u[3]))
        }
    }

    /// Divides the `m`-limb number at `u` (with room for limb `m`) by the `n`-limb number at
    /// `v` (`v[n−1] != 0`, `m >= n`), writing the quotient to `q[0...m−n]` and leaving the
    /// remainder in `u[0..<n]` (higher limbs of `u` become zero). `v` is overwritten.
    private static func divide(
        u: UnsafeMutablePointer<UInt64>, m: Int,
        v: UnsafeMutablePointer<UInt64>, n: Int,
        q: UnsafeMutablePointer<UInt64>
    ) {
        if n == 1 {
            let d = v[0]
            var r: UInt64 = 0
            for i in stride(from: m - 1, through: 0, by: -1) {
                (q[i], r) = d.dividingFullWidth((r, u[i]))
            }
            for i in 0..<m { u[i] = 0 }
            u[0] = r
            return
        }

        // D1: normalise so the divisor's top bit is set; the quotient is unchanged.
        let s = v[n - 1].leadingZeroBitCount
        if s > 0 {
            for i in stride(from: n - 1, to: 0, by: -1) { v[i] = (v[i] << s) | (v[i - 1] >> (64 - s)) }
            v[0] <<= s
            u[m] = u[m - 1] >> (64 - s)
            for i in stride(from: m - 1, to: 0, by: -1) { u[i] = (u[i] << s) | (u[i - 1] >> (64 - s)) }
            u[0] <<= s
        } else {
            u[m] = 0
        }

        let vTop = v[n - 1], vNext = v[n - 2]
        for j in stride(from: m - n, through: 0, by: -1) {
            // D3: estimate qhat from the top two limbs; it is at most 2 too large.
            let uTop = u[j + n], uNext = u[j + n - 1], uNext2 = u[j + n - 2]
            var qhat: UInt64, rhat: UInt64, rhatOverflow: Bool
            if uTop >= vTop {
                // Only uTop == vTop is possible; the two-limb quotient would not fit in a limb.
                qhat = .max
                (rhat, rhatOverflow) = uNext.addingReportingOverflow(vTop)
            } else {
                (qhat, rhat) = vTop.dividingFullWidth((uTop, uNext))
                rhatOverflow = false
            }
            while !rhatOverflow {
                let (ph, pl) = qhat.multipliedFullWidth(by: vNext)
                guard ph > rhat || (ph == rhat && pl > uNext2) else { break }
                qhat -= 1
                (rhat, rhatOverflow) = rhat.addingReportingOverflow(vTop)
            }

            // D4: u[j...j+n] −= qhat · v.
            var carry: UInt64 = 0, borrow: UInt64 = 0
            for i in 0..<n {
                let (ph, pl) = qhat.multipliedFullWidth(by: v[i])
                let (product, c) = pl.addingReportingOverflow(carry)
                carry = ph &+ (c ? 1 : 0)
                (u[i + j], borrow) = UInt256.subtractWithBorrow(u[i + j], product, borrow)
            }
            (u[j + n], borrow) = UInt256.subtractWithBorrow(u[j + n], carry, borrow)

            // D5/D6: the estimate was one too large (rare); add v back.
            if borrow != 0 {
                qhat -= 1
                var c: UInt64 = 0
                for i in 0..<n { (u[i + j], c) = UInt256.addWithCarry(u[i + j], v[i], c) }
                // The carry out of the top cancels the borrow: u[j + n] wrapped below zero in D4
                // and comes back to zero here. It must be written, not skipped: when j is 0 and
                // n < 4 it is a limb of the remainder handed back.
                u[j + n] = u[j + n] &+ c
            }
            q[j] = qhat
        }

        // D8: undo the normalisation of the remainder.
        if s > 0 {
            for i in 0..<(n - 1) { u[i] = (u[i] >> s) | (u[i + 1] << (64 - s)) }
            u[n - 1] >>= s
        }
    }
}
