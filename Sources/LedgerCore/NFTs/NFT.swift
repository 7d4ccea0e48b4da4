/// A non-fungible token (ERC-721 semantics) for a dataset, a model or a curated portfolio.
///
/// It carries the content hash of what it stands for (the content itself stays off chain),
/// free-form metadata, an optional royalty and links to other NFTs: a model's training data,
/// a portfolio's members.
public struct NFT: Sendable, Codable, Equatable {
    /// What an NFT stands for.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A dataset (`$Data`).
        case data
        /// A trained model (`$Model`).
        case model
        /// A curated, weighted selection of data (`$Portfolio`).
        case portfolio
    }

    /// A share of sales paid to a recipient, in basis points (1/100 of a percent).
    public struct Royalty: Sendable, Codable, Equatable {
        /// Who receives the royalty.
        public let recipient: Address
        /// The share, 0...10,000.
        public let basisPoints: UInt16
        /// A royalty.
        public init(recipient: Address, basisPoints: UInt16) {
            self.recipient = recipient
            self.basisPoints = basisPoints
        }
    }

    /// Its id, unique on the chain.
    public let id: UInt64
    /// Data, model or portfolio.
    public let kind: Kind
    /// Keccak-256 of the content it stands for.
    public let contentHash: Hash32
    /// Free-form metadata (name, schema, tags, ...).
    public internal(set) var metadata: [String: String]
    /// The current owner.
    public internal(set) var owner: Address
    /// An account approved to transfer it once, if any.
    public internal(set) var approved: Address?
    /// The royalty, if any.
    public let royalty: Royalty?
    /// Linked NFTs (training data of a model, members of a portfolio).
    public let links: [UInt64]
    /// Who minted it.
    public let minter: Authority
    /// The block time it was minted at.
    public let mintedAt: UInt64
}

/// What a mint call asks for.
public struct NFTDraft: Sendable, Codable, Equatable {
    /// Data, model or portfolio.
    public var kind: NFT.Kind
    /// Keccak-256 of the content.
    public var contentHash: Hash32
    /// Free-form metadata.
    public var metadata: [String: String]
    /// An optional royalty.
    public var royalty: NFT.Royalty?
    /// Linked NFTs.
    public var links: [UInt64]

    /// A draft NFT.
    public init(kind: NFT.Kind, contentHash: Hash32, metadata: [String: String] = [:], royalty: NFT.Royalty? = nil, links: [UInt64] = []) {
        self.kind = kind
        self.contentHash = contentHash
        self.metadata = metadata
        self.royalty = royalty
        self.links = links
    }
}

extension LedgerState {
    /// Limits that keep NFT records small enough for a chain.
    static let maxMetadataEntries = 64
    static let maxMetadataBytes = 4096
    static let maxLinks = 1024

    mutating func mintNFT(_ draft: NFTDraft, to owner: Address, by minter: Authority, at time: UInt64, events: inout [Event]) throws(LedgerError) -> UInt64 {
        if let royalty = draft.royalty, royalty.basisPoints > 10_000 { throw .royaltyTooHigh(basisPoints: royalty.basisPoints) }
        guard draft.metadata.count <= Self.maxMetadataEntries else {
            throw .invalidArgument(field: "metadata", reason: "at most \(Self.maxMetadataEntries) entries, got \(draft.metadata.count)")
        }
        let size = draft.metadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard size <= Self.maxMetadataBytes else {
            throw .invalidArgument(field: "metadata", reason: "at most \(Self.maxMetadataBytes) bytes, got \(size)")
        }
        guard draft.links.count <= Self.maxLinks else {
            throw .invalidArgument(field: "links", reason: "at most \(Self.maxLinks) links, got \(draft.links.count)")
        }
        let id = nextNFTID
        for link in draft.links where nfts[link] == nil { throw .unknownLinkedNFT(id: id, link: link) }
        nfts[id] = NFT(
            id: id, kind: draft.kind, contentHash: draft.contentHash, metadata: draft.metadata, owner: owner,
            approved: nil, royalty: draft.royalty, links: draft.links, minter: minter, mintedAt: time)
        nextNFTID = id &+ 1
        events.append(Event(module: "ledger", kind: "NFTMint", accounts: [owner], fields: [
            .init("id", "\(id)"), .init("class", draft.kind.rawValue), .init("contentHash", draft.contentHash.hex),
        ]))
        return id
    }

    /// Moves an NFT; `caller` must own it or be approved for it.
    mutating func transferNFT(_ id: UInt64, caller: Address, to: Address, events: inout [Event]) throws(LedgerError) {
        guard var nft = nfts[id] else { throw .unknownNFT(id) }
        guard nft.owner == caller || nft.approved == caller else {
            throw .notNFTOwner(id: id, caller: caller, owner: nft.owner)
        }
        let from = nft.owner
        nft.owner = to
        nft.approved = nil
        nfts[id] = nft
        events.append(Event(module: "ledger", kind: "NFTTransfer", accounts: [from, to], fields: [.init("id", "\(id)")]))
    }

    /// Approves `spender` (or clears with nil) to transfer NFT `id` once; owner only.
    mutating func approveNFT(_ id: UInt64, caller: Address, spender: Address?, events: inout [Event]) throws(LedgerError) {
        guard var nft = nfts[id] else { throw .unknownNFT(id) }
        guard nft.owner == caller else { throw .notNFTOwner(id: id, caller: caller, owner: nft.owner) }
        nft.approved = spender
        nfts[id] = nft
        events.append(Event(module: "ledger", kind: "NFTApproval", accounts: [caller] + (spender.map { [$0] } ?? []), fields: [.init("id", "\(id)")]))
    }

    /// Replaces or adds metadata entries (an empty value removes one); owner only.
    mutating func updateNFTMetadata(_ id: UInt64, caller: Address, entries: [String: String], events: inout [Event]) throws(LedgerError) {
        guard var nft = nfts[id] else { throw .unknownNFT(id) }
        guard nft.owner == caller else { throw .notNFTOwner(id: id, caller: caller, owner: nft.owner) }
        for (k, v) in entries { nft.metadata[k] = v.isEmpty ? nil : v }
        let size = nft.metadata.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard nft.metadata.count <= Self.maxMetadataEntries, size <= Self.maxMetadataBytes else {
            throw .invalidArgument(field: "metadata", reason: "at most \(Self.maxMetadataEntries) entries and \(Self.maxMetadataBytes) bytes after the update")
        }
        nfts[id] = nft
        events.append(Event(module: "ledger", kind: "NFTMetadata", accounts: [caller], fields: [
            .init("id", "\(id)"), .init("keys", entries.keys.sorted().joined(separator: ",")),
        ]))
    }
}
