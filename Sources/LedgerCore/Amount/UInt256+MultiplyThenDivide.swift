// Full-precision a·b/c: the one division most protocol code needs (pro-rata shares, prices),
// through an exact 512-bit product so that only a quotient above 2^256 − 1 can overflow.

extension UInt256 {
    /// The floor of `a · b / c` and its remainder, computed through an exact 512-bit product.
    ///
    /// The product `a · b` may exceed 2^256 − 1; only a quotient that does not fit throws.
    /// Rounding is toward zero (floor, as all values are non-negative) and nothing is lost:
    /// `quotient · c + remainder == a · b` with `remainder < c`, so a caller splitting an
    /// amount pro rata knows exactly how many units the rounding left over and where they go.
    ///
    /// ```swift
    /// // 1/3 of 100 units: 33 paid, 1 unit of dust to account for.
    /// let (share, dust) = try UInt256.multiplyThenDivide(100, 1, 3)   // (33, 1)
    /// ```
    ///
    /// - Throws: ``ArithmeticError/divisionByZero(dividend:)`` when `c` is zero (reporting `a`
    ///   as the dividend), ``ArithmeticError/overflow(operation:lhs:rhs:)`` when the quotient
    ///   exceeds 2^256 − 1 (reporting `a` and `b`).
    public static func multiplyThenDivide(_ a: UInt256, _ b: UInt256, _ c: UInt256) throws(ArithmeticError) -> (quotient: UInt256, remainder: UInt256) {
        if c.isZero { throw .divisionByZero(dividend: a) }
        let product = UInt512(a, times: b)
        // floor(P / c) < 2^256  ⇔  P < c · 2^256  ⇔  P.high < c.
        guard product.high < c else {
            throw .overflow(operation: "multiplyThenDivide by \(c)", lhs: a, rhs: b)
        }
        if product.high.isZero { return product.low.dividedUnchecked(by: c) }
        let (q, r) = product.dividedUnchecked(by: c)
        return (q.low, r)
    }

    /// The ceiling of `a · b / c` (rounded up whenever the remainder is not zero).
    ///
    /// Use where rounding must favour the protocol, e.g. a fee owed to it.
    ///
    /// - Throws: as ``multiplyThenDivide(_:_:_:)``, and
    ///   ``ArithmeticError/overflow(operation:lhs:rhs:)`` when rounding up passes 2^256 − 1.
    public static func mulDivRoundingUp(_ a: UInt256, _ b: UInt256, _ c: UInt256) throws(ArithmeticError) -> UInt256 {
        let (q, r) = try multiplyThenDivide(a, b, c)
        if r.isZero { return q }
        let (up, overflow) = q.addingReportingOverflow(.one)
        if overflow { throw .overflow(operation: "mulDivRoundingUp by \(c)", lhs: a, rhs: b) }
        return up
    }
}
