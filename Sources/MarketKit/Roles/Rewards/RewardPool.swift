public import LedgerCore

/// A funded pot paying base rewards per second to listed `$Data` and admitted `$Portfolio`
/// tokens.
///
/// Anyone may fund it; its tokens sit in an escrow of the roles module, so it can never pay
/// out more than it received. See ``RewardAccrual`` for how a claim is computed.
public struct RewardPool: Codable, Sendable, Equatable {
    /// Its id.
    public let id: UInt64
    /// Who created it: admits portfolios, receives the remainder when it is closed.
    public let creator: Address
    /// The token it pays in.
    public let token: TokenID
    /// Its escrow.
    public let escrow: UInt64
    /// If set, only `$Data` tied to a listing in this market accrues from it.
    public let market: MarketID?
    /// Token units per second per listed `$Data` token (zero: data does not accrue).
    public let dataRatePerSecond: UInt256
    /// Token units per second per admitted, active `$Portfolio` (zero: portfolios do not accrue).
    public let portfolioRatePerSecond: UInt256
    /// When accrual starts (its creation).
    public let startsAt: UInt64
    /// When accrual stops.
    public let endsAt: UInt64
    /// When its creator may close it: `endsAt + claimGrace`.
    public let closableAt: UInt64
    /// Everything ever funded.
    public internal(set) var funded: UInt256 = .zero
    /// Everything ever paid to claimants.
    public internal(set) var paid: UInt256 = .zero
    /// Whether it was closed (remainder refunded to the creator).
    public internal(set) var closed: Bool = false
}

/// A (pool or evaluation or model, NFT or account) pair used as a state-map key.
public struct PairKey: Hashable, Comparable, Sendable, Codable {
    /// The first id.
    public let first: UInt64
    /// The second id.
    public let second: UInt64
    /// A key.
    public init(_ first: UInt64, _ second: UInt64) {
        self.first = first
        self.second = second
    }
    /// Orders by the first id, then the second.
    public static func < (l: PairKey, r: PairKey) -> Bool { l.first != r.first ? l.first < r.first : l.second < r.second }
}

/// An (id, account) pair used as a state-map key: (model, user), (evaluation, reviewer).
public struct AccountKey: Hashable, Comparable, Sendable, Codable {
    /// The id.
    public let id: UInt64
    /// The account.
    public let account: Address
    /// A key.
    public init(_ id: UInt64, _ account: Address) {
        self.id = id
        self.account = account
    }
    /// Orders by id, then account.
    public static func < (l: AccountKey, r: AccountKey) -> Bool { l.id != r.id ? l.id < r.id : l.account < r.account }
}

/// The pure arithmetic of a base-reward claim (integers only).
///
/// For a token accruing from `start` at `rate` per second from a pool that accrues until
/// `endsAt` and holds `held`:
///
/// ```
/// from    = max(start, checkpoint)            // checkpoint: how far it was paid before
/// to      = min(now, endsAt)
/// elapsed = to − from                         // nothing to claim if to ≤ from
/// seconds = min(elapsed, floor(held / rate))  // whole seconds the pool can still pay
/// paid    = rate · seconds
/// checkpoint ← from + seconds
/// ```
///
/// When the pool runs dry the rule is **first come, first served, in whole seconds**: a claim
/// takes what the pool holds (floored to whole seconds of its rate) and the unpaid seconds stay
/// owed — the checkpoint advances only over the seconds paid — so they are paid if the pool is
/// funded again before it is closed. Less than one second's rate stays in the pool and goes
/// back to its creator when it is closed. So `Σ paid ≤ Σ funded` always.
public enum RewardAccrual {
    /// What a claim pays and the new checkpoint.
    public struct Claim: Sendable, Equatable {
        /// Seconds paid for.
        public let seconds: UInt64
        /// The amount paid: `rate · seconds`.
        public let amount: UInt256
        /// The new checkpoint: `from + seconds`.
        public let checkpoint: UInt64
        /// Accrual start of this claim.
        public let from: UInt64
        /// Accrual end of this claim.
        public let to: UInt64
    }

    /// Computes a claim, or nil when nothing has accrued (`to ≤ from`).
    /// - Throws: ``RolesError/arithmetic(field:_:)`` only on a zero rate.
    public static func claim(start: UInt64, checkpoint: UInt64?, now: UInt64, endsAt: UInt64, rate: UInt256, held: UInt256) throws(RolesError) -> Claim? {
        let from = max(start, checkpoint ?? 0)
        let to = min(now, endsAt)
        guard to > from else { return nil }
        let elapsed = to - from
        let affordable = try RolesArith.div(held, rate, "pool seconds affordable")
        let seconds = min(elapsed, affordable.uint64Value ?? .max)
        let amount = try RolesArith.mul(rate, UInt256(seconds), "base reward")
        return Claim(seconds: seconds, amount: amount, checkpoint: from + seconds, from: from, to: to)
    }
}
