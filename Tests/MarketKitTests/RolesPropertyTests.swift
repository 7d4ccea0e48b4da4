import Foundation
import Testing
import LedgerCore
import MarketKit

/// Random weights in basis points over `n` entries summing to exactly 10,000, each ≥ 1.
private func randomWeights(_ n: Int, _ rng: inout SplitMix64) -> [UInt64] {
    // n − 1 distinct cut points in 1..<10000 split the range into n positive parts.
    var cuts = Set<UInt64>()
    while cuts.count < n - 1 { cuts.insert(1 + rng.next() % 9_999) }
    let sorted = [0] + cuts.sorted() + [10_000]
    return (1..<sorted.count).map { sorted[$0] - sorted[$0 - 1] }
}

/// A random amount: sometimes tiny, sometimes near 2^256.
private func randomAmount(_ rng: inout SplitMix64) -> UInt256 {
    switch rng.next() % 4 {
    case 0: return UInt256(rng.next() % 100)
    case 1: return UInt256(rng.next())
    case 2: return UInt256(littleEndianLimbs: (rng.next(), rng.next(), rng.next() % 1_000, 0))
    default: return UInt256(littleEndianLimbs: (rng.next(), rng.next(), rng.next(), rng.next()))
    }
}

@Test(arguments: [1, 2, 3, 4] as [UInt64])
func everyUseSplitSumsExactlyToThePayment(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let bp = UInt256(10_000)
    for _ in 0..<2_000 {
        let price = randomAmount(&rng)
        let c = rng.next() % 10_001
        let d = rng.next() % (10_001 - c)
        let n = 1 + Int(rng.next() % 64)
        let weights = randomWeights(n, &rng)
        let entries = weights.enumerated().map { PortfolioEntry(data: UInt64($0.offset + 1), weight: $0.element) }
        let hasCurator = rng.next() % 4 != 0
        let split = try UseSplit.split(price: price, curatorShareBP: c, dataShareBP: d, entries: entries, hasCurator: hasCurator)
        #expect(split.total == price, "seed \(seed): parts do not sum to \(price)")
        // Each part is its exact floored share; the owner keeps at least its own share.
        let curator = hasCurator ? try UInt256.multiplyThenDivide(price, UInt256(c), bp).quotient : .zero
        let pool = try UInt256.multiplyThenDivide(price, UInt256(d), bp).quotient
        #expect(split.curator == curator)
        for (e, part) in zip(entries, split.dataOwners) {
            #expect(part.amount == (try UInt256.multiplyThenDivide(pool, UInt256(e.weight), bp).quotient))
        }
        // The owner gets its own floored share plus the remainders: less than one wei per
        // floor taken (n + 2 floors), plus the curator share when there is no curator.
        let ownerShare = try UInt256.multiplyThenDivide(price, UInt256(10_000 - c - d), bp).quotient
        let curatorShare = try UInt256.multiplyThenDivide(price, UInt256(c), bp).quotient
        let slack = try split.modelOwner - ownerShare - (hasCurator ? .zero : curatorShare)
        #expect(slack <= UInt256(UInt64(n) + 2))
    }
}

@Test(arguments: [11, 12] as [UInt64])
func onChainModelUsesMoveExactlyThePriceAndConserveTheToken(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let f = try RolesFixture()
    let supply = f.chain.state.ledger.tokens[RolesFixture.dmt]?.totalSupply
    // Six referenceable $Data, several owned by the same person.
    let data = try (0..<6).map { i in try f.mint("data \(i)", owner: f.owners[Int(rng.next() % 3)], referenceable: true) }
    var models: [UInt64] = []
    for round in 0..<4 {
        let n = 1 + Int(rng.next() % 6)
        let chosen = Array(data.shuffled(using: &rng).prefix(n))
        let weights = randomWeights(n, &rng)
        try f.send(.createPortfolio(entries: zip(chosen, weights).map { PortfolioEntry(data: $0, weight: $1) },
                                    bonusToken: RolesFixture.dmt, bonusPerUse: 0, name: nil), from: f.curator)
        let source: TrainingSource = round % 2 == 0 ? .portfolio(f.lastNFT) : .data(chosen[0])
        try f.send(.mintModel(modelHash: Keccak256.hash([UInt8(round)]), trainedOn: source, bounty: nil, paymentToken: RolesFixture.dmt,
                              pricePerUse: UInt256(1 + rng.next() % 10_000_000_000), name: nil), from: f.trainer)
        models.append(f.lastNFT)
    }
    let everyone = f.owners + [f.curator, f.trainer] + f.users
    for _ in 0..<40 {
        let m = models[Int(rng.next() % UInt64(models.count))]
        let user = f.users[Int(rng.next() % UInt64(f.users.count))]
        if rng.next() % 3 == 0 {
            try f.send(.setPrice(model: m, pricePerUse: UInt256(1 + rng.next() % 10_000_000_000)), from: f.trainer)
        }
        let price = try f.roles.model(m).pricePerUse
        let before = everyone.map { f.dmt($0) }
        try f.send(.useModel(model: m, maxPrice: price), from: user)
        let after = everyone.map { f.dmt($0) }
        var gained = UInt256.zero
        for (b, a) in zip(before, after) where a > b { gained = try gained + (try a - b) }
        let userIndex = everyone.firstIndex { $0.address == user.address } ?? 0
        #expect(try before[userIndex] - after[userIndex] == price)
        #expect(gained == price, "seed \(seed): recipients gained \(gained), user paid \(price)")
    }
    #expect(f.chain.state.ledger.tokens[RolesFixture.dmt]?.totalSupply == supply)
}

@Test(arguments: [21, 22, 23, 24, 25, 26, 27, 28] as [UInt64])
func pureAccrualNeverPaysMoreThanHeldOrAccrued(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    for _ in 0..<5_000 {
        let start = rng.next() % 1_000
        let checkpoint: UInt64? = rng.next() % 2 == 0 ? nil : rng.next() % 2_000
        let now = rng.next() % 3_000
        let endsAt = rng.next() % 3_000
        let rate = UInt256(1 + rng.next() % 1_000_000)
        let held = randomAmount(&rng)
        guard let c = try RewardAccrual.claim(start: start, checkpoint: checkpoint, now: now, endsAt: endsAt, rate: rate, held: held) else {
            #expect(min(now, endsAt) <= max(start, checkpoint ?? 0))
            continue
        }
        #expect(c.amount <= held)
        #expect(c.amount == (try rate * UInt256(c.seconds)))
        #expect(c.seconds <= c.to - c.from)
        #expect(c.checkpoint <= min(now, endsAt))
        // Paid in full when the pool can afford it.
        if (try? rate * UInt256(c.to - c.from)).map({ $0 <= held }) == true { #expect(c.seconds == c.to - c.from) }
    }
}

@Test(arguments: [31, 32, 33] as [UInt64])
func poolRewardsNeverExceedWhatWasFunded(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let f = try RolesFixture()
    let owners = Array(f.owners.prefix(3))
    var tokensByOwner: [(PrivateKey, UInt64)] = []
    for (i, o) in owners.enumerated() { tokensByOwner.append((o, try f.listAndMint("rows \(i)", owner: o))) }
    let rate = UInt256(1 + rng.next() % 5_000)
    let duration = 2_000 + rng.next() % 6_000
    let initial = try rate * UInt256(rng.next() % 3_000)
    try f.send(.createPool(token: RolesFixture.dmt, market: f.id, dataRatePerSecond: rate, portfolioRatePerSecond: 0,
                           endsAt: f.now + duration, funding: initial), from: f.sponsor)
    let pool = try f.roles.pool(1)
    var funded = initial
    var claimed = [UInt256](repeating: .zero, count: owners.count)
    for _ in 0..<150 {
        switch rng.next() % 4 {
        case 0: try f.warp(rng.next() % 400)
        case 1:
            let amount = UInt256(rng.next() % 2_000_000)
            do {
                try f.send(.fundPool(pool: 1, amount: amount), from: f.users[Int(rng.next() % 3)])
                funded = try funded + amount
            } catch let e as RolesError {
                switch e {
                case .poolEnded, .zeroAmount: break
                default: Issue.record("unexpected \(e)")
                }
            }
        default:
            let i = Int(rng.next() % UInt64(owners.count))
            let (o, nft) = tokensByOwner[i]
            let before = f.dmt(o)
            do {
                try f.send(.claim(pool: 1, nft: nft), from: o)
                claimed[i] = try claimed[i] + (try f.dmt(o) - before)
            } catch let e as RolesError {
                switch e {
                case .nothingToClaim, .poolExhausted: break
                default: Issue.record("unexpected \(e)")
                }
            }
        }
        let p = try f.roles.pool(1)
        let total = try claimed.reduce(UInt256.zero) { try $0 + $1 }
        #expect(p.funded == funded)
        #expect(p.paid == total)
        #expect(p.paid <= p.funded, "seed \(seed): paid \(p.paid) > funded \(p.funded)")
        #expect(f.held(pool.escrow) == (try p.funded - p.paid))
        // No token is paid more than its rate over the time it could accrue.
        let accruable = try rate * UInt256(min(f.now, pool.endsAt) - pool.startsAt)
        for c in claimed { #expect(c <= accruable) }
    }
}

@Test(arguments: [41, 42] as [UInt64])
func modelScoreIsTheFlooredWeightedMeanInHundredths(seed: UInt64) throws {
    #expect(ModelScore.compute([]) == nil)
    #expect(ModelScore.compute([(3, 1)])?.hundredths == 300)
    #expect(ModelScore.compute([(5, 1), (4, 2)])?.hundredths == 433)  // 1300 / 3 = 433.3
    var rng = SplitMix64(seed: seed)
    for _ in 0..<2_000 {
        let n = 1 + Int(rng.next() % 40)
        let ratings = (0..<n).map { _ in (rating: UInt8(1 + rng.next() % 5), weight: 1 + rng.next() % 1_000) }
        guard let s = ModelScore.compute(ratings) else { Issue.record("no score for \(n) ratings"); continue }
        let num = ratings.reduce(UInt64(0)) { $0 + UInt64($1.rating) * $1.weight }
        let den = ratings.reduce(UInt64(0)) { $0 + $1.weight }
        #expect(s.hundredths == num * 100 / den)
        let lo = UInt64(ratings.map(\.rating).min() ?? 1) * 100, hi = UInt64(ratings.map(\.rating).max() ?? 5) * 100
        #expect((lo...hi).contains(s.hundredths))
    }
}
