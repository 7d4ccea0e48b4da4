import LedgerCore

/// Monte Carlo permutation estimates of Data-Shapley values (Ghorbani & Zou 2019): each
/// player's average marginal gain in a utility (e.g. validation accuracy) over random orders
/// in which the players join. Seeded, so the sponsor's posted scores can be reproduced by
/// anyone holding the same inputs.
public enum DataShapley {
    /// The estimated value of each of `players` players.
    /// - Parameters:
    ///   - players: The number of players (at most 63; coalitions are bit masks).
    ///   - permutations: How many random orders to average over.
    ///   - seed: Seed of the orders.
    ///   - utility: The value of a coalition, given as sorted player indices (the empty
    ///     coalition included). Each distinct coalition is evaluated once.
    public static func monteCarlo(players: Int, permutations: Int, seed: UInt64, utility: ([Int]) -> Double) -> [Double] {
        guard players > 0, players < 64, permutations > 0 else { return [Double](repeating: 0, count: max(0, players)) }
        var cache: [UInt64: Double] = [:]
        func value(_ mask: UInt64) -> Double {
            if let v = cache[mask] { return v }
            let members = (0..<players).filter { mask & (1 << UInt64($0)) != 0 }
            let v = utility(members)
            cache[mask] = v
            return v
        }
        var rng = SplitMix64(seed: seed)
        var totals = [Double](repeating: 0, count: players)
        var order = Array(0..<players)
        for _ in 0..<permutations {
            rng.shuffle(&order)
            var mask: UInt64 = 0
            var previous = value(0)
            for p in order {
                mask |= 1 << UInt64(p)
                let current = value(mask)
                totals[p] += current - previous
                previous = current
            }
        }
        return totals.map { $0 / Double(permutations) }
    }

    /// Values as integers for the chain: `round(value · scale)`.
    public static func scores(_ values: [Double], scale: Double = 10_000) -> [Int64] {
        values.map { v in
            let s = (v * scale).rounded()
            return s.isFinite ? Int64(max(-9.0e18, min(9.0e18, s))) : 0
        }
    }
}
