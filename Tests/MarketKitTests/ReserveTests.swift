import Testing
import LedgerCore
@testable import MarketKit

@Suite struct ReserveTests {
    @Test func investMintsByTheCurveAndRespectsSlippage() throws {
        let f = try Fixture()
        let quote = try f.market.quoteInvestment(tokens(10))
        #expect(throws: MarketError.slippage(minTokensOut: try quote + 1, tokensOut: quote)) {
            try f.send(.invest(market: f.id, offered: tokens(10), minTokensOut: try quote + 1), from: f.investors[0])
        }
        try f.send(.invest(market: f.id, offered: tokens(10), minTokensOut: quote), from: f.investors[0])
        #expect(f.mkt(f.investors[0]) == quote)
        // 0.01·Δ + 10^-6·Δ²/2 = 10 DMT  ⇒  Δ = (−20000 + sqrt(4.8·10^8)) / 2 ≈ 954.45 tokens.
        #expect(quote > milli(954_450) && quote < milli(954_460))
        #expect(try f.market.investorSupply == quote)
        #expect(throws: MarketError.zeroAmount(field: "offered")) {
            try f.send(.invest(market: f.id, offered: 0, minTokensOut: 0), from: f.investors[0])
        }
    }

    @Test func anInvestmentThatMintsNothingIsRefused() throws {
        var p = Fixture.parameters
        p.priceFloor = try UInt256(decimalInteger: "1000000000000000000000000000000")
        let f = try Fixture(parameters: p)
        #expect(throws: MarketError.investmentTooSmall(offered: 1)) {
            try f.send(.invest(market: f.id, offered: 1, minTokensOut: 0), from: f.investors[0])
        }
    }

    @Test func divestPaysTheFlooredShareAndLeavesTheRemainderInTheReserve() throws {
        let f = try Fixture()
        try f.invest([f.investors[0]], amount: tokens(10))
        try f.invest([f.investors[1]], amount: 7_777_777)
        let m = try f.market
        let t1 = f.mkt(f.investors[1])
        let reserve = f.held(m.reserveEscrow)
        let (payout, _) = try UInt256.multiplyThenDivide(t1, reserve, m.investorSupply)
        #expect(throws: MarketError.payoutBelowMinimum(minPayout: try payout + 1, payout: payout)) {
            try f.send(.divest(market: f.id, minPayout: try payout + 1), from: f.investors[1])
        }
        let before = f.dmt(f.investors[1])
        try f.send(.divest(market: f.id, minPayout: payout), from: f.investors[1])
        #expect(f.dmt(f.investors[1]) == (try before + payout))
        #expect(f.held(m.reserveEscrow) == (try reserve - payout))
        #expect(throws: MarketError.nothingToDivest(account: f.investors[1].address)) {
            try f.send(.divest(market: f.id, minPayout: 0), from: f.investors[1])
        }
        #expect(throws: MarketError.notInvestor(account: f.mallory.address)) {
            try f.send(.divest(market: f.id, minPayout: 0), from: f.mallory)
        }
        // The last investor takes the whole reserve.
        try f.send(.divest(market: f.id, minPayout: 0), from: f.investors[0])
        #expect(f.held(m.reserveEscrow) == .zero)
        #expect(f.invariantViolations() == [])
    }

    @Test func ownersAndInvestorsStayInTheirClasses() throws {
        let f = try Fixture()
        try f.send(.apply(market: f.id, dataHash: Keccak256.hash([1])), from: f.owners[0])
        #expect(throws: MarketError.dataOwnerCannotInvest(account: f.owners[0].address)) {
            try f.send(.invest(market: f.id, offered: tokens(1), minTokensOut: 0), from: f.owners[0])
        }
        #expect(throws: MarketError.dataOwnerCannotInvest(account: f.owners[0].address)) {
            try f.send(.divest(market: f.id, minPayout: 0), from: f.owners[0])
        }
        try f.invest([f.investors[0]])
        #expect(throws: MarketError.investorCannotOwnListings(account: f.investors[0].address)) {
            try f.send(.apply(market: f.id, dataHash: Keccak256.hash([2])), from: f.investors[0])
        }
        #expect(throws: MarketError.notDataOwner(account: f.investors[0].address)) {
            try f.send(.convertToInvestor(market: f.id), from: f.investors[0])
        }
    }

    @Test func convertingHandsListingsToTheMarketIrreversibly() throws {
        let f = try Fixture()
        let council = try f.seatCouncilAndBackend()
        let id = try f.list("mine", owner: f.owners[0], council: council)
        // Earn some MarketToken through a reported access.
        try f.send(.payForCompute(market: f.id, listings: [id], maxPrice: tokens(1), backend: f.backend.address), from: f.buyer)
        try f.send(.reportJob(market: f.id, job: try f.market.nextJobID - 1, listings: [id]), from: f.backend)
        #expect(f.mkt(f.owners[0]) == tokens(1))
        // An open poll on one of the owner's listings blocks conversion.
        try f.send(.apply(market: f.id, dataHash: Keccak256.hash([9])), from: f.owners[0])
        let pending = Listing.id(applicant: f.owners[0].address, dataHash: Keccak256.hash([9]))
        #expect(throws: MarketError.ownerHasOpenPoll(account: f.owners[0].address, listing: pending, poll: try f.lastPoll)) {
            try f.send(.convertToInvestor(market: f.id), from: f.owners[0])
        }
        try f.warp(1201)
        try f.send(.expire(market: f.id, poll: try f.lastPoll), from: f.buyer)
        let before = f.dmt(f.owners[0])
        let supply = try f.market.investorSupply
        try f.send(.convertToInvestor(market: f.id), from: f.owners[0])
        let m = try f.market
        #expect(m.listings[id]?.owner == nil)
        #expect(m.listings[id]?.listed == true)
        #expect(m.marketOwnedListed == 1)
        #expect(f.dmt(f.owners[0]) == (try before + tokens(5)))  // deposit refunded
        #expect(m.holderClass(of: f.owners[0].address) == .investor)
        #expect(m.investorSupply == (try supply + tokens(1)))
        #expect(throws: MarketError.investorCannotOwnListings(account: f.owners[0].address)) {
            try f.send(.apply(market: f.id, dataHash: Keccak256.hash([3])), from: f.owners[0])
        }
        #expect(throws: MarketError.notListingOwner(listing: id, caller: f.owners[0].address, owner: nil)) {
            try f.send(.exit(market: f.id, listing: id), from: f.owners[0])
        }
        try f.send(.divest(market: f.id, minPayout: 0), from: f.owners[0])
        #expect(f.invariantViolations() == [])
    }

    @Test func marketTokenCannotMoveOutsideTheMarket() throws {
        let f = try Fixture()
        try f.invest([f.investors[0]])
        #expect(throws: LedgerError.moduleBoundToken(token: f.marketToken, minter: .module("market"), operation: "transfer")) {
            try f.chain.send(.transfer(token: f.marketToken, to: f.mallory.address, amount: 1), to: LedgerModule.self, from: f.investors[0])
        }
    }
}

@Suite struct PriceCurveTests {
    static let floor: UInt256 = 10_000_000_000_000_000
    static let slope: UInt256 = 1_000_000_000_000

    @Test func integerSquareRootIsExact() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let a = UInt256(littleEndianLimbs: (rng.next(), rng.next(), rng.next() >> 1, rng.next() >> UInt64.random(in: 1...63, using: &rng)))
            let b = UInt256(littleEndianLimbs: (rng.next(), rng.next() >> UInt64.random(in: 0...63, using: &rng), 0, 0))
            let c = UInt256(rng.next())
            let r = try PriceCurve.isqrtOfSum(a, a, b, c)
            // r² ≤ a² + b·c < (r+1)²
            let r2 = r.multipliedFullWidth(by: r)
            let r1 = try r + 1
            let next = r1.multipliedFullWidth(by: r1)
            let n1 = a.multipliedFullWidth(by: a), n2 = b.multipliedFullWidth(by: c)
            let (lo, carry) = add(n1.low, n2.low)
            let hi = try n1.high + n2.high + (carry ? 1 : 0)
            #expect(less(r2, (hi, lo)) || (r2.high == hi && r2.low == lo))
            #expect(less((hi, lo), next))
        }
        #expect(try PriceCurve.isqrtOfSum(0, 0, 0, 0) == 0)
        #expect(try PriceCurve.isqrtOfSum(3, 3, 7, 1) == 4)   // sqrt(16)
        #expect(try PriceCurve.isqrtOfSum(3, 3, 6, 1) == 3)   // sqrt(15)
    }

    @Test func aLargePurchaseGetsExactlyWhatTheSameAmountSplitGets() throws {
        var rng = SplitMix64(seed: 2024)
        for _ in 0..<3000 {
            let floor = UInt256(UInt64.random(in: 1...1_000_000_000_000_000_000, using: &rng))
            let slope = rng.next() % 4 == 0 ? UInt256.zero : UInt256(UInt64.random(in: 0...1_000_000_000_000_000_000, using: &rng))
            let supply = UInt256(rng.next()).multipliedFullWidth(by: UInt256(UInt64.random(in: 0...1_000_000_000, using: &rng))).low
            let carry = UInt256(rng.next() % 1_000_000)
            let parts = Int.random(in: 2...6, using: &rng)
            let amounts = (0..<parts).map { _ in UInt256(UInt64.random(in: 1...10_000_000_000_000_000_000, using: &rng)) }
            var total = UInt256.zero
            for a in amounts { total = try total + a }
            let single = try PriceCurve.purchase(offered: total, supply: supply, carry: carry, floor: floor, slope: slope)
            var s = supply, c = carry, minted = UInt256.zero
            for a in amounts {
                let p = try PriceCurve.purchase(offered: a, supply: s, carry: c, floor: floor, slope: slope)
                s = try s + p.tokens
                c = p.carry
                minted = try minted + p.tokens
            }
            #expect(single.tokens == minted)
            #expect(single.carry == c)
        }
    }

    @Test func theCurveMintsTheLargestAffordableAmountAndNeverMore() throws {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<2000 {
            let supply = UInt256(rng.next())
            let offered = UInt256(rng.next())
            let p = try PriceCurve.purchase(offered: offered, supply: supply, carry: 0, floor: Self.floor, slope: Self.slope)
            let b = try UInt256.oneToken * Self.floor + Self.slope * supply
            let budget = try offered * PriceCurve.scale
            #expect(try PriceCurve.cost(p.tokens, b: b, slope: Self.slope) <= budget)
            #expect(try PriceCurve.cost(p.tokens + 1, b: b, slope: Self.slope) > budget)
        }
    }

    @Test func spotPriceRisesWithInvestorSupply() throws {
        #expect(try PriceCurve.spotPrice(supply: 0, floor: Self.floor, slope: Self.slope) == Self.floor)
        // 1000 tokens of supply add 1000 · 10^-6 DMT = 10^15 wei.
        #expect(try PriceCurve.spotPrice(supply: tokens(1000), floor: Self.floor, slope: Self.slope) == (try Self.floor + 1_000_000_000_000_000))
        #expect(try PriceCurve.spotPrice(supply: 1, floor: Self.floor, slope: Self.slope) == (try Self.floor + 1))  // rounded up
    }

    private func add(_ a: UInt256, _ b: UInt256) -> (UInt256, Bool) {
        if let s = try? a + b { return (s, false) }
        let wrapped = (try? a - ((try? UInt256.max - b) ?? .zero) - 1) ?? .zero
        return (wrapped, true)
    }

    private func less(_ a: (high: UInt256, low: UInt256), _ b: (high: UInt256, low: UInt256)) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }
}
