import Foundation
import Testing
import LedgerCore
import MarketKit

/// Sends `call` from `key`, expects exactly `error`, and checks the state did not change.
private func expectRefusal(
    _ error: RolesError, _ f: RolesFixture, _ call: RolesModule.Call, from key: PrivateKey,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let before = try f.stateHash()
    let height = f.chain.height
    #expect(throws: error, sourceLocation: sourceLocation) { try f.send(call, from: key) }
    #expect(try f.stateHash() == before, "state changed after a refusal", sourceLocation: sourceLocation)
    #expect(f.chain.height == height, sourceLocation: sourceLocation)
}

/// A fixture with two referenceable $Data (owners 0 and 1), a portfolio over them by the
/// curator and a model on it by the trainer priced at 1,000 wei, used once by user 0.
private struct Scene {
    let f: RolesFixture
    let dA: UInt64, dB: UInt64, p: UInt64, m: UInt64

    init() throws {
        f = try RolesFixture()
        (dA, dB, p, m) = try f.modelOnTwoData(weights: (5_000, 5_000), bonusPerUse: 10, modelByte: 9, price: 1_000)
        try f.send(.useModel(model: m, maxPrice: 1_000), from: f.users[0])
    }

    func evaluate(_ rating: UInt8 = 4) -> RolesModule.Call {
        .evaluate(model: m, rating: rating, inputsHash: Keccak256.hash([1]), outputsHash: Keccak256.hash([2]), textHash: Keccak256.hash([3]))
    }
}

// MARK: - Evaluations

@Test func evaluationByAUserWhoNeverPaidIsRefused() throws {
    let s = try Scene()
    try expectRefusal(.notAPayingUser(model: s.m, account: s.f.users[1].address), s.f, s.evaluate(), from: s.f.users[1])
}

@Test func secondEvaluationBySameUserIsRefused() throws {
    let s = try Scene()
    try s.f.send(s.evaluate(), from: s.f.users[0])
    try s.f.send(.useModel(model: s.m, maxPrice: 1_000), from: s.f.users[0])  // paying again does not allow a second one
    try expectRefusal(.alreadyEvaluated(model: s.m, account: s.f.users[0].address, evaluation: 1), s.f, s.evaluate(2), from: s.f.users[0])
}

@Test func ratingOutsideOneToFiveIsRefused() throws {
    let s = try Scene()
    try expectRefusal(.invalidRating(0), s.f, s.evaluate(0), from: s.f.users[0])
    try expectRefusal(.invalidRating(6), s.f, s.evaluate(6), from: s.f.users[0])
}

@Test func reviewsAreOncePerPayingUserAndNeverOfOnesOwnEvaluation() throws {
    let s = try Scene()
    try s.f.send(s.evaluate(), from: s.f.users[0])
    try expectRefusal(.ownEvaluation(evaluation: 1, account: s.f.users[0].address), s.f, .review(evaluation: 1, helpful: true), from: s.f.users[0])
    try expectRefusal(.notAPayingUser(model: s.m, account: s.f.users[1].address), s.f, .review(evaluation: 1, helpful: true), from: s.f.users[1])
    try s.f.send(.useModel(model: s.m, maxPrice: 1_000), from: s.f.users[1])
    try s.f.send(.review(evaluation: 1, helpful: true), from: s.f.users[1])
    try expectRefusal(.alreadyReviewed(evaluation: 1, account: s.f.users[1].address), s.f, .review(evaluation: 1, helpful: false), from: s.f.users[1])
    try expectRefusal(.unknownEvaluation(9), s.f, .review(evaluation: 9, helpful: true), from: s.f.users[1])
    #expect(s.f.roles.standing(of: s.f.users[0].address).weight == 2)
}

// MARK: - Portfolios

@Test func portfolioWeightsMustSumToExactlyTenThousand() throws {
    let s = try Scene()
    try expectRefusal(.weightsNotTenThousand(sum: 9_999), s.f, .createPortfolio(
        entries: [.init(data: s.dA, weight: 5_000), .init(data: s.dB, weight: 4_999)], bonusToken: RolesFixture.dmt, bonusPerUse: 0, name: nil),
        from: s.f.curator)
    try expectRefusal(.weightsNotTenThousand(sum: 10_001), s.f, .createPortfolio(
        entries: [.init(data: s.dA, weight: 5_001), .init(data: s.dB, weight: 5_000)], bonusToken: RolesFixture.dmt, bonusPerUse: 0, name: nil),
        from: s.f.curator)
    try expectRefusal(.duplicateEntry(data: s.dA), s.f, .createPortfolio(
        entries: [.init(data: s.dA, weight: 5_000), .init(data: s.dA, weight: 5_000)], bonusToken: RolesFixture.dmt, bonusPerUse: 0, name: nil),
        from: s.f.curator)
    try expectRefusal(.zeroWeight(data: s.dB), s.f, .createPortfolio(
        entries: [.init(data: s.dA, weight: 10_000), .init(data: s.dB, weight: 0)], bonusToken: RolesFixture.dmt, bonusPerUse: 0, name: nil),
        from: s.f.curator)
    try expectRefusal(.portfolioSize(count: 0, min: 1, max: 256), s.f, .createPortfolio(
        entries: [], bonusToken: RolesFixture.dmt, bonusPerUse: 0, name: nil), from: s.f.curator)
}

@Test func portfolioOfDataTheCuratorMayNotReferenceIsRefused() throws {
    let s = try Scene()
    // Owner 2's data is not disclosed as referenceable: only owner 2 may put it in a portfolio.
    let private2 = try s.f.mint("c", owner: s.f.owners[2])
    try expectRefusal(.notReferenceable(data: private2, caller: s.f.curator.address, owner: s.f.owners[2].address), s.f, .createPortfolio(
        entries: [.init(data: s.dA, weight: 5_000), .init(data: private2, weight: 5_000)], bonusToken: RolesFixture.dmt, bonusPerUse: 0, name: nil),
        from: s.f.curator)
    // A model NFT is not $Data.
    try expectRefusal(.unknownData(s.m), s.f, .createPortfolio(
        entries: [.init(data: s.m, weight: 10_000)], bonusToken: RolesFixture.dmt, bonusPerUse: 0, name: nil), from: s.f.curator)
    // The owner may; and once disclosed as referenceable, so may the curator.
    try s.f.send(.createPortfolio(entries: [.init(data: private2, weight: 10_000)], bonusToken: RolesFixture.dmt, bonusPerUse: 0, name: nil), from: s.f.owners[2])
    try s.f.send(.disclose(data: private2, disclosure: Disclosure(referenceable: true)), from: s.f.owners[2])
    try s.f.send(.createPortfolio(entries: [.init(data: private2, weight: 10_000)], bonusToken: RolesFixture.dmt, bonusPerUse: 0, name: nil), from: s.f.curator)
    // Training straight on data follows the same rule.
    let private3 = try s.f.mint("d", owner: s.f.owners[3])
    try expectRefusal(.notReferenceable(data: private3, caller: s.f.trainer.address, owner: s.f.owners[3].address), s.f, .mintModel(
        modelHash: Keccak256.hash([7]), trainedOn: .data(private3), bounty: nil, paymentToken: RolesFixture.dmt, pricePerUse: 1, name: nil),
        from: s.f.trainer)
}

@Test func retiredPortfolioCannotBeUsedOrTrainedOn() throws {
    let s = try Scene()
    try expectRefusal(.notOwner(nft: s.p, caller: s.f.mallory.address, owner: s.f.curator.address), s.f, .retirePortfolio(portfolio: s.p), from: s.f.mallory)
    try s.f.send(.retirePortfolio(portfolio: s.p), from: s.f.curator)
    let at = s.f.now
    try expectRefusal(.portfolioRetired(portfolio: s.p, retiredAt: at), s.f, .usePortfolio(portfolio: s.p, count: 1), from: s.f.trainer)
    try expectRefusal(.portfolioRetired(portfolio: s.p, retiredAt: at), s.f, .mintModel(
        modelHash: Keccak256.hash([8]), trainedOn: .portfolio(s.p), bounty: nil, paymentToken: RolesFixture.dmt, pricePerUse: 1, name: nil),
        from: s.f.trainer)
}

// MARK: - Paying for models

@Test func useOfAModelWithoutPaymentIsRefused() throws {
    let s = try Scene()
    let broke = key(99)  // holds no DMT
    try expectRefusal(.insufficientBalance(token: RolesFixture.dmt, account: broke.address, balance: 0, needed: 1_000), s.f,
                      .useModel(model: s.m, maxPrice: 1_000), from: broke)
    // The user approved at most 999 per use.
    try expectRefusal(.priceAboveMaximum(model: s.m, price: 1_000, maxPrice: 999), s.f, .useModel(model: s.m, maxPrice: 999), from: s.f.users[1])
    // The owner raises the price: the old approval no longer covers it.
    try s.f.send(.setPrice(model: s.m, pricePerUse: 1_500), from: s.f.trainer)
    try expectRefusal(.priceAboveMaximum(model: s.m, price: 1_500, maxPrice: 1_000), s.f, .useModel(model: s.m, maxPrice: 1_000), from: s.f.users[1])
    // Price 0 withdraws the model from use.
    try s.f.send(.setPrice(model: s.m, pricePerUse: 0), from: s.f.trainer)
    try expectRefusal(.modelNotPriced(model: s.m), s.f, .useModel(model: s.m, maxPrice: 1_000), from: s.f.users[1])
    try expectRefusal(.notOwner(nft: s.m, caller: s.f.mallory.address, owner: s.f.trainer.address), s.f,
                      .setPrice(model: s.m, pricePerUse: 1), from: s.f.mallory)
    try expectRefusal(.unknownModel(s.p), s.f, .useModel(model: s.p, maxPrice: 1_000), from: s.f.users[1])
    #expect(s.f.roles.paidUses(of: s.m, by: broke.address) == 0)
}

@Test func modelPaymentsFollowTheNFTsCurrentOwners() throws {
    let s = try Scene()
    // The trainer sells the model NFT and the curator the portfolio NFT: new owners are paid.
    let buyer = s.f.users[5], curator2 = s.f.users[4]
    try s.f.chain.send(.transferNFT(id: s.m, to: buyer.address), to: LedgerModule.self, from: s.f.trainer)
    try s.f.chain.send(.transferNFT(id: s.p, to: curator2.address), to: LedgerModule.self, from: s.f.curator)
    let (b0, c0) = (s.f.dmt(buyer), s.f.dmt(curator2))
    try s.f.send(.useModel(model: s.m, maxPrice: 1_000), from: s.f.users[1])
    // 1,000 wei: curator 100, data 300 → 150 + 150, owner 600.
    #expect(s.f.dmt(buyer) == (try b0 + 600))
    #expect(s.f.dmt(curator2) == (try c0 + 100))
}

// MARK: - $Data, listings and usage agreements

@Test func dataTiesOnlyToListedListingsOfItsOwnerAndData() throws {
    let f = try RolesFixture()
    let (ref, hash) = try f.list("rows", owner: f.owners[0])
    // Someone else's listing.
    try expectRefusal(.listingNotOwned(listing: ref.listing, caller: f.mallory.address, owner: f.owners[0].address), f,
                      .mintData(dataHash: hash, listing: ref, disclosure: nil, name: nil), from: f.mallory)
    // Other data than the listing's.
    let other = Keccak256.hash([42])
    try expectRefusal(.listingDataMismatch(listing: ref.listing, listingDataHash: hash, dataHash: other), f,
                      .mintData(dataHash: other, listing: ref, disclosure: nil, name: nil), from: f.owners[0])
    // An application that is not listed yet.
    let pending = Keccak256.hash(Array("pending".utf8))
    try f.market(.apply(market: f.id, dataHash: pending), from: f.owners[1])
    let pendingRef = ListingRef(market: f.id, listing: Listing.id(applicant: f.owners[1].address, dataHash: pending))
    try expectRefusal(.listingNotListed(market: f.id, listing: pendingRef.listing), f,
                      .mintData(dataHash: pending, listing: pendingRef, disclosure: nil, name: nil), from: f.owners[1])
    // An unknown market.
    let nowhere = try MarketID("nowhere")
    try expectRefusal(.market(.unknownMarket(nowhere)), f,
                      .mintData(dataHash: hash, listing: ListingRef(market: nowhere, listing: ref.listing), disclosure: nil, name: nil), from: f.owners[0])
    // One $Data per uploader and dataHash, one per listing.
    try f.send(.mintData(dataHash: hash, listing: ref, disclosure: nil, name: nil), from: f.owners[0])
    let d = f.lastNFT
    try expectRefusal(.duplicateData(dataHash: hash, existing: d), f, .mintData(dataHash: hash, listing: nil, disclosure: nil, name: nil), from: f.owners[0])
    try expectRefusal(.listingAlreadyTied(listing: ref.listing, data: d), f, .tieListing(data: d, listing: ref), from: f.owners[0])
    // Disclosures are checked.
    try expectRefusal(.invalidTag("Bad Tag"), f, .disclose(data: d, disclosure: Disclosure(tags: ["Bad Tag"])), from: f.owners[0])
    try expectRefusal(.tooManyTags(count: 17, max: 16), f, .disclose(data: d, disclosure: Disclosure(tags: (0..<17).map { "t\($0)" })), from: f.owners[0])
    try expectRefusal(.notOwner(nft: d, caller: f.mallory.address, owner: f.owners[0].address), f,
                      .disclose(data: d, disclosure: Disclosure()), from: f.mallory)
}

@Test func usageAgreementsPayOnlyTheirTrainerAndRefundUnusedPrepayment() throws {
    let f = try RolesFixture()
    let owner = f.owners[0]
    let d = try f.mint("x", owner: owner)
    try expectRefusal(.zeroAmount(field: "pricePerUse"), f, .offerUsage(data: d, trainer: nil, token: RolesFixture.dmt, pricePerUse: 0), from: owner)
    try expectRefusal(.notOwner(nft: d, caller: f.mallory.address, owner: owner.address), f,
                      .offerUsage(data: d, trainer: nil, token: RolesFixture.dmt, pricePerUse: 5), from: f.mallory)
    try f.send(.offerUsage(data: d, trainer: f.trainer.address, token: RolesFixture.dmt, pricePerUse: 100), from: owner)
    try expectRefusal(.offerForAnotherTrainer(offer: 1, trainer: f.trainer.address, caller: f.mallory.address), f,
                      .acceptUsage(offer: 1, prepaidUses: 1), from: f.mallory)
    try expectRefusal(.offerNotOpen(offer: 1, status: "not accepted yet"), f, .recordDataUse(offer: 1, count: 1), from: f.trainer)
    let (o0, t0) = (f.dmt(owner), f.dmt(f.trainer))
    try f.send(.acceptUsage(offer: 1, prepaidUses: 10), from: f.trainer)
    try expectRefusal(.offerNotOpen(offer: 1, status: "active"), f, .withdrawOffer(offer: 1), from: owner)
    try expectRefusal(.notAgreementTrainer(offer: 1, caller: f.mallory.address, trainer: f.trainer.address), f,
                      .recordDataUse(offer: 1, count: 1), from: f.mallory)
    try expectRefusal(.zeroAmount(field: "count"), f, .recordDataUse(offer: 1, count: 0), from: f.trainer)
    try f.send(.recordDataUse(offer: 1, count: 3), from: f.trainer)
    try f.send(.closeAgreement(offer: 1), from: f.trainer)
    #expect(f.dmt(owner) == (try o0 + 300))
    #expect(f.dmt(f.trainer) == (try t0 - 300))
    try expectRefusal(.offerNotOpen(offer: 1, status: "closed"), f, .recordDataUse(offer: 1, count: 1), from: f.trainer)
    // An open offer can be withdrawn by its offerer only.
    try f.send(.offerUsage(data: d, trainer: nil, token: RolesFixture.dmt, pricePerUse: 7), from: owner)
    try f.send(.withdrawOffer(offer: 2), from: owner)
    try expectRefusal(.offerNotOpen(offer: 2, status: "withdrawn"), f, .acceptUsage(offer: 2, prepaidUses: 0), from: f.trainer)
}

// MARK: - Reward pools

@Test func poolClaimsFollowTheirRules() throws {
    let f = try RolesFixture()
    let owner = f.owners[0]
    let tied = try f.listAndMint("listed rows", owner: owner)
    let untied = try f.mint("loose rows", owner: owner)
    try expectRefusal(.invalidPool(reason: "dataRatePerSecond and portfolioRatePerSecond are both 0, expected at least one positive"), f,
                      .createPool(token: RolesFixture.dmt, market: nil, dataRatePerSecond: 0, portfolioRatePerSecond: 0, endsAt: f.now + 10, funding: 0),
                      from: f.sponsor)
    try expectRefusal(.invalidPool(reason: "endsAt \(f.now) is not after now \(f.now)"), f,
                      .createPool(token: RolesFixture.dmt, market: nil, dataRatePerSecond: 1, portfolioRatePerSecond: 0, endsAt: f.now, funding: 0),
                      from: f.sponsor)
    // 10 wei per second, funded with 25 wei: two and a half seconds' worth.
    try f.send(.createPool(token: RolesFixture.dmt, market: f.id, dataRatePerSecond: 10, portfolioRatePerSecond: 0, endsAt: f.now + 100, funding: 25), from: f.sponsor)
    try expectRefusal(.nothingToClaim(pool: 1, nft: tied, from: f.now, to: f.now), f, .claim(pool: 1, nft: tied), from: owner)
    try f.warp(5)
    try expectRefusal(.notAccruing(pool: 1, nft: untied, reason: "not tied to a market listing"), f, .claim(pool: 1, nft: untied), from: owner)
    try expectRefusal(.notOwner(nft: tied, caller: f.mallory.address, owner: owner.address), f, .claim(pool: 1, nft: tied), from: f.mallory)
    // First come, whole seconds: 2 s paid (20 wei), 3 s stay owed, 5 wei stay in the pool.
    let before = f.dmt(owner)
    try f.send(.claim(pool: 1, nft: tied), from: owner)
    #expect(f.dmt(owner) == (try before + 20))
    try expectRefusal(.poolExhausted(pool: 1, held: 5, ratePerSecond: 10), f, .claim(pool: 1, nft: tied), from: owner)
    // Refunded, the owed seconds are paid.
    try f.send(.fundPool(pool: 1, amount: 1_000), from: f.mallory)
    try f.send(.claim(pool: 1, nft: tied), from: owner)
    #expect(f.dmt(owner) == (try before + 50))
    // Portfolios need admission; a non-creator may not admit; data rate only.
    try expectRefusal(.notPoolCreator(pool: 1, caller: f.mallory.address, creator: f.sponsor.address), f,
                      .admitPortfolio(pool: 1, portfolio: 1), from: f.mallory)
    try expectRefusal(.notRewardable(99), f, .claim(pool: 1, nft: 99), from: owner)
    try f.warp(200)
    try expectRefusal(.poolEnded(pool: 1, endsAt: try f.roles.pool(1).endsAt, now: f.now), f, .fundPool(pool: 1, amount: 1), from: f.sponsor)
}
