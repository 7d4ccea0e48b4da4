public import LedgerCore

/// The algorithmic price curve: a linear bonding curve on the investor supply.
///
/// The spot price of a whole MarketToken, in NetworkToken wei, at investor supply `S`
/// (MarketToken wei) is
///
///     price(S) = floor + slope · S / U          U = 10^18 (wei per whole token)
///
/// and an investment pays the integral of the price over the tokens it mints, so a purchase
/// of Δ tokens from supply S0 costs, in NetworkToken wei,
///
///     cost(S0, Δ) = [ floor·Δ + slope·(2·S0·Δ + Δ²) / (2U) ] / U
///                 = ( 2Δ·b + slope·Δ² ) / (2U²)         with b = U·floor + slope·S0
///
/// Everything is computed exactly in the scaled unit 1/(2U²) NetworkToken wei. A purchase
/// with `offered` wei has the scaled budget `B = 2U²·offered + carry` and mints the largest
/// integer Δ with `2Δ·b + slope·Δ² ≤ B`:
///
///     Δ = floor( (isqrt(b² + slope·B) − b) / slope )      (slope > 0)
///     Δ = floor( B / (2b) )                               (slope = 0)
///
/// (`isqrt` is the exact integer square root of the 512-bit value, so Δ is exactly that
/// maximum.) The unspent part of the budget, `B − (2Δ·b + slope·Δ²)` — less than the cost of
/// one more MarketToken wei — is kept as the market's `carry` and joins the next purchase's
/// budget. Rounding is therefore always against the buyers: the curve never mints more than
/// the exact integral of what was paid, and nothing is lost. Because `cost` is additive
/// (`cost(S0, Δ1) + cost(S0+Δ1, Δ2) = cost(S0, Δ1+Δ2)`) and the carry travels with the
/// budget, buying with `x1` then `x2` mints exactly as many tokens as buying with `x1 + x2`:
/// a single large purchase never gets more than the same amount split.
public enum PriceCurve {
    /// 10^18.
    static let unit: UInt256 = .oneToken
    /// 2·10^36: the scaled units per NetworkToken wei.
    static let scale: UInt256 = UInt256.oneToken.multipliedFullWidth(by: UInt256.oneToken).low.multipliedFullWidth(by: 2).low

    /// The result of pricing a purchase.
    public struct Purchase: Sendable, Equatable {
        /// MarketToken wei minted.
        public let tokens: UInt256
        /// The carry after the purchase (scaled units).
        public let carry: UInt256
    }

    /// Prices an investment of `offered` NetworkToken wei at investor supply `supply`.
    ///
    /// - Throws: ``MarketError/arithmetic(field:_:)`` if the amounts pass 2^256.
    public static func purchase(
        offered: UInt256, supply: UInt256, carry: UInt256, floor: UInt256, slope: UInt256
    ) throws(MarketError) -> Purchase {
        let budget = try Arith.add(try Arith.mul(offered, scale, "curve budget"), carry, "curve budget")
        let b = try Arith.add(try Arith.mul(unit, floor, "curve b"), try Arith.mul(slope, supply, "curve b"), "curve b")
        let tokens: UInt256
        if slope.isZero {
            let twoB = try Arith.mul(b, 2, "curve 2b")
            tokens = try Arith.mulDiv(budget, 1, twoB, "curve tokens").quotient
        } else {
            let root = try isqrtOfSum(b, b, slope, budget)
            tokens = try Arith.mulDiv(try Arith.sub(root, b, "curve root"), 1, slope, "curve tokens").quotient
        }
        let spent = try cost(tokens, b: b, slope: slope)
        return Purchase(tokens: tokens, carry: try Arith.sub(budget, spent, "curve carry"))
    }

    /// The scaled cost `2Δ·b + slope·Δ²` of Δ tokens.
    static func cost(_ delta: UInt256, b: UInt256, slope: UInt256) throws(MarketError) -> UInt256 {
        let linear = try Arith.mul(try Arith.mul(delta, 2, "curve cost"), b, "curve cost")
        let quadratic = try Arith.mul(try Arith.mul(delta, delta, "curve cost"), slope, "curve cost")
        return try Arith.add(linear, quadratic, "curve cost")
    }

    /// The spot price of a whole MarketToken in NetworkToken wei at `supply`:
    /// `floor + ceil(slope · supply / 10^18)` (rounded up, against the buyer).
    public static func spotPrice(supply: UInt256, floor: UInt256, slope: UInt256) throws(MarketError) -> UInt256 {
        try Arith.add(floor, try Arith.mulDivUp(slope, supply, unit, "spot price"), "spot price")
    }

    /// The exact integer square root `floor(sqrt(a1·b1 + a2·b2))` of a sum of two 256-bit
    /// products (a 512-bit value), by Newton's method from above.
    static func isqrtOfSum(_ a1: UInt256, _ b1: UInt256, _ a2: UInt256, _ b2: UInt256) throws(MarketError) -> UInt256 {
        let p1 = a1.multipliedFullWidth(by: b1)
        let p2 = a2.multipliedFullWidth(by: b2)
        var low = p1.low
        var carry = UInt256.zero
        if let sum = try? p1.low.adding(p2.low) { low = sum } else {
            low = (try? p1.low.subtracting(UInt256.max.subtracting(p2.low)).subtracting(1)) ?? .zero
            carry = 1
        }
        let high = try Arith.add(try Arith.add(p1.high, p2.high, "curve sqrt"), carry, "curve sqrt")
        let bits = high.isZero ? low.significantBitCount : 256 + high.significantBitCount
        if bits == 0 { return .zero }
        let halfBits = (bits + 1) / 2
        guard halfBits < 256 else {
            throw .arithmetic(field: "curve sqrt", .overflow(operation: "sqrt", lhs: high, rhs: low))
        }
        // r0 = 2^ceil(bits/2) ≥ sqrt(N); each step stays ≥ floor(sqrt(N)) and decreases until it stops.
        var r: UInt256
        do { r = try UInt256.one.shiftedLeft(by: halfBits) } catch { throw .arithmetic(field: "curve sqrt", error) }
        while true {
            // q = floor(N / r), exactly, from the two products' quotients and remainders.
            let (q1, r1) = try Arith.mulDiv(a1, b1, r, "curve sqrt")
            let (q2, r2) = try Arith.mulDiv(a2, b2, r, "curve sqrt")
            var q = try Arith.add(q1, q2, "curve sqrt")
            if let rs = try? r1.adding(r2) {
                if rs >= r { q = try Arith.add(q, 1, "curve sqrt") }
            } else {
                q = try Arith.add(q, 1, "curve sqrt")  // r1 + r2 ≥ 2^256 > r
            }
            // next = floor((r + q) / 2) without overflowing.
            let next = try Arith.add(
                try Arith.add(half(r), half(q), "curve sqrt"),
                (isOdd(r) && isOdd(q)) ? 1 : 0, "curve sqrt")
            if next >= r { return r }
            r = next
        }
    }

    private static func half(_ x: UInt256) -> UInt256 { (try? x.shiftedRight(by: 1)) ?? .zero }
    private static func isOdd(_ x: UInt256) -> Bool { x.littleEndianLimbs.0 & 1 == 1 }
}
