import LedgerCore

/// Where a listing stands on chain, as far as the datatrust cares.
public enum ListingState: String, Sendable, Codable, Equatable {
    /// Applied for and awaiting the council's vote (or challenged before listing).
    case applied
    /// Listed in the market.
    case listed
    /// Removed from the market (by its owner or a lost challenge); the record stays on chain.
    case removed
}

/// The chain's record of one listing.
public struct ListingInfo: Sendable, Equatable {
    /// The listing's id on chain (several applicants may list the same data).
    public var id: Hash32
    /// The market.
    public var market: MarketID
    /// Keccak-256 of the listing's data.
    public var dataHash: Hash32
    /// The listing's owner (the applicant).
    public var owner: Address
    /// Where it stands.
    public var state: ListingState

    /// A record.
    public init(id: Hash32, market: MarketID, dataHash: Hash32, owner: Address, state: ListingState) {
        self.id = id
        self.market = market
        self.dataHash = dataHash
        self.owner = owner
        self.state = state
    }
}

/// A compute job a buyer paid for on chain.
public struct PaidJob: Sendable, Equatable {
    /// The market the job was paid in.
    public var market: MarketID
    /// The job's id on chain.
    public var id: UInt64
    /// Who paid.
    public var buyer: Address
    /// How much was paid, in the market's payment token's smallest unit.
    public var amount: UInt256
    /// Whether usage was already reported against it on chain.
    public var consumed: Bool

    /// A job.
    public init(market: MarketID, id: UInt64, buyer: Address, amount: UInt256, consumed: Bool) {
        self.market = market
        self.id = id
        self.buyer = buyer
        self.amount = amount
        self.consumed = consumed
    }
}

/// Everything the datatrust asks of, or tells, the markets on chain. The datatrust never reads
/// chain state any other way, so a market implementation (MarketKit's chain-backed view, or a
/// remote node client) satisfies this protocol and the datatrust works unchanged.
///
/// Errors thrown by a conformer are reported to clients as 502 `chain_unavailable`, except
/// ``DatatrustError`` values, which pass through unchanged.
public protocol DatatrustMarketView: Sendable {
    /// Every listing or application of `dataHash` in `market` the chain still holds (a removed
    /// listing may be absent or reported with state ``ListingState/removed``).
    func listings(market: MarketID, dataHash: Hash32) async throws -> [ListingInfo]
    /// Whether `address` sits on `market`'s council (council members may fetch pending data to verify it).
    func isCouncilMember(_ address: Address, market: MarketID) async throws -> Bool
    /// Whether `address` is an authorised backend (datatrust) of `market`.
    func isAuthorisedBackend(_ address: Address, market: MarketID) async throws -> Bool
    /// The job `job` of `market` paid by `buyer` to this datatrust, if it exists.
    func paidJob(market: MarketID, job: UInt64, buyer: Address) async throws -> PaidJob?
    /// The market's privacy price: what one milli-epsilon costs, in the payment token's smallest unit.
    func privacyPrice(market: MarketID) async throws -> UInt256
    /// Signs and submits this datatrust's attestation that it holds the data of `dataHash`;
    /// returns the transaction hash.
    func attestHolding(market: MarketID, dataHash: Hash32) async throws -> String
    /// Signs and submits the usage report of `job`: the listings whose rows it read (ascending
    /// dataHash); the market rewards their owners. Returns the transaction hash.
    func reportUsage(market: MarketID, job: UInt64, listings: [Hash32]) async throws -> String
}
