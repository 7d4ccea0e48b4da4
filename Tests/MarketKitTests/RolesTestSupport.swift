// Helpers shared by the Roles*Tests files: a chain hosting the market and roles modules, a
// market with a council and an authorised datatrust, and shortcuts for listing data.

import DataMarketTesting
import Foundation
import LedgerCore
import MarketKit

/// A chain with DMT balances, the market `cancer` (council of three, one datatrust backend) and
/// the roles module.
struct RolesFixture {
    static let dmt = TokenID(unchecked: "DMT")

    let chain: Chain
    let id: MarketID
    let council: [PrivateKey] = (10..<13).map { key($0) }
    let owners: [PrivateKey] = (30..<36).map { key($0) }
    let backend = key(50)
    let mallory = key(66)
    let sponsor = key(70)
    let curator = key(71)
    let trainer = key(72)
    let users: [PrivateKey] = (80..<86).map { key($0) }

    /// Everyone starts with 1,000,000 DMT.
    init() throws {
        id = try MarketID("cancer")
        let everyone = council + owners + [backend, mallory, sponsor, curator, trainer] + users
        var builder = TestChain(chainID: 7, start: Fixture.start)
        builder.fund(RolesFixture.dmt, everyone.map { ($0.address, tokens(1_000_000)) })
        chain = try builder.build(modules: [MarketModule.self, RolesModule.self], snapshotInterval: 0)
        try market(.create(market: id, tokenName: "Cancer Market Token", networkToken: RolesFixture.dmt, parameters: Fixture.parameters), from: council[0])
        for k in council { try market(.invest(market: id, offered: tokens(10), minTokensOut: 0), from: k) }
        try market(.proposeBackend(market: id, url: "https://dt.example/cancer", address: backend.address), from: council[0])
        try decide(try lastPoll)
    }

    // MARK: - Sending

    @discardableResult
    func send(_ call: RolesModule.Call, from key: PrivateKey) throws -> Receipt {
        try chain.send(call, to: RolesModule.self, from: key)
    }

    @discardableResult
    func market(_ call: MarketModule.Call, from key: PrivateKey) throws -> Receipt {
        try chain.send(call, to: MarketModule.self, from: key)
    }

    // MARK: - Reading

    var roles: RolesModule.State { chain.state(of: RolesModule.self) }
    var now: UInt64 { chain.state.timestamp }
    func dmt(_ k: PrivateKey) -> UInt256 { chain.state.ledger.balance(of: k.address, in: RolesFixture.dmt) }
    func held(_ escrow: UInt64) -> UInt256 { chain.state.ledger.escrows[escrow]?.held ?? .zero }
    /// The id of the newest NFT.
    var lastNFT: UInt64 { chain.state.ledger.nextNFTID - 1 }
    var lastPoll: UInt64 { get throws { try chain.state(of: MarketModule.self).market(id).nextPollID - 1 } }
    func warp(_ seconds: UInt64) throws { try chain.warp(by: seconds) }
    func stateHash() throws -> Hash32 { try chain.stateHash() }

    // MARK: - Market shortcuts

    /// Every council member votes yea, the window passes, the poll is resolved.
    func decide(_ poll: UInt64) throws {
        for k in council { try market(.vote(market: id, poll: poll, yea: true), from: k) }
        try warp(600)
        try market(.resolve(market: id, poll: poll), from: backend)
    }

    /// `owner` applies with `data`, the backend attests it and the council lists it.
    func list(_ data: String, owner: PrivateKey) throws -> (ref: ListingRef, dataHash: Hash32) {
        let dataHash = Keccak256.hash(Array(data.utf8))
        try market(.apply(market: id, dataHash: dataHash), from: owner)
        let poll = try lastPoll
        let listing = Listing.id(applicant: owner.address, dataHash: dataHash)
        try market(.attest(market: id, listing: listing), from: backend)
        try decide(poll)
        return (ListingRef(market: id, listing: listing), dataHash)
    }

    /// Lists `data` for `owner` and mints its `$Data` tied to the listing; returns the NFT id.
    func listAndMint(_ data: String, owner: PrivateKey, disclosure: Disclosure? = nil) throws -> UInt64 {
        let (ref, hash) = try list(data, owner: owner)
        try send(.mintData(dataHash: hash, listing: ref, disclosure: disclosure, name: nil), from: owner)
        return lastNFT
    }

    /// Two referenceable `$Data` ("a" by the first owner, "b" by the second) in a curator's
    /// portfolio weighted `weights` (basis points) with `bonusPerUse`, and the trainer's `$Model`
    /// (hash of `[modelByte]`) trained on it at `price` a use; the four NFT ids.
    func modelOnTwoData(weights: (UInt64, UInt64), bonusPerUse: UInt256, modelByte: UInt8, price: UInt256) throws
        -> (dataA: UInt64, dataB: UInt64, portfolio: UInt64, model: UInt64)
    {
        let dA = try mint("a", owner: owners[0], referenceable: true)
        let dB = try mint("b", owner: owners[1], referenceable: true)
        try send(.createPortfolio(entries: [.init(data: dA, weight: weights.0), .init(data: dB, weight: weights.1)],
                                  bonusToken: Self.dmt, bonusPerUse: bonusPerUse, name: nil), from: curator)
        let p = lastNFT
        try send(.mintModel(modelHash: Keccak256.hash([modelByte]), trainedOn: .portfolio(p), bounty: nil,
                            paymentToken: Self.dmt, pricePerUse: price, name: nil), from: trainer)
        return (dA, dB, p, lastNFT)
    }

    /// Mints an untied `$Data` for `data`; returns the NFT id.
    func mint(_ data: String, owner: PrivateKey, referenceable: Bool = false) throws -> UInt64 {
        try send(.mintData(dataHash: Keccak256.hash(Array(data.utf8)), listing: nil,
                           disclosure: referenceable ? Disclosure(referenceable: true) : nil, name: nil), from: owner)
        return lastNFT
    }
}

/// Rows of `Data/breast_cancer.csv` without the header.
func breastCancerRows() throws -> [String] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Data/breast_cancer.csv")
    return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map(String.init)
}
