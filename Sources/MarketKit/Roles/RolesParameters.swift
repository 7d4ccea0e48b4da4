import LedgerCore

/// The numbers that govern the roles module: how a model's use payment is split and the
/// limits that keep records small.
///
/// A model snapshots the shares in force when it is minted, so its users and data owners
/// know the split for as long as the model exists.
public struct RolesParameters: Codable, Sendable, Equatable {
    /// Basis points of each use payment for the curator of the model's portfolio.
    public var curatorShareBP: UInt64
    /// Basis points of each use payment for the owners of the data the model was trained on,
    /// divided among them by portfolio weight.
    public var dataShareBP: UInt64
    /// The most `$Data` entries a portfolio may hold (bounds the cost of one use).
    public var maxPortfolioEntries: UInt64
    /// Seconds after a reward pool's end during which claims are still paid; after that its
    /// creator may close it and take back what it holds.
    public var claimGrace: UInt64

    /// A parameter set, taken as given (the roles module uses ``standard``).
    public init(curatorShareBP: UInt64, dataShareBP: UInt64, maxPortfolioEntries: UInt64, claimGrace: UInt64) {
        self.curatorShareBP = curatorShareBP
        self.dataShareBP = dataShareBP
        self.maxPortfolioEntries = maxPortfolioEntries
        self.claimGrace = claimGrace
    }

    /// 10 % to the curator, 30 % to the data owners, the rest (60 % plus every rounding
    /// remainder) to the model owner; portfolios of up to 256 entries; 30 days to claim after a
    /// pool ends.
    public static let standard = RolesParameters(
        curatorShareBP: 1_000, dataShareBP: 3_000, maxPortfolioEntries: 256, claimGrace: 30 * 86_400)
}
