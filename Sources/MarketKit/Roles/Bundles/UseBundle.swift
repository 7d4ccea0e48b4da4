public import LedgerCore

/// A prepaid bundle of uses of one `$Model`, served by one model host.
///
/// A user escrows `uses × pricePerUse` (the price when bought) on chain and names the host
/// allowed to report uses; the host serves calls at once and reports them later in one
/// transaction (``RolesModule/Call/reportBundleUses(bundle:count:)``), which pays each use
/// exactly as ``RolesModule/Call/useModel(model:maxPrice:)`` would, out of the escrow. The host
/// may report until `expiresAt`; after that the buyer takes back what is left
/// (``RolesModule/Call/refundBundle(bundle:)``), and the host may hand it back at any time.
/// A host therefore never needs to serve more than ``remaining`` uses, and never can be paid
/// for more.
public struct UseBundle: Codable, Sendable, Equatable {
    /// The bundle id.
    public let id: UInt64
    /// The `$Model` token.
    public let model: UInt64
    /// Who paid.
    public let buyer: Address
    /// The host allowed to report uses.
    public let host: Address
    /// The price of one use, fixed when bought.
    public let pricePerUse: UInt256
    /// The token it was paid in.
    public let token: TokenID
    /// Uses bought.
    public let bought: UInt64
    /// Uses reported by the host so far.
    public internal(set) var reported: UInt64 = 0
    /// The escrow holding the unreported uses' payment.
    public let escrow: UInt64
    /// When it was bought.
    public let boughtAt: UInt64
    /// The last moment the host may report; the buyer may refund from then on.
    public let expiresAt: UInt64
    /// True once refunded (no more reports).
    public internal(set) var closed: Bool = false

    /// Uses still payable: `bought − reported`, or zero once closed.
    public var remaining: UInt64 { closed ? 0 : bought - reported }
}
