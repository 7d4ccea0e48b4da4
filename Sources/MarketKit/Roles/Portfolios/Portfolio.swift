public import LedgerCore

/// A `$Portfolio` token: a curator's weighted selection of `$Data` tokens.
///
/// The NFT (kind `portfolio`) links its `$Data` ids; its content hash commits to the entries
/// (see ``Portfolio/contentHash(entries:)``). Its current ledger owner is the curator who
/// receives its base rewards, its per-use bonus and the curator share of model payments.
public struct Portfolio: Codable, Sendable, Equatable {
    /// The NFT id.
    public let id: UInt64
    /// Who created it.
    public let creator: Address
    /// The entries, ascending by `$Data` id; weights sum to exactly 10,000 basis points.
    public let entries: [PortfolioEntry]
    /// The token the per-use bonus is paid in.
    public let bonusToken: TokenID
    /// What a trainer pays the curator each time they use the portfolio.
    public let bonusPerUse: UInt256
    /// When it was created.
    public let createdAt: UInt64
    /// When its curator retired it (it then stops accruing and cannot be newly used), if so.
    public internal(set) var retiredAt: UInt64?
    /// Uses trainers recorded (each paying the bonus).
    public internal(set) var trainerUses: UInt64 = 0
    /// Paid uses of models trained on it.
    public internal(set) var modelUses: UInt64 = 0

    /// Trainer uses plus model uses: what "portfolios by uses" ranks on.
    public var uses: UInt64 { trainerUses.addingReportingOverflow(modelUses).overflow ? .max : trainerUses &+ modelUses }

    /// Whether it is still active (not retired).
    public var isActive: Bool { retiredAt == nil }

    /// Keccak-256 of `RLP[[dataID, weight], ...]` over the entries in ascending id order.
    public static func contentHash(entries: [PortfolioEntry]) -> Hash32 {
        Keccak256.hash(RLP.list(entries.map { RLP.list([.uint($0.data), .uint($0.weight)]) }).encoded)
    }
}

/// One `$Data` token in a portfolio and its weight.
public struct PortfolioEntry: Codable, Sendable, Equatable, Hashable {
    /// The `$Data` NFT id.
    public let data: UInt64
    /// Its weight in basis points, 1...10,000.
    public let weight: UInt64

    /// An entry.
    public init(data: UInt64, weight: UInt64) {
        self.data = data
        self.weight = weight
    }
}
