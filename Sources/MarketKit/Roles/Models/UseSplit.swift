public import LedgerCore

/// How one use payment is divided, exactly.
///
/// With price `P`, curator share `c` and data share `d` (basis points) and portfolio weights
/// `w_i` (basis points summing to 10,000):
///
/// ```
/// curator  = floor(P · c / 10000)            (0 when the model was trained on one $Data: no curator)
/// dataPool = floor(P · d / 10000)
/// data_i   = floor(dataPool · w_i / 10000)
/// owner    = P − curator − Σ data_i          (the model owner's share plus every rounding remainder)
/// ```
///
/// Every division floors and the model owner is the named recipient of all remainders, so
/// `owner + curator + Σ data_i == P` always: no unit is created or lost.
public struct UseSplit: Sendable, Equatable {
    /// The model owner's part, remainders included.
    public let modelOwner: UInt256
    /// The curator's part (zero without a portfolio).
    public let curator: UInt256
    /// Each `$Data` entry's part, in entry order.
    public let dataOwners: [(data: UInt64, amount: UInt256)]

    /// Splits `price` under the shares and entries.
    /// - Parameters:
    ///   - price: the amount paid for the use.
    ///   - curatorShareBP: the curator's share in basis points.
    ///   - dataShareBP: the `$Data` owners' share in basis points, divided by entry weight.
    ///   - hasCurator: false for a model trained on a single `$Data`: the curator share then
    ///     goes to the model owner.
    ///   - entries: the `$Data` entries and their weights (summing to 10,000).
    public static func split(
        price: UInt256, curatorShareBP: UInt64, dataShareBP: UInt64, entries: [PortfolioEntry], hasCurator: Bool
    ) throws(RolesError) -> UseSplit {
        let bp = UInt256(10_000)
        let curator = hasCurator ? try RolesArith.mulDiv(price, UInt256(curatorShareBP), bp, "curator share").quotient : .zero
        let dataPool = try RolesArith.mulDiv(price, UInt256(dataShareBP), bp, "data share").quotient
        var parts: [(data: UInt64, amount: UInt256)] = []
        parts.reserveCapacity(entries.count)
        var rest = try RolesArith.sub(price, curator, "model owner share")
        for e in entries {
            let part = try RolesArith.mulDiv(dataPool, UInt256(e.weight), bp, "data owner share").quotient
            rest = try RolesArith.sub(rest, part, "model owner share")
            parts.append((e.data, part))
        }
        return UseSplit(modelOwner: rest, curator: curator, dataOwners: parts)
    }

    /// `modelOwner + curator + Σ dataOwners`; equals the price.
    public var total: UInt256 {
        var sum = (try? modelOwner.adding(curator)) ?? .max
        for p in dataOwners { sum = (try? sum.adding(p.amount)) ?? .max }
        return sum
    }

    /// Whether both splits pay the same amounts to the model owner, the curator and each `$Data` entry.
    public static func == (l: UseSplit, r: UseSplit) -> Bool {
        l.modelOwner == r.modelOwner && l.curator == r.curator
            && l.dataOwners.map(\.data) == r.dataOwners.map(\.data) && l.dataOwners.map(\.amount) == r.dataOwners.map(\.amount)
    }
}
