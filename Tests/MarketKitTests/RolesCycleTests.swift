import Foundation
import Testing
import LedgerCore
@testable import MarketKit

/// A whole cycle of seed 001's roles on real data with every balance checked to the wei:
/// upload → disclose → curate → train → use → evaluate → review → claim → close.
@Test func wholeRolesCycleOnBreastCancerRowsPaysEveryRoleExactly() throws {
    let f = try RolesFixture()
    let rows = try breastCancerRows()
    #expect(rows.count == 569)
    let (alice, bob) = (f.owners[0], f.owners[1])
    let start = tokens(1_000_000)

    // Upload: two owners list their rows in the market and mint $Data tied to the listings.
    let (refA, hashA) = try f.list(rows[0..<100].joined(separator: "\n"), owner: alice)
    let (refB, hashB) = try f.list(rows[100..<200].joined(separator: "\n"), owner: bob)
    try f.send(.mintData(dataHash: hashA, listing: refA, disclosure: nil, name: "cancer rows 0-99"), from: alice)
    let dA = f.lastNFT
    try f.send(.mintData(dataHash: hashB, listing: refB, disclosure: Disclosure(
        abstract: "100 biopsies", schema: "30 float features, label", tags: ["breast-cancer", "tabular"], referenceable: true), name: nil), from: bob)
    let dB = f.lastNFT
    #expect(f.chain.state.ledger.nfts[dA]?.kind == .data)
    #expect(f.chain.state.ledger.nfts[dA]?.contentHash == hashA)
    #expect(f.chain.state.ledger.nfts[dA]?.minter == .module("roles"))

    // Disclose: Alice publishes a sample hash and tags and lets others reference her data.
    let sample = Keccak256.hash(Array(rows[0].utf8))
    try f.send(.disclose(data: dA, disclosure: Disclosure(
        abstract: "100 biopsies", schema: "30 float features, label", sampleHash: sample, tags: ["breast-cancer", "tabular", "wdbc"],
        referenceable: true)), from: alice)
    #expect(f.roles.data[dA]?.disclosure?.sampleHash == sample)

    // A sponsor funds a reward pool for the market's data and for admitted portfolios.
    try f.send(.createPool(token: RolesFixture.dmt, market: f.id, dataRatePerSecond: 1_000, portfolioRatePerSecond: 400,
                           endsAt: f.now + 100_000, funding: 50_000_000), from: f.sponsor)
    let pool = try f.roles.pool(1)
    #expect(f.held(pool.escrow) == 50_000_000)

    // Curate: weights 60/40 (given out of order, stored by id); the sponsor admits the portfolio.
    try f.send(.createPortfolio(entries: [.init(data: dB, weight: 4_000), .init(data: dA, weight: 6_000)],
                                bonusToken: RolesFixture.dmt, bonusPerUse: 7_000, name: "wdbc 60/40"), from: f.curator)
    let p = f.lastNFT
    #expect(try f.roles.portfolio(p).entries == [.init(data: dA, weight: 6_000), .init(data: dB, weight: 4_000)])
    #expect(f.chain.state.ledger.nfts[p]?.links == [dA, dB])
    try f.send(.admitPortfolio(pool: pool.id, portfolio: p), from: f.sponsor)

    // Train: Alice offers a bonus of 2,500 wei per use; the trainer prepays 4 and uses 6.
    try f.send(.offerUsage(data: dA, trainer: f.trainer.address, token: RolesFixture.dmt, pricePerUse: 2_500), from: alice)
    try f.send(.acceptUsage(offer: 1, prepaidUses: 4), from: f.trainer)
    try f.send(.recordDataUse(offer: 1, count: 6), from: f.trainer)
    try f.send(.usePortfolio(portfolio: p, count: 3), from: f.trainer)
    try f.send(.closeAgreement(offer: 1), from: f.trainer)
    try f.send(.mintModel(modelHash: Keccak256.hash(Array("logreg weights v1".utf8)), trainedOn: .portfolio(p),
                          bounty: "modelmarket:bounty:7", paymentToken: RolesFixture.dmt, pricePerUse: 1_000_003, name: "wdbc-logreg"), from: f.trainer)
    let m = f.lastNFT
    #expect(f.chain.state.ledger.nfts[m]?.links == [p])

    // Use: three users pay 1,000,003 wei each. Curator floor(10 %) = 100,000; data pool
    // floor(30 %) = 300,000 split 60/40 = 180,000 / 120,000; the model owner gets the rest,
    // 600,003 (its 60 % plus the 0.3 + 0.9 wei floored away).
    for u in f.users.prefix(3) { try f.send(.useModel(model: m, maxPrice: 1_000_003), from: u) }
    let split = try f.roles.useSplit(m, ledger: f.chain.state.ledger).split
    #expect(split.modelOwner == 600_003 && split.curator == 100_000)
    #expect(split.dataOwners.map(\.amount) == [180_000, 120_000])

    // Evaluate and review: 5 stars (found helpful twice) and 2 stars (found unhelpful once).
    let (u0, u1, u2) = (f.users[0], f.users[1], f.users[2])
    try f.send(.evaluate(model: m, rating: 5, inputsHash: Keccak256.hash([1]), outputsHash: Keccak256.hash([2]), textHash: Keccak256.hash([3])), from: u0)
    try f.send(.evaluate(model: m, rating: 2, inputsHash: Keccak256.hash([4]), outputsHash: Keccak256.hash([5]), textHash: Keccak256.hash([6])), from: u1)
    try f.send(.review(evaluation: 1, helpful: true), from: u1)
    try f.send(.review(evaluation: 1, helpful: true), from: u2)
    try f.send(.review(evaluation: 2, helpful: false), from: u0)
    // w(u0) = 1 + 2 = 3, w(u1) = 1 + max(0, 0 − 1) = 1: floor(100 · (5·3 + 2·1) / 4) = 425.
    #expect(f.roles.score(ofModel: m) == ModelScore(hundredths: 425, evaluations: 2, totalWeight: 4))

    // Claim: 1,000 s later each $Data has accrued 1,000,000 wei and the portfolio 400,000.
    try f.warp(1_000)
    try f.send(.claim(pool: pool.id, nft: dA), from: alice)
    try f.send(.claim(pool: pool.id, nft: dB), from: bob)
    try f.send(.claim(pool: pool.id, nft: p), from: f.curator)

    #expect(f.dmt(alice) == (try start - tokens(5) + 15_000 + 3 * 180_000 + 1_000_000))
    #expect(f.dmt(bob) == (try start - tokens(5) + 3 * 120_000 + 1_000_000))
    #expect(f.dmt(f.curator) == (try start + 21_000 + 3 * 100_000 + 400_000))
    #expect(f.dmt(f.trainer) == (try start - 15_000 - 21_000 + 3 * 600_003))
    for u in [u0, u1, u2] { #expect(f.dmt(u) == (try start - 1_000_003)) }
    #expect(f.dmt(f.sponsor) == (try start - 50_000_000))
    #expect(f.held(pool.escrow) == UInt256(47_600_000))
    #expect(try f.roles.pool(pool.id).paid == 2_400_000)

    // Discovery over the same state.
    #expect(f.roles.modelsByScore().first == .init(model: m, score: 425, uses: 3))
    #expect(f.roles.modelsByUses().map(\.id) == [m])
    #expect(f.roles.portfoliosByUses().first?.uses == 6)
    #expect(f.roles.data(taggedWith: ["tabular"]).map(\.id) == [dA, dB])
    #expect(f.roles.data(taggedWith: ["wdbc"]).map(\.id) == [dA])
    #expect(f.roles.data[dA]?.uses == 9)
    #expect(f.roles.data[dB]?.uses == 3)

    // Alice exits her listing: her $Data stops accruing; Bob's keeps accruing.
    try f.warp(500)
    try f.market(.exit(market: f.id, listing: refA.listing), from: alice)
    #expect(throws: RolesError.notAccruing(pool: pool.id, nft: dA, reason: "listing \(refA.listing.hex) in market 'cancer' was removed")) {
        try f.send(.claim(pool: pool.id, nft: dA), from: alice)
    }
    try f.send(.claim(pool: pool.id, nft: dB), from: bob)
    #expect(f.dmt(bob) == (try start - tokens(5) + 3 * 120_000 + 1_500_000))

    // After the end and the claim grace the sponsor closes the pool and takes back the rest.
    #expect(throws: RolesError.poolStillClaimable(pool: pool.id, closableAt: pool.closableAt, now: f.now)) {
        try f.send(.closePool(pool: pool.id), from: f.sponsor)
    }
    try f.warp(pool.closableAt - f.now)
    try f.send(.closePool(pool: pool.id), from: f.sponsor)
    #expect(f.dmt(f.sponsor) == (try start - 2_900_000))
    #expect(f.held(pool.escrow) == 0)
    _ = try f.chain.verify()
}
