import Testing
@testable import LedgerCore

/// Payment streams: the vesting formula, claims, cancellation and every refusal.
@Suite struct StreamTests {
    let alice = Fixture.alice, bob = Fixture.bob, carol = Fixture.carol, dmt = Fixture.dmt
    let t0 = Fixture.start

    /// Alice streams 1001 DMT to bob over [t0 + 100, t0 + 1100] (stream 1).
    func opened() throws -> (Chain, ManualClock) {
        let clock = ManualClock(Fixture.start)
        let chain = try Fixture.chain(clock: clock)
        try chain.send(.openStream(payee: bob.address, token: dmt, amount: 1001, start: t0 + 100, end: t0 + 1100), to: LedgerModule.self, from: alice)
        return (chain, clock)
    }

    /// Moves the chain to exactly `t`.
    func move(_ chain: Chain, _ clock: ManualClock, to t: UInt64) throws {
        try chain.warp(by: t - clock.now())
        #expect(chain.state.timestamp == t)
    }

    @Test func vestedFollowsTheFloorFormula() throws {
        let (chain, _) = try opened()
        let s = try #require(chain.state.ledger.streams[1])
        #expect(s.vested(at: t0) == 0)
        #expect(s.vested(at: t0 + 100) == 0)  // at start
        #expect(s.vested(at: t0 + 101) == 1)  // floor(1001 · 1 / 1000)
        #expect(s.vested(at: t0 + 433) == 333)  // floor(1001 · 333 / 1000) = floor(333.333)
        #expect(s.vested(at: t0 + 600) == 500)  // floor(500.5)
        #expect(s.vested(at: t0 + 1099) == 999)  // floor(999.999)
        #expect(s.vested(at: t0 + 1100) == 1001)  // at end: everything
        #expect(s.vested(at: .max) == 1001)
        #expect(s.locked == 1001)
        expectSupplyConserved(chain)
    }

    @Test func vestedIsExactForHugeAmounts() throws {
        let s = PaymentStream(id: 1, payer: address(1), payee: address(2), token: dmt, amount: .max, start: 0, end: 3,
                              claimed: 0, refunded: 0, cancelledAt: nil)
        // floor((2^256 − 1) / 3) and floor(2 · (2^256 − 1) / 3), without overflow.
        let third = try UInt256.max.dividedReportingRemainder(by: 3).quotient
        #expect(s.vested(at: 1) == third)
        #expect(s.vested(at: 2) == (try third + third))
        #expect(s.vested(at: 3) == .max)
    }

    @Test func payeeClaimsExactlyTheVestedPartAtStartMiddleAndEnd() throws {
        let (chain, clock) = try opened()
        try move(chain, clock, to: t0 + 100)
        try expectRefused(LedgerError.nothingToClaim(id: 1), on: chain) {
            try chain.send(.claimStream(id: 1), to: LedgerModule.self, from: bob)
        }
        try move(chain, clock, to: t0 + 433)
        let r = try chain.send(.claimStream(id: 1), to: LedgerModule.self, from: bob)
        #expect(r.events.first?[field: "amount"] == "333")
        #expect(chain.state.ledger.balance(of: bob.address, in: dmt) == 1333)
        try expectRefused(LedgerError.nothingToClaim(id: 1), on: chain) {
            try chain.send(.claimStream(id: 1), to: LedgerModule.self, from: bob)
        }
        try move(chain, clock, to: t0 + 5000)
        try chain.send(.claimStream(id: 1), to: LedgerModule.self, from: bob)
        #expect(chain.state.ledger.balance(of: bob.address, in: dmt) == 2001)
        #expect(chain.state.ledger.streams[1]?.isClosed == true)
        try expectRefused(LedgerError.streamClosed(id: 1), on: chain) {
            try chain.send(.claimStream(id: 1), to: LedgerModule.self, from: bob)
        }
        expectSupplyConserved(chain)
    }

    @Test func aStrangerCannotClaimAndThePayeeCannotCancel() throws {
        let (chain, clock) = try opened()
        try move(chain, clock, to: t0 + 600)
        try expectRefused(LedgerError.notStreamParty(id: 1, caller: carol.address, expected: bob.address), on: chain) {
            try chain.send(.claimStream(id: 1), to: LedgerModule.self, from: carol)
        }
        try expectRefused(LedgerError.notStreamParty(id: 1, caller: alice.address, expected: bob.address), on: chain) {
            try chain.send(.claimStream(id: 1), to: LedgerModule.self, from: alice)
        }
        try expectRefused(LedgerError.notStreamParty(id: 1, caller: bob.address, expected: alice.address), on: chain) {
            try chain.send(.cancelStream(id: 1), to: LedgerModule.self, from: bob)
        }
        try expectRefused(LedgerError.unknownStream(2), on: chain) {
            try chain.send(.claimStream(id: 2), to: LedgerModule.self, from: bob)
        }
    }

    @Test func cancelPaysTheVestedRestAndRefundsTheUnvested() throws {
        let (chain, clock) = try opened()
        try move(chain, clock, to: t0 + 433)
        try chain.send(.claimStream(id: 1), to: LedgerModule.self, from: bob)  // 333
        try move(chain, clock, to: t0 + 600)  // vested 500
        let r = try chain.send(.cancelStream(id: 1), to: LedgerModule.self, from: alice)
        #expect(r.events.first?[field: "paidToPayee"] == "167")
        #expect(r.events.first?[field: "refundedToPayer"] == "501")
        #expect(chain.state.ledger.balance(of: bob.address, in: dmt) == 1500)
        #expect(chain.state.ledger.balance(of: alice.address, in: dmt) == 999_500)
        let s = try #require(chain.state.ledger.streams[1])
        #expect((s.claimed, s.refunded, s.locked, s.cancelledAt) == (500, 501, 0, t0 + 600))
        try move(chain, clock, to: t0 + 2000)
        #expect(s.vested(at: t0 + 2000) == 500)  // vesting stops at cancellation
        try expectRefused(LedgerError.streamClosed(id: 1), on: chain) {
            try chain.send(.claimStream(id: 1), to: LedgerModule.self, from: bob)
        }
        try expectRefused(LedgerError.streamClosed(id: 1), on: chain) {
            try chain.send(.cancelStream(id: 1), to: LedgerModule.self, from: alice)
        }
        expectSupplyConserved(chain)
    }

    @Test func cancelBeforeStartRefundsEverything() throws {
        let (chain, _) = try opened()
        try chain.send(.cancelStream(id: 1), to: LedgerModule.self, from: alice)
        #expect(chain.state.ledger.balance(of: alice.address, in: dmt) == 1_000_000)
        #expect(chain.state.ledger.balance(of: bob.address, in: dmt) == 1000)
    }

    @Test func openRefusesZeroAmountBadWindowsAndMissingFunds() throws {
        let chain = try Fixture.chain()
        try expectRefused(LedgerError.zeroAmount(field: "amount"), on: chain) {
            try chain.send(.openStream(payee: bob.address, token: dmt, amount: 0, start: t0, end: t0 + 1), to: LedgerModule.self, from: alice)
        }
        try expectRefused(LedgerError.invalidStreamWindow(start: t0 - 1, end: t0 + 10, now: t0), on: chain) {
            try chain.send(.openStream(payee: bob.address, token: dmt, amount: 1, start: t0 - 1, end: t0 + 10), to: LedgerModule.self, from: alice)
        }
        try expectRefused(LedgerError.invalidStreamWindow(start: t0 + 10, end: t0 + 10, now: t0), on: chain) {
            try chain.send(.openStream(payee: bob.address, token: dmt, amount: 1, start: t0 + 10, end: t0 + 10), to: LedgerModule.self, from: alice)
        }
        try expectRefused(LedgerError.insufficientBalance(token: dmt, account: bob.address, balance: 1000, needed: 1001), on: chain) {
            try chain.send(.openStream(payee: carol.address, token: dmt, amount: 1001, start: t0, end: t0 + 10), to: LedgerModule.self, from: bob)
        }
        try expectRefused(LedgerError.unknownToken(token("NOPE")), on: chain) {
            try chain.send(.openStream(payee: carol.address, token: token("NOPE"), amount: 1, start: t0, end: t0 + 10), to: LedgerModule.self, from: bob)
        }
    }

    @Test func randomClaimTimesNeverLoseOrCreateAUnit() throws {
        var rng = SplitMix64(seed: 0x57AE)
        for _ in 0..<500 {
            let amount = UInt256(UInt64.random(in: 1...1_000_000_007, using: &rng))
            let duration = UInt64.random(in: 1...10_000, using: &rng)
            var s = PaymentStream(id: 1, payer: address(1), payee: address(2), token: dmt, amount: amount, start: 100, end: 100 + duration,
                                  claimed: 0, refunded: 0, cancelledAt: nil)
            var t: UInt64 = 0
            var previous = UInt256.zero
            while t < 100 + duration + 5 {
                t += UInt64.random(in: 1...max(1, duration / 4), using: &rng)
                let v = s.vested(at: t)
                #expect(v >= previous && v <= amount)  // monotone, bounded
                previous = v
                s.claimed = v
            }
            #expect(s.claimed == amount)  // all of it by the end, none lost to rounding
        }
    }
}
