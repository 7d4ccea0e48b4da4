public import LedgerCore
public import MarketKit

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
    /// The address this datatrust signs its attestations and usage reports with (jobs must be
    /// paid to it).
    var backendAddress: Address { get }
    /// Where job `id` of `market` stands on chain, whoever paid it.
    func job(market: MarketID, id: UInt64) async throws -> JobLookup
    /// Every listing listed in `market` now (applications, rejected, exited and
    /// challenged-away listings are not listed), with its dataHash and access cost. A paid query
    /// reads only the data of these listings that its job covers.
    func listedListings(market: MarketID) async throws -> [ListedListing]
    /// The market's privacy price: what one milli-epsilon costs, in the payment token's smallest unit.
    func privacyPrice(market: MarketID) async throws -> UInt256
    /// Signs and submits this datatrust's attestation that it holds the data of `dataHash`;
    /// returns the transaction hash.
    func attestHolding(market: MarketID, dataHash: Hash32) async throws -> String
    /// Signs and submits the usage report of `job`: the ids of the listings whose rows it read
    /// (ascending); the market pays each owner its access cost and reward. Returns the
    /// transaction hash.
    func reportUsage(market: MarketID, job: UInt64, listings: [Hash32]) async throws -> String
}
