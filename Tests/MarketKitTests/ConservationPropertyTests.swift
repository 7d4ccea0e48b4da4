import Testing
import LedgerCore
import MarketKit

/// Thousands of random market operations: whatever is accepted or refused, tokens are
/// conserved, every escrow holds exactly what the market owes from it, and the reserve never
/// pays out more than it received.
@Test(arguments: [UInt64(1), 2, 3])
func randomOperationsConserveEveryToken(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let f = try Fixture()
    let people = f.investors + f.owners + [f.mallory, f.buyer]
    try f.invest(Array(f.investors.prefix(3)))
    try f.authoriseBackend(council: Array(f.investors.prefix(3)))
    var dataCounter: UInt64 = 0
    var accepted = 0
    for step in 0..<700 {
        let m = try f.market
        let who = people[Int(rng.next() % UInt64(people.count))]
        let listingIDs = m.listings.keys
        let pollIDs = m.polls.keys
        let jobIDs = m.jobs.keys
        func pick<T>(_ xs: [T]) -> T? { xs.isEmpty ? nil : xs[Int(rng.next() % UInt64(xs.count))] }
        let call: MarketModule.Call?
        switch rng.next() % 16 {
        case 0, 1: call = .invest(market: f.id, offered: UInt256(rng.next() % 10_000_000_000_000_000_000 + 1), minTokensOut: 0)
        case 2: call = .divest(market: f.id, minPayout: 0)
        case 3, 4:
            dataCounter += 1
            call = .apply(market: f.id, dataHash: Keccak256.hash(Array("data \(dataCounter % 40)".utf8)))
        case 5: call = pick(listingIDs).map { .challenge(market: f.id, listing: $0) }
        case 6, 7: call = pick(pollIDs).map { .vote(market: f.id, poll: $0, yea: rng.next() % 3 != 0) }
        case 8: call = pick(pollIDs).map { .resolve(market: f.id, poll: $0) }
        case 9: call = pick(pollIDs).map { .expire(market: f.id, poll: $0) }
        case 10: call = pick(listingIDs).map { .exit(market: f.id, listing: $0) }
        case 11:
            let ls = listingIDs.filter { _ in rng.next() % 2 == 0 }
            call = .payForCompute(market: f.id, listings: rng.next() % 3 == 0 ? nil : ls, maxPrice: tokens(100), backend: f.backend.address)
        case 12:
            if let j = pick(jobIDs), let job = m.jobs[j] {
                let touched = (job.listings ?? listingIDs).filter { _ in rng.next() % 2 == 0 }
                _ = try? f.send(.reportJob(market: f.id, job: j, listings: touched), from: f.backend)
            }
            call = nil
        case 13: call = pick(jobIDs).map { .refundJob(market: f.id, job: $0) }
        case 14:
            if rng.next() % 8 == 0 { call = .convertToInvestor(market: f.id) }
            else { call = pick(listingIDs).map { .setAccessCost(market: f.id, listing: $0, cost: UInt256(rng.next() % 1_000_000_000_000_000_000)) } }
        default:
            if rng.next() % 4 == 0 {
                _ = try? f.send(.attest(market: f.id, listing: pick(listingIDs) ?? .zero), from: f.backend)
                call = nil
            } else {
                try f.warp(rng.next() % 500)
                call = nil
            }
        }
        if let call {
            do {
                try f.send(call, from: who)
                accepted += 1
            } catch {
                #expect(error is MarketError, "step \(step): unexpected \(error)")
            }
        }
        if step % 10 == 0 {
            let problems = f.invariantViolations()
            #expect(problems == [], "seed \(seed) step \(step)")
            if !problems.isEmpty { return }
        }
    }
    #expect(accepted > 150)
    #expect(f.invariantViolations() == [])
    _ = try f.chain.verify()
}
