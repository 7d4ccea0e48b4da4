// Checked addition, subtraction, multiplication and division. Every operation either returns
// the exact result or throws an `ArithmeticError`; nothing wraps around and nothing traps.

// MARK: - Limb helpers

extension UInt256 {
    /// `a + b + carry` for one limb, with the carry out (0 or 1). `carry` must be 0 or 1.
    @inlinable @inline(__always)
    internal static func addWithCarry(_ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
        let (s1, o1) = a.addingReportingOverflow(b)
        let (s2, o2) = s1.addingReportingOverflow(carry)
        // At most one of the two additions can overflow when carry <= 1.
        return (s2, (o1 || o2) ? 1 : 0)
    }

    /// `a − b − borrow` for one limb, with the borrow out (0 or 1). `borrow` must be 0 or 1.
    @inlinable @inline(__always)
    internal static func subtractWithBorrow(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (UInt64, UInt64) {
        let (d1, o1) = a.subtractingReportingOverflow(b)
        let (d2, o2) = d1.subtractingReportingOverflow(borrow)
        return (d2, (o1 || o2) ? 1 : 0)
    }

    /// The sum modulo 2^256 and whether the exact sum was 2^256 or more.
    @inlinable
    internal func addingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = Self.addWithCarry(w0, other.w0, 0)
        let (r1, c1) = Self.addWithCarry(w1, other.w1, c0)
        let (r2, c2) = Self.addWithCarry(w2, other.w2, c1)
        let (r3, c3) = Self.addWithCarry(w3, other.w3, c2)
        return (UInt256(r0, r1, r2, r3), c3 != 0)
    }

    /// The difference modulo 2^256 and whether the exact difference was negative.
    @inlinable
    internal func subtractingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, b0) = Self.subtractWithBorrow(w0, other.w0, 0)
        let (r1, b1) = Self.subtractWithBorrow(w1, other.w1, b0)
        let (r2, b2) = Self.subtractWithBorrow(w2, other.w2, b1)
        let (r3, b3) = Self.subtractWithBorrow(w3, other.w3, b2)
        return (UInt256(r0, r1, r2, r3), b3 != 0)
    }

    /// The product with a single limb modulo 2^256 and whether the exact product was larger.
    @inlinable
    internal func multipliedReportingOverflow(byLimb m: UInt64) -> (partialValue: UInt256, overflow: Bool) {
        let (h0, l0) = w0.multipliedFullWidth(by: m)
        let (h1, l1) = w1.multipliedFullWidth(by: m)
        let (h2, l2) = w2.multipliedFullWidth(by: m)
        let (h3, l3) = w3.multipliedFullWidth(by: m)
        let (r1, c1) = Self.addWithCarry(l1, h0, 0)
        let (r2, c2) = Self.addWithCarry(l2, h1, c1)
        let (r3, c3) = Self.addWithCarry(l3, h2, c2)
        return (UInt256(l0, r1, r2, r3), h3 != 0 || c3 != 0)
    }

    /// The quotient and remainder of a division by a single non-zero limb.
    ///
    /// The caller guarantees `divisor != 0`; a zero divisor returns `(0, 0)` rather than trap.
    @inlinable
    internal func quotientAndRemainder(dividingByLimb divisor: UInt64) -> (quotient: UInt256, remainder: UInt64) {
        guard divisor != 0 else { return (.zero, 0) }
        // Each step divides (remainder < divisor, limb), so dividingFullWidth cannot overflow.
        let (q3, r3) = w3.quotientAndRemainder(dividingBy: divisor)
        let (q2, r2) = divisor.dividingFullWidth((r3, w2))
        let (q1, r1) = divisor.dividingFullWidth((r2, w1))
        let (q0, r0) = divisor.dividingFullWidth((r1, w0))
        return (UInt256(q0, q1, q2, q3), r0)
    }
}

// MARK: - Checked arithmetic

extension UInt256 {
    /// The sum `self + other`.
    ///
    /// - Throws: ``ArithmeticError/overflow(operation:lhs:rhs:)`` when the sum exceeds 2^256 − 1.
    @inlinable
    public func adding(_ other: UInt256) throws(ArithmeticError) -> UInt256 {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { throw .overflow(operation: "+", lhs: self, rhs: other) }
        return sum
    }

    /// The difference `self − other`.
    ///
    /// - Throws: ``ArithmeticError/underflow(lhs:rhs:)`` when `other` is larger than `self`.
    @inlinable
    public func subtracting(_ other: UInt256) throws(ArithmeticError) -> UInt256 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        if overflow { throw .underflow(lhs: self, rhs: other) }
        return difference
    }

    /// The product `self · other`.
    ///
    /// - Throws: ``ArithmeticError/overflow(operation:lhs:rhs:)`` when the product exceeds
    ///   2^256 − 1. Use ``multiplyThenDivide(_:_:_:)`` when the product is only an intermediate.
    public func multiplied(by other: UInt256) throws(ArithmeticError) -> UInt256 {
        // A product of an m-limb and an n-limb number has at least m + n − 1 limbs.
        let (m, n) = (significantLimbCount, other.significantLimbCount)
        let limbs = m + n
        if m <= 2 && n <= 2 {
            // Both below 2^128: one 2×2-limb product, which always fits.
            let mac = UInt512.multiplyAccumulate
            var (r0, c) = mac(0, w0, other.w0, 0)
            var r1: UInt64, r2: UInt64, r3: UInt64
            (r1, c) = mac(0, w0, other.w1, c)
            r2 = c
            (r1, c) = mac(r1, w1, other.w0, 0)
            (r2, c) = mac(r2, w1, other.w1, c)
            r3 = c
            return UInt256(r0, r1, r2, r3)
        }
        let product = UInt512(self, times: other)
        if limbs > 5 || !product.high.isZero { throw .overflow(operation: "*", lhs: self, rhs: other) }
        return product.low
    }

    /// The floor quotient and the remainder of `self / divisor`.
    ///
    /// `quotient · divisor + remainder == self` and `remainder < divisor`.
    ///
    /// - Throws: ``ArithmeticError/divisionByZero(dividend:)`` when `divisor` is zero.
    public func dividedReportingRemainder(by divisor: UInt256) throws(ArithmeticError) -> (quotient: UInt256, remainder: UInt256) {
        if divisor.isZero { throw .divisionByZero(dividend: self) }
        return dividedUnchecked(by: divisor)
    }

    /// Division by a divisor the caller has already checked to be non-zero.
    internal func dividedUnchecked(by divisor: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        if self < divisor { return (.zero, self) }
        if let small = divisor.uint64Value {
            let (q, r) = quotientAndRemainder(dividingByLimb: small)
            return (q, UInt256(r))
        }
        let (q, r) = UInt512(high: .zero, low: self).dividedUnchecked(by: divisor)
        return (q.low, r)
    }

    /// The full 512-bit product of `self` and `other`, which can never overflow.
    public func multipliedFullWidth(by other: UInt256) -> (high: UInt256, low: UInt256) {
        let p = UInt512(self, times: other)
        return (p.high, p.low)
    }

    /// The value shifted left by `count` bits: `self · 2^count`, exact.
    ///
    /// A negative `count` shifts right instead (the floor of `self / 2^−count`), which never
    /// throws.
    ///
    /// - Throws: ``ArithmeticError/overflow(operation:lhs:rhs:)`` when a one bit would be
    ///   shifted out, i.e. the exact result exceeds 2^256 − 1.
    public func shiftedLeft(by count: Int) throws(ArithmeticError) -> UInt256 {
        if count < 0 { return shiftedRight(magnitude: count.magnitude) }
        if isZero { return self }
        guard count <= leadingZeroBitCount else {
            throw .overflow(operation: "<<", lhs: self, rhs: UInt256(UInt64(count.magnitude)))
        }
        return shiftedLeft(fitting: count)
    }

    /// The value shifted right by `count` bits: the floor of `self / 2^count`; bits shifted out
    /// are dropped (a count of 256 or more gives zero).
    ///
    /// A negative `count` shifts left instead, exactly as ``shiftedLeft(by:)``.
    ///
    /// - Throws: ``ArithmeticError/overflow(operation:lhs:rhs:)`` only for a negative `count`
    ///   whose left shift would exceed 2^256 − 1; a non-negative `count` never throws.
    public func shiftedRight(by count: Int) throws(ArithmeticError) -> UInt256 {
        if count >= 0 { return shiftedRight(magnitude: count.magnitude) }
        if isZero { return self }
        guard count.magnitude <= UInt(leadingZeroBitCount) else {
            throw .overflow(operation: "<<", lhs: self, rhs: UInt256(UInt64(count.magnitude)))
        }
        return shiftedLeft(fitting: Int(count.magnitude))
    }

    /// A left shift by `0...leadingZeroBitCount` bits, which loses nothing.
    internal func shiftedLeft(fitting count: Int) -> UInt256 {
        if count <= 0 || count >= 256 { return count == 0 ? self : .zero }
        let limbs = count / 64, bits = count % 64
        var result = UInt256.zero
        for i in stride(from: 3, through: limbs, by: -1) {
            var limb = self[limb: i - limbs] << bits
            if bits > 0 { limb |= self[limb: i - limbs - 1] >> (64 - bits) }
            result[limb: i] = limb
        }
        return result
    }

    /// A right shift by any non-negative number of bits.
    internal func shiftedRight(magnitude count: UInt) -> UInt256 {
        if count == 0 { return self }
        if count >= 256 { return .zero }
        let limbs = Int(count / 64), bits = Int(count % 64)
        var result = UInt256.zero
        for i in 0..<(4 - limbs) {
            var limb = self[limb: i + limbs] >> bits
            if bits > 0 { limb |= self[limb: i + limbs + 1] << (64 - bits) }
            result[limb: i] = limb
        }
        return result
    }
}

// MARK: - Throwing operators

extension UInt256 {
    /// The checked sum; write `try a + b`.
    ///
    /// - Throws: ``ArithmeticError/overflow(operation:lhs:rhs:)`` above 2^256 − 1.
    @inlinable
    public static func + (lhs: UInt256, rhs: UInt256) throws(ArithmeticError) -> UInt256 {
        try lhs.adding(rhs)
    }

    /// The checked difference; write `try a - b`.
    ///
    /// - Throws: ``ArithmeticError/underflow(lhs:rhs:)`` below zero.
    @inlinable
    public static func - (lhs: UInt256, rhs: UInt256) throws(ArithmeticError) -> UInt256 {
        try lhs.subtracting(rhs)
    }

    /// The checked product; write `try a * b`.
    ///
    /// - Throws: ``ArithmeticError/overflow(operation:lhs:rhs:)`` above 2^256 − 1.
    @inlinable
    public static func * (lhs: UInt256, rhs: UInt256) throws(ArithmeticError) -> UInt256 {
        try lhs.multiplied(by: rhs)
    }

    /// The floor quotient; write `try a / b`. Use ``dividedReportingRemainder(by:)`` to keep
    /// the remainder.
    ///
    /// - Throws: ``ArithmeticError/divisionByZero(dividend:)`` when `rhs` is zero.
    @inlinable
    public static func / (lhs: UInt256, rhs: UInt256) throws(ArithmeticError) -> UInt256 {
        try lhs.dividedReportingRemainder(by: rhs).quotient
    }

    /// The remainder of the floor division; write `try a % b`.
    ///
    /// - Throws: ``ArithmeticError/divisionByZero(dividend:)`` when `rhs` is zero.
    @inlinable
    public static func % (lhs: UInt256, rhs: UInt256) throws(ArithmeticError) -> UInt256 {
        try lhs.dividedReportingRemainder(by: rhs).remainder
    }
}
