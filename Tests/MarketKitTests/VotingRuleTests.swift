import Testing
import LedgerCore
import MarketKit

@Suite struct VotingRuleTests {
    @Test func voteRulesNameThePollTheVoterAndTheTimes() throws {
        let f = try Fixture()
        let council = try f.seatCouncil()
        try f.send(.proposeBackend(market: f.id, url: "https://dt", address: f.backend.address), from: f.creator)
        let poll = try f.lastPoll
        let p = try f.market.polls[poll]
        #expect(p?.electorateSize == 3)
        #expect(throws: MarketError.notInElectorate(poll: poll, voter: f.mallory.address)) {
            try f.send(.vote(market: f.id, poll: poll, yea: true), from: f.mallory)
        }
        try f.send(.vote(market: f.id, poll: poll, yea: true), from: council[0])
        #expect(throws: MarketError.alreadyVoted(poll: poll, voter: council[0].address)) {
            try f.send(.vote(market: f.id, poll: poll, yea: false), from: council[0])
        }
        #expect(throws: MarketError.voteWindowOpen(poll: poll, closesAt: p?.closesAt ?? 0, now: f.now)) {
            try f.send(.resolve(market: f.id, poll: poll), from: f.buyer)
        }
        try f.warp(600)
        #expect(throws: MarketError.voteWindowClosed(poll: poll, closedAt: p?.closesAt ?? 0, now: f.now)) {
            try f.send(.vote(market: f.id, poll: poll, yea: true), from: council[1])
        }
        #expect(throws: MarketError.resolveDeadlineNotReached(poll: poll, deadline: p?.resolveBy ?? 0, now: f.now)) {
            try f.send(.expire(market: f.id, poll: poll), from: f.buyer)
        }
        try f.warp(601)
        #expect(throws: MarketError.resolveDeadlinePassed(poll: poll, deadline: p?.resolveBy ?? 0, now: f.now)) {
            try f.send(.resolve(market: f.id, poll: poll), from: f.buyer)
        }
        try f.send(.expire(market: f.id, poll: poll), from: f.buyer)
        #expect(throws: MarketError.unknownPoll(poll: poll)) { try f.send(.resolve(market: f.id, poll: poll), from: f.buyer) }
        #expect(try f.market.backends.isEmpty)
    }

    @Test func oneMemberOneVoteWhateverTheirHolding() throws {
        let f = try Fixture()
        try f.invest([f.investors[0]], amount: tokens(1000))  // a whale
        try f.invest(Array(f.investors[1...3]))
        try f.send(.proposeBackend(market: f.id, url: "https://dt", address: f.backend.address), from: f.creator)
        // The whale's yea against three nays: 1 of 4 yea is below the 50 % plurality.
        try f.decide(try f.lastPoll, yea: [f.investors[0]], nay: Array(f.investors[1...3]))
        #expect(try f.market.backends.isEmpty)
    }

    @Test func aTieMeetsAFiftyPercentPlurality() throws {
        let f = try Fixture()
        try f.invest(Array(f.investors.prefix(4)))
        try f.send(.proposeBackend(market: f.id, url: "https://dt", address: f.backend.address), from: f.creator)
        try f.decide(try f.lastPoll, yea: Array(f.investors[0...1]), nay: Array(f.investors[2...3]))
        #expect(try f.market.backends[f.backend.address] != nil)
    }

    @Test func expiryRefundsTheApplicationDepositAndTheChallengeStake() throws {
        let f = try Fixture()
        let council = try f.seatCouncilAndBackend()
        let listed = try f.list("kept", owner: f.owners[0], council: council)
        // An application nobody resolves.
        let before = f.dmt(f.owners[1])
        try f.send(.apply(market: f.id, dataHash: Keccak256.hash(Array("late".utf8))), from: f.owners[1])
        let appPoll = try f.lastPoll
        // A challenge nobody resolves.
        let challengerBefore = f.dmt(f.mallory)
        try f.send(.challenge(market: f.id, listing: listed), from: f.mallory)
        let chPoll = try f.lastPoll
        try f.warp(1201)
        try f.send(.expire(market: f.id, poll: appPoll), from: f.buyer)
        try f.send(.expire(market: f.id, poll: chPoll), from: f.buyer)
        #expect(f.dmt(f.owners[1]) == before)
        #expect(f.dmt(f.mallory) == challengerBefore)
        let m = try f.market
        #expect(m.listings[listed]?.poll == nil)
        #expect(m.listings.count == 1)
        #expect(f.invariantViolations() == [])
    }

    @Test func backendRemovalByCouncilRevokesAttestingRights() throws {
        let f = try Fixture()
        let council = try f.seatCouncilAndBackend()
        #expect(throws: MarketError.notAuthorisedBackend(address: f.mallory.address)) {
            try f.send(.proposeBackendRemoval(market: f.id, address: f.mallory.address), from: f.creator)
        }
        try f.send(.proposeBackendRemoval(market: f.id, address: f.backend.address), from: f.creator)
        try f.decide(try f.lastPoll, yea: council)
        #expect(try f.market.backends.isEmpty)
        try f.send(.apply(market: f.id, dataHash: Keccak256.hash(Array("x".utf8))), from: f.owners[0])
        let id = Listing.id(applicant: f.owners[0].address, dataHash: Keccak256.hash(Array("x".utf8)))
        #expect(throws: MarketError.notAuthorisedBackend(address: f.backend.address)) {
            try f.send(.attest(market: f.id, listing: id), from: f.backend)
        }
    }
}
