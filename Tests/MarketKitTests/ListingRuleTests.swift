import Testing
import LedgerCore
import MarketKit

private func hash(_ s: String) -> Hash32 { Keccak256.hash(Array(s.utf8)) }

@Suite struct ListingRuleTests {
    @Test func createRefusesDuplicatesBadIdsAndBadParameters() throws {
        let f = try Fixture()
        #expect(throws: MarketError.marketExists(f.id)) {
            try f.send(.create(market: f.id, tokenName: "X", networkToken: Fixture.dmt, parameters: Fixture.parameters), from: f.creator)
        }
        #expect(throws: MarketError.invalidMarketID("Bad_Id")) { _ = try MarketID("Bad_Id") }
        var p = Fixture.parameters
        p.quorum = 0
        #expect(throws: MarketError.parameterOutOfBounds(parameter: .quorum, value: 0, min: 1, max: 100)) {
            try f.send(.create(market: try MarketID("other"), tokenName: "X", networkToken: Fixture.dmt, parameters: p), from: f.creator)
        }
        p = Fixture.parameters
        p.makerPayment = 80
        p.backendPayment = 30
        #expect(throws: MarketError.paymentSharesExceed100(maker: 80, backend: 30)) {
            try f.send(.create(market: try MarketID("other"), tokenName: "X", networkToken: Fixture.dmt, parameters: p), from: f.creator)
        }
        #expect(throws: MarketError.ledger(.unknownToken(TokenID(unchecked: "NOPE")))) {
            try f.send(.create(market: try MarketID("other"), tokenName: "X", networkToken: TokenID(unchecked: "NOPE"), parameters: Fixture.parameters), from: f.creator)
        }
        #expect(throws: MarketError.unknownMarket(try MarketID("ghost"))) {
            try f.send(.apply(market: try MarketID("ghost"), dataHash: hash("x")), from: f.owners[0])
        }
    }

    @Test func applyDepositsAndBindsTheListingToTheApplicant() throws {
        let f = try Fixture()
        let before = f.dmt(f.owners[0])
        try f.send(.apply(market: f.id, dataHash: hash("a")), from: f.owners[0])
        let id = Listing.id(applicant: f.owners[0].address, dataHash: hash("a"))
        let m = try f.market
        #expect(m.listings[id]?.owner == f.owners[0].address)
        #expect(m.listings[id]?.listed == false)
        #expect(f.dmt(f.owners[0]) == (try before - tokens(5)))
        #expect(m.holderClass(of: f.owners[0].address) == .dataOwner)
        #expect(throws: MarketError.listingExists(listing: id)) {
            try f.send(.apply(market: f.id, dataHash: hash("a")), from: f.owners[0])
        }
    }

    @Test func applyWithoutTheDepositIsRefused() throws {
        let f = try Fixture()
        let poor = key(99)
        #expect(throws: MarketError.insufficientBalance(token: Fixture.dmt, account: poor.address, balance: 0, needed: tokens(5))) {
            try f.send(.apply(market: f.id, dataHash: hash("a")), from: poor)
        }
    }

    @Test func onlyAuthorisedBackendsAttest() throws {
        let f = try Fixture()
        try f.send(.apply(market: f.id, dataHash: hash("a")), from: f.owners[0])
        let id = Listing.id(applicant: f.owners[0].address, dataHash: hash("a"))
        #expect(throws: MarketError.notAuthorisedBackend(address: f.backend.address)) {
            try f.send(.attest(market: f.id, listing: id), from: f.backend)
        }
    }

    @Test func rejectedApplicationForfeitsItsDepositToTheReserve() throws {
        let f = try Fixture()
        try f.invest(Array(f.investors.prefix(2)))
        try f.send(.apply(market: f.id, dataHash: hash("a")), from: f.owners[0])
        let reserve = f.held(try f.market.reserveEscrow)
        try f.decide(try f.lastPoll, yea: [], nay: Array(f.investors.prefix(2)))
        let m = try f.market
        #expect(m.listings.isEmpty)
        #expect(m.dataHashes.isEmpty)
        #expect(f.held(m.reserveEscrow) == (try reserve + tokens(5)))
        #expect(f.invariantViolations() == [])
    }

    @Test func challengeRulesNameTheListingAndItsPoll() throws {
        let f = try Fixture()
        let council = try f.seatCouncilAndBackend()
        try f.send(.apply(market: f.id, dataHash: hash("a")), from: f.owners[0])
        let id = Listing.id(applicant: f.owners[0].address, dataHash: hash("a"))
        #expect(throws: MarketError.listingNotListed(listing: id)) { try f.send(.challenge(market: f.id, listing: id), from: f.mallory) }
        try f.send(.attest(market: f.id, listing: id), from: f.backend)
        try f.decide(try f.lastPoll, yea: council)
        #expect(throws: MarketError.cannotChallengeOwnListing(listing: id)) { try f.send(.challenge(market: f.id, listing: id), from: f.owners[0]) }
        try f.send(.challenge(market: f.id, listing: id), from: f.mallory)
        let poll = try f.lastPoll
        #expect(throws: MarketError.listingUnderPoll(listing: id, poll: poll)) { try f.send(.challenge(market: f.id, listing: id), from: f.buyer) }
        #expect(throws: MarketError.listingUnderPoll(listing: id, poll: poll)) { try f.send(.exit(market: f.id, listing: id), from: f.owners[0]) }
        #expect(throws: MarketError.unknownListing(listing: hash("nothing"))) { try f.send(.challenge(market: f.id, listing: hash("nothing")), from: f.mallory) }
    }

    @Test func failedChallengePaysTheDispensationToTheOwnerAndTheRestToTheReserve() throws {
        let f = try Fixture()
        let council = try f.seatCouncilAndBackend()
        let id = try f.list("good data", owner: f.owners[0], council: council)
        let owner = f.dmt(f.owners[0])
        let reserve = f.held(try f.market.reserveEscrow)
        let challenger = f.dmt(f.mallory)
        try f.send(.challenge(market: f.id, listing: id), from: f.mallory)
        try f.decide(try f.lastPoll, yea: [], nay: council)
        let m = try f.market
        #expect(m.listings[id]?.listed == true)
        #expect(m.listings[id]?.poll == nil)
        #expect(f.dmt(f.owners[0]) == (try owner + tokens(5)))      // 50 % of the 10-token stake
        #expect(f.held(m.reserveEscrow) == (try reserve + tokens(5)))
        #expect(f.dmt(f.mallory) == (try challenger - tokens(10)))
        #expect(f.invariantViolations() == [])
    }

    @Test func dispensationRemainderGoesToTheReserveWithoutDust() throws {
        var p = Fixture.parameters
        p.dispensation = 33
        p.applicationDeposit = 7
        let f = try Fixture(parameters: p)
        let council = try f.seatCouncilAndBackend()
        let id = try f.list("odd deposit", owner: f.owners[0], council: council)
        let reserve = f.held(try f.market.reserveEscrow)
        let challenger = f.dmt(f.mallory)
        try f.send(.challenge(market: f.id, listing: id), from: f.mallory)
        try f.decide(try f.lastPoll, yea: council)
        // floor(7 · 33 / 100) = 2 to the challenger, 5 to the reserve.
        #expect(f.dmt(f.mallory) == (try challenger + 2))
        #expect(f.held(try f.market.reserveEscrow) == (try reserve + 5))
        #expect(f.invariantViolations() == [])
    }

    @Test func exitBurnsRewardsAndReturnsTheDeposit() throws {
        let f = try Fixture()
        let council = try f.seatCouncilAndBackend()
        let id = try f.list("data", owner: f.owners[0], council: council)
        #expect(throws: MarketError.notListingOwner(listing: id, caller: f.mallory.address, owner: f.owners[0].address)) {
            try f.send(.exit(market: f.id, listing: id), from: f.mallory)
        }
        let before = f.dmt(f.owners[0])
        let supply = f.chain.state.ledger.tokens[f.marketToken]?.totalSupply ?? .zero
        try f.send(.exit(market: f.id, listing: id), from: f.owners[0])
        #expect(try f.market.listings[id] == nil)
        #expect(f.dmt(f.owners[0]) == (try before + tokens(5)))
        #expect(f.chain.state.ledger.tokens[f.marketToken]?.totalSupply == (try supply - tokens(250)))
        #expect(f.invariantViolations() == [])
    }

    @Test func ownerSetsAccessCostWithinBounds() throws {
        let f = try Fixture()
        try f.send(.apply(market: f.id, dataHash: hash("a")), from: f.owners[0])
        let id = Listing.id(applicant: f.owners[0].address, dataHash: hash("a"))
        #expect(throws: MarketError.notListingOwner(listing: id, caller: f.mallory.address, owner: f.owners[0].address)) {
            try f.send(.setAccessCost(market: f.id, listing: id, cost: 1), from: f.mallory)
        }
        let tooMuch = try UInt256(decimalInteger: "1000000000000000000000000000001")
        #expect(throws: MarketError.parameterOutOfBounds(parameter: .defaultAccessCost, value: tooMuch, min: 0, max: MarketParameter.defaultAccessCost.bounds.upperBound)) {
            try f.send(.setAccessCost(market: f.id, listing: id, cost: tooMuch), from: f.owners[0])
        }
        try f.send(.setAccessCost(market: f.id, listing: id, cost: 42), from: f.owners[0])
        #expect(try f.market.listings[id]?.accessCost == 42)
    }
}
