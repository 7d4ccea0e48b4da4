import Testing
import LedgerCore
import MarketKit

@Suite struct ComputeTests {
    /// A market with three council members, an authorised backend (compute cost 0.5 DMT) and two listings.
    private func setUp() throws -> (Fixture, Hash32, Hash32) {
        let f = try Fixture()
        let council = try f.seatCouncilAndBackend()
        try f.send(.setComputeCost(market: f.id, cost: milli(500)), from: f.backend)
        let a = try f.list("rows 1-100", owner: f.owners[0], council: council)
        let b = try f.list("rows 101-200", owner: f.owners[1], council: council)
        return (f, a, b)
    }

    @Test func paymentRulesNameThePriceAndTheListings() throws {
        let (f, a, b) = try setUp()
        #expect(throws: MarketError.priceAboveMaximum(price: tokens(2), maxPrice: milli(1999))) {
            try f.send(.payForCompute(market: f.id, listings: [a, b], maxPrice: milli(1999), backend: f.backend.address), from: f.buyer)
        }
        #expect(throws: MarketError.notAuthorisedBackend(address: f.mallory.address)) {
            try f.send(.payForCompute(market: f.id, listings: [a], maxPrice: tokens(9), backend: f.mallory.address), from: f.buyer)
        }
        #expect(throws: MarketError.duplicateListing(listing: a)) {
            try f.send(.payForCompute(market: f.id, listings: [a, a], maxPrice: tokens(9), backend: f.backend.address), from: f.buyer)
        }
        try f.send(.apply(market: f.id, dataHash: Keccak256.hash([7])), from: f.owners[2])
        let pending = Listing.id(applicant: f.owners[2].address, dataHash: Keccak256.hash([7]))
        #expect(throws: MarketError.listingNotListed(listing: pending)) {
            try f.send(.payForCompute(market: f.id, listings: [pending], maxPrice: tokens(9), backend: f.backend.address), from: f.buyer)
        }
        #expect(throws: MarketError.notAuthorisedBackend(address: f.mallory.address)) {
            try f.send(.setComputeCost(market: f.id, cost: 1), from: f.mallory)
        }
    }

    @Test func aZeroShareCannotPriceWhatIsDueUnderIt() throws {
        var p = Fixture.parameters
        p.makerPayment = 0
        let f = try Fixture(parameters: p)
        let council = try f.seatCouncilAndBackend()
        let a = try f.list("x", owner: f.owners[0], council: council)
        #expect(throws: MarketError.paymentShareIsZero(parameter: .makerPayment, amountDue: milli(1))) {
            try f.send(.payForCompute(market: f.id, listings: [a], maxPrice: tokens(9), backend: f.backend.address), from: f.buyer)
        }
    }

    @Test func reportRulesNameTheJobTheBackendAndTheDeadline() throws {
        let (f, a, b) = try setUp()
        try f.send(.payForCompute(market: f.id, listings: [a], maxPrice: tokens(9), backend: f.backend.address), from: f.buyer)
        let job = try f.market.nextJobID - 1
        let deadline = try f.market.jobs[job]?.deadline ?? 0
        #expect(throws: MarketError.notJobBackend(job: job, caller: f.mallory.address, backend: f.backend.address)) {
            try f.send(.reportJob(market: f.id, job: job, listings: [a]), from: f.mallory)
        }
        #expect(throws: MarketError.listingNotInJob(job: job, listing: b)) {
            try f.send(.reportJob(market: f.id, job: job, listings: [b]), from: f.backend)
        }
        #expect(throws: MarketError.duplicateListing(listing: a)) {
            try f.send(.reportJob(market: f.id, job: job, listings: [a, a]), from: f.backend)
        }
        #expect(throws: MarketError.jobDeadlineNotReached(job: job, deadline: deadline, now: f.now)) {
            try f.send(.refundJob(market: f.id, job: job), from: f.buyer)
        }
        try f.warp(601)
        #expect(throws: MarketError.jobDeadlinePassed(job: job, deadline: deadline, now: f.now)) {
            try f.send(.reportJob(market: f.id, job: job, listings: [a]), from: f.backend)
        }
        #expect(throws: MarketError.unknownJob(job: 99)) { try f.send(.refundJob(market: f.id, job: 99), from: f.buyer) }
    }

    @Test func aWholeMarketJobPaysEveryTouchedOwner() throws {
        let (f, a, b) = try setUp()
        try f.send(.setAccessCost(market: f.id, listing: b, cost: milli(300)), from: f.owners[1])
        #expect(try f.market.wholeMarketAccessCost() == milli(301))
        try f.send(.payForCompute(market: f.id, listings: nil, maxPrice: tokens(9), backend: f.backend.address), from: f.buyer)
        let job = try f.market.nextJobID - 1
        let o0 = f.dmt(f.owners[0]), o1 = f.dmt(f.owners[1])
        try f.send(.reportJob(market: f.id, job: job, listings: [b, a]), from: f.backend)
        #expect(f.dmt(f.owners[0]) == (try o0 + milli(1)))
        #expect(f.dmt(f.owners[1]) == (try o1 + milli(300)))
        #expect(f.mkt(f.owners[1]) == tokens(1))
        #expect(try f.market.listings[b]?.accessCount == 1)
        #expect(f.invariantViolations() == [])
    }

    @Test func coarseUsageReportsCountWorkloads() throws {
        let (f, _, _) = try setUp()
        try f.send(.updateListingsAccessed(market: f.id, count: 3), from: f.backend)
        try f.send(.updateListingsAccessed(market: f.id, count: 4), from: f.backend)
        #expect(try f.market.coarseAccesses == 7)
        #expect(throws: MarketError.notAuthorisedBackend(address: f.buyer.address)) {
            try f.send(.updateListingsAccessed(market: f.id, count: 1), from: f.buyer)
        }
    }
}

@Suite struct ReparameterizationTests {
    @Test func proposalsAreBoundsCheckedWhenProposed() throws {
        let f = try Fixture()
        #expect(throws: MarketError.parameterOutOfBounds(parameter: .plurality, value: 49, min: 50, max: 100)) {
            try f.send(.proposeReparam(market: f.id, parameter: .plurality, value: 49), from: f.investors[0])
        }
        #expect(throws: MarketError.paymentSharesExceed100(maker: 76, backend: 25)) {
            try f.send(.proposeReparam(market: f.id, parameter: .makerPayment, value: 76), from: f.investors[0])
        }
        #expect(throws: MarketError.parameterOutOfBounds(parameter: .voteBy, value: 59, min: 60, max: 2_592_000)) {
            try f.send(.proposeReparam(market: f.id, parameter: .voteBy, value: 59), from: f.investors[0])
        }
    }

    @Test func aRejectedProposalForfeitsItsStakeToTheReserve() throws {
        let f = try Fixture()
        let council = try f.seatCouncil()
        let reserve = f.held(try f.market.reserveEscrow)
        try f.send(.proposeReparam(market: f.id, parameter: .quorum, value: 90), from: f.mallory)
        try f.decide(try f.lastPoll, yea: [], nay: council)
        #expect(try f.market.parameters.quorum == 50)
        #expect(f.held(try f.market.reserveEscrow) == (try reserve + tokens(10)))
        #expect(f.invariantViolations() == [])
    }

    @Test func raisingTheCouncilThresholdRebuildsTheCouncil() throws {
        let f = try Fixture()
        try f.invest(Array(f.investors.prefix(2)))
        try f.invest([f.investors[2]], amount: tokens(30))
        #expect(try f.market.council.count == 3)
        try f.send(.proposeReparam(market: f.id, parameter: .councilThreshold, value: tokens(2000)), from: f.investors[2])
        try f.decide(try f.lastPoll, yea: Array(f.investors.prefix(3)))
        let m = try f.market
        #expect(m.council.count == 1)
        #expect(m.isCouncilMember(f.investors[2].address))
        #expect(f.invariantViolations() == [])
    }

    @Test func aShareChangeOvertakenByAnotherIsVoidAndRefunded() throws {
        let f = try Fixture()
        let council = try f.seatCouncil()
        try f.send(.proposeReparam(market: f.id, parameter: .makerPayment, value: 70), from: council[0])
        let first = try f.lastPoll
        try f.send(.proposeReparam(market: f.id, parameter: .backendPayment, value: 35), from: council[1])
        let second = try f.lastPoll
        for k in council {
            try f.send(.vote(market: f.id, poll: first, yea: true), from: k)
            try f.send(.vote(market: f.id, poll: second, yea: true), from: k)
        }
        try f.warp(600)
        try f.send(.resolve(market: f.id, poll: first), from: f.buyer)
        let before = f.dmt(council[1])
        let r = try f.send(.resolve(market: f.id, poll: second), from: f.buyer)
        #expect(r.events.contains { $0.kind == "ReparamVoid" })
        let m = try f.market
        #expect(m.parameters.makerPayment == 70 && m.parameters.backendPayment == 25)
        #expect(f.dmt(council[1]) == (try before + tokens(10)))
    }
}
