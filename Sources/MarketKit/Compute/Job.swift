public import LedgerCore

/// A paid compute job waiting for its backend's report.
public struct Job: Codable, Sendable, Equatable {
    /// Its id, unique within the market.
    public let id: UInt64
    /// Who paid.
    public let buyer: Address
    /// The backend that must run and report it.
    public let backend: Address
    /// The listings paid for, or nil for the whole market.
    public let listings: [Hash32]?
    /// Access cost of each listing in ``listings`` when paid (same order).
    public let accessCosts: [UInt256]
    /// Σ access costs due to listing owners.
    public let accessTotal: UInt256
    /// The backend's compute cost when paid.
    public let computeCost: UInt256
    /// What the buyer paid into the compute escrow.
    public let price: UInt256
    /// The backend's payout: `floor(price · backendPayment / 100)`.
    public let backendPay: UInt256
    /// When it was paid.
    public let paidAt: UInt64
    /// The backend must report by then; after, the buyer may be refunded.
    public let deadline: UInt64
}
