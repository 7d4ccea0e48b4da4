import Testing
import LedgerCore
import MarketKit

/// Simulated attacks on the market; each must fail.
@Suite struct AttackTests {
    @Test func frontRunningAnApplicationCannotSquatOrStealIt() throws {
        let f = try Fixture()
        let council = try f.seatCouncilAndBackend()
        let alice = f.owners[0]
        let data = Keccak256.hash(Array("alice's rows".utf8))
        // Mallory sees Alice's pending apply and gets in first with the same dataHash.
        try f.send(.apply(market: f.id, dataHash: data), from: f.mallory)
        let malloryPoll = try f.lastPoll
        try f.send(.apply(market: f.id, dataHash: data), from: alice)  // not blocked
        let alicePoll = try f.lastPoll
        let aliceListing = Listing.id(applicant: alice.address, dataHash: data)
        let malloryListing = Listing.id(applicant: f.mallory.address, dataHash: data)
        #expect(aliceListing != malloryListing)
        let directory = ChainMarketDirectory(chain: f.chain)
        #expect(Set(directory.listings(dataHash: data, market: "cancer").map(\.owner)) == [alice.address, f.mallory.address])
        // The datatrust received the data from Alice, so it attests only Alice's listing.
        #expect(directory.isListingOwner(alice.address, listing: aliceListing, market: "cancer"))
        try f.chain.submit(try directory.attestationTransaction(market: "cancer", listing: aliceListing, backend: f.backend))
        for k in council {
            try f.send(.vote(market: f.id, poll: malloryPoll, yea: true), from: k)
            try f.send(.vote(market: f.id, poll: alicePoll, yea: true), from: k)
        }
        try f.warp(600)
        #expect(throws: MarketError.notAttested(listing: malloryListing, dataHash: data)) {
            try f.send(.resolve(market: f.id, poll: malloryPoll), from: f.mallory)
        }
        try f.send(.resolve(market: f.id, poll: alicePoll), from: f.buyer)
        let m = try f.market
        #expect(m.listings[aliceListing]?.listed == true)
        #expect(m.listings[aliceListing]?.owner == alice.address)
        #expect(m.listings[malloryListing]?.listed == false)
        #expect(throws: MarketError.notListingOwner(listing: aliceListing, caller: f.mallory.address, owner: alice.address)) {
            try f.send(.setAccessCost(market: f.id, listing: aliceListing, cost: 0), from: f.mallory)
        }
        #expect(throws: MarketError.notListingOwner(listing: aliceListing, caller: f.mallory.address, owner: alice.address)) {
            try f.send(.exit(market: f.id, listing: aliceListing), from: f.mallory)
        }
    }

    @Test func buyingVotingAndSellingCannotSwingARunningPoll() throws {
        let f = try Fixture()
        let council = try f.seatCouncil()
        try f.send(.proposeBackend(market: f.id, url: "https://evil", address: f.mallory.address), from: f.mallory)
        let poll = try f.lastPoll
        // Mallory buys far past the threshold after the poll opened ...
        try f.send(.invest(market: f.id, offered: tokens(100), minTokensOut: 0), from: f.mallory)
        #expect(try f.market.isCouncilMember(f.mallory.address))
        // ... but the electorate was fixed when the poll opened.
        #expect(throws: MarketError.notInElectorate(poll: poll, voter: f.mallory.address)) {
            try f.send(.vote(market: f.id, poll: poll, yea: true), from: f.mallory)
        }
        // Nor can a member's tokens be passed to a fresh account to vote again.
        try f.send(.vote(market: f.id, poll: poll, yea: true), from: council[0])
        #expect(throws: LedgerError.moduleBoundToken(token: f.marketToken, minter: .module("market"), operation: "transfer")) {
            try f.chain.send(.transfer(token: f.marketToken, to: f.buyer.address, amount: f.mkt(council[0])), to: LedgerModule.self, from: council[0])
        }
        try f.send(.divest(market: f.id, minPayout: 0), from: f.mallory)
        try f.decide(poll, yea: [], nay: Array(council[1...2]))
        #expect(try f.market.backends.isEmpty)
        #expect(f.invariantViolations() == [])
    }

    @Test func oneYeaVoteCannotPassWithoutQuorum() throws {
        let f = try Fixture()
        let council = Array(f.investors.prefix(5))
        try f.invest(council)
        try f.send(.proposeBackend(market: f.id, url: "https://dt", address: f.backend.address), from: f.creator)
        let poll = try f.lastPoll
        let r = try f.decide(poll, yea: [council[0]])  // 1 of 5 voted: 20 % < 50 % quorum
        #expect(r.events.contains { $0.kind == "PollResolved" && $0[field: "passed"] == "false" })
        #expect(try f.market.backends.isEmpty)
    }

    @Test func aListingWithNoDataAtADatatrustIsNeverListed() throws {
        let f = try Fixture()
        let council = try f.seatCouncilAndBackend()
        let dataHash = Keccak256.hash(Array("never uploaded".utf8))
        try f.send(.apply(market: f.id, dataHash: dataHash), from: f.owners[0])
        let poll = try f.lastPoll
        let id = Listing.id(applicant: f.owners[0].address, dataHash: dataHash)
        for k in council { try f.send(.vote(market: f.id, poll: poll, yea: true), from: k) }
        try f.warp(600)
        #expect(throws: MarketError.notAttested(listing: id, dataHash: dataHash)) {
            try f.send(.resolve(market: f.id, poll: poll), from: f.owners[0])
        }
        try f.warp(601)
        try f.send(.expire(market: f.id, poll: poll), from: f.buyer)
        #expect(try f.market.listings[id] == nil)
        #expect(try f.market.listedCount == 0)
        #expect(f.invariantViolations() == [])
    }

    @Test func aReparameterizationToAnOutOfBoundsValueIsRefused() throws {
        let f = try Fixture()
        try f.invest(Array(f.investors.prefix(3)))
        let before = f.dmt(f.mallory)
        #expect(throws: MarketError.parameterOutOfBounds(parameter: .quorum, value: 0, min: 1, max: 100)) {
            try f.send(.proposeReparam(market: f.id, parameter: .quorum, value: 0), from: f.mallory)
        }
        #expect(throws: MarketError.parameterOutOfBounds(parameter: .dispensation, value: 101, min: 0, max: 100)) {
            try f.send(.proposeReparam(market: f.id, parameter: .dispensation, value: 101), from: f.mallory)
        }
        #expect(f.dmt(f.mallory) == before)
        #expect(try f.market.polls.isEmpty)
    }

    @Test func aBuyerWhoPaidAndNeverGotTheJobIsRefundedAfterTheDeadline() throws {
        let f = try Fixture()
        let council = try f.seatCouncilAndBackend()
        try f.send(.setComputeCost(market: f.id, cost: milli(500)), from: f.backend)
        let a = try f.list("rows", owner: f.owners[0], council: council)
        let before = f.dmt(f.buyer)
        try f.send(.payForCompute(market: f.id, listings: [a], maxPrice: tokens(5), backend: f.backend.address), from: f.buyer)
        let job = try f.market.nextJobID - 1
        #expect(ChainMarketDirectory(chain: f.chain).hasPaidJob(buyer: f.buyer.address, market: "cancer"))
        // The backend never reports; the deadline passes; anyone triggers the refund.
        try f.warp(601)
        #expect(!ChainMarketDirectory(chain: f.chain).hasPaidJob(buyer: f.buyer.address, market: "cancer"))
        try f.send(.refundJob(market: f.id, job: job), from: f.mallory)
        #expect(f.dmt(f.buyer) == before)
        #expect(throws: MarketError.unknownJob(job: job)) { try f.send(.refundJob(market: f.id, job: job), from: f.buyer) }
        #expect(f.invariantViolations() == [])
    }
}

@Suite struct DirectoryTests {
    @Test func directoryAnswersWhatADatatrustAsks() throws {
        let f = try Fixture()
        let council = try f.seatCouncilAndBackend()
        let d: any MarketDirectory = ChainMarketDirectory(chain: f.chain)
        #expect(d.isCouncilMember(council[0].address, market: "cancer"))
        #expect(!d.isCouncilMember(f.buyer.address, market: "cancer"))
        #expect(d.isAuthorisedBackend(f.backend.address, market: "cancer"))
        #expect(!d.isAuthorisedBackend(f.backend.address, market: "nope"))
        let data = Keccak256.hash(Array("d".utf8))
        #expect(d.listings(dataHash: data, market: "cancer").isEmpty)
        let id = try f.list("d", owner: f.owners[0], council: council)
        #expect(d.isListed(dataHash: data, market: "cancer"))
        #expect(d.listings(dataHash: data, market: "cancer") == [DataHashListing(listing: id, owner: f.owners[0].address, listed: true, attestedBy: f.backend.address)])
        try f.send(.payForCompute(market: f.id, listings: [id], maxPrice: tokens(5), backend: f.backend.address), from: f.buyer)
        let jobs = d.openJobs(buyer: f.buyer.address, market: "cancer")
        #expect(jobs.count == 1)
        try f.chain.submit(try d.usageReportTransaction(market: "cancer", job: jobs[0].id, listings: [id], backend: f.backend))
        #expect(!d.hasPaidJob(buyer: f.buyer.address, market: "cancer"))
        #expect(try f.market.listings[id]?.accessCount == 1)
    }
}
