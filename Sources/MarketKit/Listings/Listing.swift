public import LedgerCore

/// One listing: the on-chain record of an off-chain datapoint (the spec's `Listing`).
///
/// Its id is `Keccak-256(RLP[applicant address, dataHash])` (see ``Listing/id(applicant:dataHash:)``):
/// bound to the applicant, so someone who copies a pending application's dataHash gets a
/// different listing and can neither block nor take over the original.
public struct Listing: Codable, Sendable, Equatable {
    /// The listing id.
    public let id: Hash32
    /// Keccak-256 of the off-chain datapoint.
    public let dataHash: Hash32
    /// The applicant, who owns the listing; nil once the owner converted to investor class and
    /// the listing belongs to the market.
    public internal(set) var owner: Address?
    /// Whether the council listed it (false while it is an application).
    public internal(set) var listed: Bool
    /// NetworkToken wei the owner deposited, held in the market's stake escrow.
    public internal(set) var deposit: UInt256
    /// MarketToken wei minted for the listing (list reward), held in the market's reward escrow;
    /// burned when the listing is removed. The spec's `supply` and `rewards` (the deposit is
    /// NetworkToken here, see the catalogue).
    public internal(set) var rewards: UInt256
    /// The open poll concerning the listing (its application or a challenge), the spec's `challenge`.
    public internal(set) var poll: UInt64?
    /// The authorised datatrust that attested holding the data, if any.
    public internal(set) var attestedBy: Address?
    /// The owner's access cost in NetworkToken wei (market-owned listings use `defaultAccessCost`).
    public internal(set) var accessCost: UInt256
    /// Accesses reported by backends.
    public internal(set) var accessCount: UInt64
    /// When it was applied for.
    public let appliedAt: UInt64

    /// The id of the listing `applicant` applies for with `dataHash`: Keccak-256 of
    /// `RLP([applicant.bytes, dataHash.bytes])`.
    public static func id(applicant: Address, dataHash: Hash32) -> Hash32 {
        Keccak256.hash(RLP.list([.bytes(applicant.bytes), .bytes(dataHash.bytes)]).encoded)
    }

    /// What one access costs under `parameters`.
    public func effectiveAccessCost(_ parameters: Parameters) -> UInt256 {
        owner == nil ? parameters.defaultAccessCost : accessCost
    }
}

/// Which class a MarketToken holder belongs to (the spec's owner/investor separation).
public enum HolderClass: String, Codable, Sendable, Equatable {
    /// Owns listings; may not invest or divest.
    case dataOwner
    /// Invests and divests; may never own listings.
    case investor
}

/// An account the market knows: its class and the listings it owns.
public struct Holder: Codable, Sendable, Equatable {
    /// Its class.
    public internal(set) var holderClass: HolderClass
    /// Ids of the listings (and applications) it owns, in application order.
    public internal(set) var listings: [Hash32]
}
