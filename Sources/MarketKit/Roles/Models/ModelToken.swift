public import LedgerCore

/// A `$Model` token: a trained model offered for paid use.
///
/// The NFT (kind `model`, content hash = the model hash) links what it was trained on; its
/// current ledger owner sets the price and receives the model owner's share of each use.
public struct ModelToken: Codable, Sendable, Equatable {
    /// The NFT id.
    public let id: UInt64
    /// Keccak-256 of the model artefact.
    public let modelHash: Hash32
    /// Who minted it.
    public let trainer: Address
    /// The portfolio or `$Data` it was trained on.
    public let trainedOn: TrainingSource
    /// A free-form reference to the bounty that produced it (e.g. a ModelMarketKit bounty id
    /// or hash), if any; up to 128 bytes.
    public let bounty: String?
    /// The token uses are paid in.
    public let paymentToken: TokenID
    /// The price of one use; zero means not offered for use.
    public internal(set) var pricePerUse: UInt256
    /// The curator's share in basis points, fixed when minted.
    public let curatorShareBP: UInt64
    /// The data owners' share in basis points, fixed when minted.
    public let dataShareBP: UInt64
    /// When it was minted.
    public let mintedAt: UInt64
    /// Paid uses.
    public internal(set) var uses: UInt64 = 0
    /// Everything users paid for it.
    public internal(set) var revenue: UInt256 = .zero
    /// Its evaluations' ids, in posting order.
    public internal(set) var evaluations: [UInt64] = []
}

/// What a model was trained on.
public enum TrainingSource: Codable, Sendable, Equatable, Hashable {
    /// A curated portfolio: the curator and its data owners share each use.
    case portfolio(UInt64)
    /// A single `$Data` token: its owner receives the whole data share (there is no curator).
    case data(UInt64)
}
