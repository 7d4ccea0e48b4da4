/// Exact samplers for the discrete Laplace (two-sided geometric) distribution, after Canonne,
/// Kamath and Steinke, "The Discrete Gaussian for Differential Privacy" (2020), algorithms 1–2.
///
/// `P[Y = y] ∝ exp(−|y| / b)` for integer `y`, with rational scale `b = numerator / denominator`.
/// Every step draws uniform integers and compares them; there is no floating point and no
/// logarithm anywhere, so the output distribution is exact (the naive floating-point Laplace
/// leaks through the gaps of its float grid).
///
/// Mean 0; variance `2p / (1 − p)²` with `p = exp(−1/b)`.
public enum DiscreteLaplace {
    /// Bernoulli(`a` / `b`), `a` ≤ `b`, `b` ≥ 1.
    static func bernoulli<R: ExactRandomSource>(_ a: UInt64, over b: UInt64, using rng: inout R) -> Bool {
        a >= b ? true : rng.uniform(below: b) < a
    }

    /// Bernoulli(exp(−γ)) for γ = `n` / `d` ≥ 0 (CKS algorithm 1); `d` = 0 is γ = ∞ (always false).
    public static func bernoulliExpMinus<R: ExactRandomSource>(_ n: UInt64, over d: UInt64, using rng: inout R) -> Bool {
        guard d > 0 else { return false }
        let whole = n / d
        let rest = n % d
        var i: UInt64 = 0
        while i < whole {
            if !bernoulliExpMinusFraction(1, over: 1, using: &rng) { return false }
            i += 1
        }
        return bernoulliExpMinusFraction(rest, over: d, using: &rng)
    }

    /// Bernoulli(exp(−γ)) for γ = `n` / `d` ∈ [0, 1]: draw A_k ~ Bernoulli(γ/k) for k = 1, 2, …
    /// until one is 0; the result is whether that k is odd. Bernoulli(γ/k) is drawn as
    /// Bernoulli(n/d) ∧ Bernoulli(1/k), which needs no product that could overflow.
    static func bernoulliExpMinusFraction<R: ExactRandomSource>(_ n: UInt64, over d: UInt64, using rng: inout R) -> Bool {
        var k: UInt64 = 1
        while true {
            let a = bernoulli(n, over: d, using: &rng) && (k == 1 || rng.uniform(below: k) == 0)
            if !a { break }
            k += 1
        }
        return k % 2 == 1
    }

    /// A positive rational scale `numerator / denominator`.
    public struct Scale: Sendable, Equatable {
        /// Numerator (≥ 1).
        public let numerator: UInt64
        /// Denominator (≥ 1).
        public let denominator: UInt64
        /// A scale; nil when either part is 0.
        public init?(numerator: UInt64, denominator: UInt64) {
            guard numerator > 0, denominator > 0 else { return nil }
            self.numerator = numerator
            self.denominator = denominator
        }
    }

    /// One draw of the discrete Laplace with the given scale (CKS algorithm 2).
    public static func sample<R: ExactRandomSource>(scale: Scale, using rng: inout R) -> Int64 {
        let t = scale.numerator
        let s = scale.denominator
        while true {
            let u = rng.uniform(below: t)
            guard bernoulliExpMinus(u, over: t, using: &rng) else { continue }
            var v: UInt64 = 0
            while bernoulliExpMinus(1, over: 1, using: &rng) { v += 1 }
            let (tv, o1) = t.multipliedReportingOverflow(by: v)
            let (x, o2) = u.addingReportingOverflow(tv)
            guard !o1, !o2 else { continue }
            let y = x / s
            guard y <= UInt64(Int64.max) else { continue }
            let negative = bernoulli(1, over: 2, using: &rng)
            if negative && y == 0 { continue }
            return negative ? -Int64(y) : Int64(y)
        }
    }
}
