public import LedgerCore

/// A `$Data` owner's offer of a per-use bonus, and once a trainer accepts it, their agreement.
///
/// The owner offers a price per use (to one named trainer or to anyone); a trainer accepts,
/// optionally prepaying uses into an escrow; each use the trainer records pays the price to the
/// `$Data`'s current owner, from the prepayment first and then from the trainer's balance.
/// The trainer may close the agreement and take back the unused prepayment.
public struct UsageAgreement: Codable, Sendable, Equatable {
    /// Where an offer stands.
    public enum Status: String, Codable, Sendable, Equatable {
        /// Offered, not accepted yet.
        case open
        /// Accepted: uses can be recorded.
        case active
        /// Withdrawn by the owner before acceptance.
        case withdrawn
        /// Closed by the trainer; the unused prepayment was refunded.
        case closed
    }

    /// The offer id.
    public let id: UInt64
    /// The `$Data` token.
    public let data: UInt64
    /// Who offered (the data owner at the time).
    public let offeredBy: Address
    /// The trainer it is for, or nil for anyone.
    public let forTrainer: Address?
    /// The token the bonus is paid in.
    public let token: TokenID
    /// The bonus per use.
    public let pricePerUse: UInt256
    /// Its status.
    public internal(set) var status: Status = .open
    /// The trainer who accepted it.
    public internal(set) var trainer: Address?
    /// The escrow holding the prepayment (opened on acceptance).
    public internal(set) var escrow: UInt64?
    /// Prepaid uses not yet recorded.
    public internal(set) var prepaidUses: UInt64 = 0
    /// Uses recorded.
    public internal(set) var uses: UInt64 = 0
}
