// Helpers shared by the MarketKit test files: a deterministic RNG, a chain with funded
// accounts and one market, and the conservation invariants every test can check.

import DataMarketTesting
import Foundation
import LedgerCore
import MarketKit

/// Whole tokens in wei.
func tokens(_ n: UInt64) -> UInt256 { UInt256(n).multipliedFullWidth(by: 1_000_000_000_000_000_000).low }

/// Thousandths of a token in wei.
func milli(_ n: UInt64) -> UInt256 { UInt256(n).multipliedFullWidth(by: 1_000_000_000_000_000).low }

/// A deterministic key from a small number (``TestKeys/small(_:)``).
func key(_ n: UInt8) -> PrivateKey { TestKeys.small(n) }

/// A chain with DMT balances for `accounts` and (unless `create` is false) the market `cancer`.
struct Fixture {
    static let dmt = TokenID(unchecked: "DMT")
    static let start: UInt64 = 1_700_000_000

    /// Small, fast parameters: 10-token challenge stake, 5-token deposit, 10-minute windows,
    /// 50 % quorum and plurality, 50 % dispensation, council above 100 tokens.
    static let parameters = Parameters(
        challengeStake: tokens(10), applicationDeposit: tokens(5), voteBy: 600, quorum: 50, plurality: 50,
        dispensation: 50, councilThreshold: tokens(100), priceFloor: milli(10), priceSlope: 1_000_000_000_000,
        listReward: tokens(250), accessReward: tokens(1), defaultAccessCost: milli(1), makerPayment: 50,
        backendPayment: 25, resolveDeadline: 600, jobTimeout: 600)

    let chain: Chain
    let creator = key(1)
    let investors: [PrivateKey] = (10..<20).map { key($0) }
    let owners: [PrivateKey] = (30..<36).map { key($0) }
    let backend = key(50)
    let buyer = key(60)
    let mallory = key(66)
    let id: MarketID

    init(create: Bool = true, parameters: Parameters = Fixture.parameters) throws {
        id = try MarketID("cancer")
        let everyone = [creator] + investors + owners + [backend, buyer, mallory]
        var builder = TestChain(chainID: 5, start: Fixture.start)
        builder.fund(Fixture.dmt, everyone.map { ($0.address, tokens(1_000_000)) })
        chain = try builder.build(modules: [MarketModule.self], snapshotInterval: 0)
        if create {
            try send(.create(market: id, tokenName: "Cancer Market Token", networkToken: Fixture.dmt, parameters: parameters), from: creator)
        }
    }

    @discardableResult
    func send(_ call: MarketModule.Call, from key: PrivateKey) throws -> Receipt {
        try chain.send(call, to: MarketModule.self, from: key)
    }

    var market: Market { get throws { try chain.state(of: MarketModule.self).market(id) } }
    var marketToken: TokenID { id.tokenSymbol }
    var now: UInt64 { chain.state.timestamp }

    func dmt(_ a: PrivateKey) -> UInt256 { chain.state.ledger.balance(of: a.address, in: Fixture.dmt) }
    func mkt(_ a: PrivateKey) -> UInt256 { chain.state.ledger.balance(of: a.address, in: marketToken) }
    func held(_ escrow: UInt64) -> UInt256 { chain.state.ledger.escrows[escrow]?.held ?? .zero }

    func warp(_ seconds: UInt64) throws { try chain.warp(by: seconds) }

    /// The id of the newest open poll.
    var lastPoll: UInt64 { get throws { try market.nextPollID - 1 } }

    /// Makes each of `keys` invest `amount` and so (for the default amount) join the council.
    func invest(_ keys: [PrivateKey], amount: UInt256 = tokens(10)) throws {
        for k in keys { try send(.invest(market: id, offered: amount, minTokensOut: 0), from: k) }
    }

    /// Votes on `poll` (yea by `yea`, nay by `nay`), waits out the window and resolves it.
    @discardableResult
    func decide(_ poll: UInt64, yea: [PrivateKey], nay: [PrivateKey] = []) throws -> Receipt {
        for k in yea { try send(.vote(market: id, poll: poll, yea: true), from: k) }
        for k in nay { try send(.vote(market: id, poll: poll, yea: false), from: k) }
        try warp(600)
        return try send(.resolve(market: id, poll: poll), from: buyer)
    }

    /// The first three investors buy in and so form the council; returned.
    func seatCouncil() throws -> [PrivateKey] {
        let council = Array(investors.prefix(3))
        try invest(council)
        return council
    }

    /// ``seatCouncil()``, then the council authorises ``backend``; the council.
    func seatCouncilAndBackend() throws -> [PrivateKey] {
        let council = try seatCouncil()
        try authoriseBackend(council: council)
        return council
    }

    /// Authorises `backend` through a council poll decided by `council`.
    func authoriseBackend(council: [PrivateKey]) throws {
        try send(.proposeBackend(market: id, url: "https://dt.example/cancer", address: backend.address), from: creator)
        try decide(try lastPoll, yea: council)
    }

    /// Applies for `data` as `owner`, has the backend attest it, and lists it by `council` vote.
    @discardableResult
    func list(_ data: String, owner: PrivateKey, council: [PrivateKey]) throws -> Hash32 {
        let dataHash = Keccak256.hash(Array(data.utf8))
        try send(.apply(market: id, dataHash: dataHash), from: owner)
        let poll = try lastPoll
        let listing = Listing.id(applicant: owner.address, dataHash: dataHash)
        try send(.attest(market: id, listing: listing), from: backend)
        try decide(poll, yea: council)
        return listing
    }

    /// Every conservation and bookkeeping invariant; an empty list means all hold.
    func invariantViolations() -> [String] {
        var problems: [String] = []
        let ledger = chain.state.ledger
        // NetworkToken: Σ balances + Σ escrows = totalSupply.
        var sum = UInt256.zero
        for (k, v) in ledger.balances.sorted where k.token == Fixture.dmt { sum = (try? sum + v) ?? .max }
        for (_, e) in ledger.escrows.sorted where e.token == Fixture.dmt { sum = (try? sum + e.held) ?? .max }
        if sum != ledger.tokens[Fixture.dmt]?.totalSupply { problems.append("DMT not conserved: \(sum) vs supply") }
        guard let m = chain.state(of: MarketModule.self).markets[id] else { return problems }
        // MarketToken: supply = minted − burned = Σ balances + reward escrow.
        let supply = ledger.tokens[m.marketToken]?.totalSupply ?? .zero
        if (try? m.minted - m.burned) != supply { problems.append("MKT supply \(supply) != minted \(m.minted) - burned \(m.burned)") }
        var mktSum = held(m.rewardEscrow)
        var investorSum = UInt256.zero
        for (k, v) in ledger.balances.sorted where k.token == m.marketToken {
            mktSum = (try? mktSum + v) ?? .max
            if m.holderClass(of: k.account) == .investor { investorSum = (try? investorSum + v) ?? .max }
            if (v > m.parameters.councilThreshold) != m.isCouncilMember(k.account) { problems.append("council wrong for \(k.account)") }
        }
        if mktSum != supply { problems.append("MKT balances + escrow \(mktSum) != supply \(supply)") }
        if investorSum != m.investorSupply { problems.append("investorSupply \(m.investorSupply) != Σ investor balances \(investorSum)") }
        for (a, _) in m.council.sorted where ledger.balance(of: a, in: m.marketToken) <= m.parameters.councilThreshold {
            problems.append("stale council member \(a)")
        }
        // Escrows hold exactly what the market owes from them.
        var rewards = UInt256.zero, deposits = UInt256.zero, stakes = UInt256.zero, jobs = UInt256.zero
        for (_, l) in m.listings.sorted {
            rewards = (try? rewards + l.rewards) ?? .max
            deposits = (try? deposits + l.deposit) ?? .max
        }
        for (_, p) in m.polls.sorted {
            if case .application = p.kind { continue }  // its stake is the listing's deposit
            stakes = (try? stakes + p.stake) ?? .max
        }
        for (_, j) in m.jobs.sorted { jobs = (try? jobs + j.price) ?? .max }
        if held(m.rewardEscrow) != rewards { problems.append("reward escrow \(held(m.rewardEscrow)) != Σ rewards \(rewards)") }
        if held(m.stakeEscrow) != ((try? deposits + stakes) ?? .max) { problems.append("stake escrow \(held(m.stakeEscrow)) != deposits \(deposits) + stakes \(stakes)") }
        if held(m.computeEscrow) != jobs { problems.append("compute escrow \(held(m.computeEscrow)) != Σ job prices \(jobs)") }
        if let r = ledger.escrows[m.reserveEscrow], (try? r.deposited - r.released) != r.held {
            problems.append("reserve paid out more than it received")
        }
        return problems
    }
}
