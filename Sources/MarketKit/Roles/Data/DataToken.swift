public import LedgerCore

/// A `$Data` token: the on-chain record of a dataset whose bytes stay with its owner.
///
/// The NFT (kind `data`, content hash = the dataHash) lives in the ledger and moves like any
/// NFT; its current ledger owner receives its base rewards and usage bonuses. This record
/// adds what the roles module tracks: the uploader's disclosure, the market listing it is tied
/// to, and its usage counts.
public struct DataToken: Codable, Sendable, Equatable {
    /// The NFT id.
    public let id: UInt64
    /// Keccak-256 of the dataset (the data itself never goes on chain).
    public let dataHash: Hash32
    /// Who minted it.
    public let uploader: Address
    /// When it was minted.
    public let mintedAt: UInt64
    /// What the owner chose to disclose, if anything.
    public internal(set) var disclosure: Disclosure?
    /// The market listing it is tied to; base rewards accrue only while that listing is listed.
    public internal(set) var tie: ListingTie?
    /// Uses recorded under usage agreements.
    public internal(set) var agreementUses: UInt64 = 0
    /// Paid uses of models trained on it (directly or through a portfolio).
    public internal(set) var modelUses: UInt64 = 0

    /// Every recorded use of the data.
    public var uses: UInt64 { agreementUses.addingReportingOverflow(modelUses).overflow ? .max : agreementUses &+ modelUses }

    /// Whether a curator or trainer other than the owner may reference it.
    public var isReferenceable: Bool { disclosure?.referenceable == true }
}

/// What a `$Data` owner discloses to help curators and trainers choose.
public struct Disclosure: Codable, Sendable, Equatable {
    /// A short description (0–1,024 bytes).
    public var abstract: String
    /// The schema, e.g. column names and types (0–1,024 bytes).
    public var schema: String
    /// Keccak-256 of a published sample, if any.
    public var sampleHash: Hash32?
    /// Up to 16 tags of 1–32 characters `a`–`z`, `0`–`9`, `-`, for discovery.
    public var tags: [String]
    /// Whether others may put the data in portfolios and train on it (the owner always may).
    public var referenceable: Bool

    /// A disclosure.
    public init(abstract: String = "", schema: String = "", sampleHash: Hash32? = nil, tags: [String] = [], referenceable: Bool = false) {
        self.abstract = abstract
        self.schema = schema
        self.sampleHash = sampleHash
        self.tags = tags
        self.referenceable = referenceable
    }

    /// Limits on a disclosure.
    static let maxText = 1_024
    static let maxTags = 16

    /// Checks lengths and tag syntax.
    func validate() throws(RolesError) {
        guard abstract.utf8.count <= Self.maxText else { throw .invalidText(field: "abstract", length: abstract.utf8.count, min: 0, max: Self.maxText) }
        guard schema.utf8.count <= Self.maxText else { throw .invalidText(field: "schema", length: schema.utf8.count, min: 0, max: Self.maxText) }
        guard tags.count <= Self.maxTags else { throw .tooManyTags(count: tags.count, max: Self.maxTags) }
        for tag in tags {
            let b = Array(tag.utf8)
            guard (1...32).contains(b.count), b.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }) else {
                throw .invalidTag(tag)
            }
        }
    }
}

/// Which market listing a `$Data` token is tied to, and which incarnation of it.
///
/// A listing id is `Keccak(RLP[applicant, dataHash])`, so a listing removed and applied for
/// again has the same id; `appliedAt` tells the incarnations apart. Within one incarnation a
/// listing, once listed, stays listed until it is removed, so "listed now, same `appliedAt`,
/// tied while listed" means it was listed for the whole time since `tiedAt`.
public struct ListingTie: Codable, Sendable, Equatable {
    /// The market.
    public let market: MarketID
    /// The listing id in that market.
    public let listing: Hash32
    /// The listing's `appliedAt` when it was tied.
    public let appliedAt: UInt64
    /// When it was tied (base rewards accrue from then on).
    public let tiedAt: UInt64
}
