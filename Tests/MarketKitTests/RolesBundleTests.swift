import Foundation
import Testing
import LedgerCore
import MarketKit

/// Two $Data (owners 0 and 1, weights 60/40) curated into a portfolio and a model on it priced at
/// 1,000,003 wei; `backend` plays the model host.
private struct BundleScene {
    let f: RolesFixture
    let dA: UInt64, dB: UInt64, p: UInt64, m: UInt64
    var host: PrivateKey { f.backend }

    init(price: UInt256 = 1_000_003) throws {
        f = try RolesFixture()
        (dA, dB, p, m) = try f.modelOnTwoData(weights: (6_000, 4_000), bonusPerUse: 0, modelByte: 7, price: price)
    }

    func buy(_ uses: UInt64, by user: PrivateKey, for seconds: UInt64 = 3_600) throws -> UseBundle {
        try f.send(.buyUseBundle(model: m, host: host.address, uses: uses, maxPrice: 1_000_003, expiresAt: f.now + seconds), from: user)
        return try f.roles.bundle(f.roles.nextBundleID - 1)
    }
}

@Test func bundleOfTenPaysRoyaltiesLikeTenSingleUsesToTheWei() throws {
    let s = try BundleScene()
    let single = try BundleScene()  // the same scene, paid use by use
    let user = s.f.users[0]
    let start = s.f.dmt(user)
    let b = try s.buy(10, by: user)
    #expect(s.f.dmt(user) == (try start - 10_000_030))
    #expect(s.f.held(b.escrow) == 10_000_030)
    try s.f.send(.reportBundleUses(bundle: b.id, count: 4), from: s.host)
    try s.f.send(.reportBundleUses(bundle: b.id, count: 6), from: s.host)
    for _ in 0..<10 { try single.f.send(.useModel(model: single.m, maxPrice: 1_000_003), from: single.f.users[0]) }

    // Curator floor(10 %) = 100,000; data pool 300,000 split 60/40; the owner the rest.
    #expect(s.f.dmt(s.f.curator) == (try start + 10 * 100_000))
    #expect(s.f.dmt(s.f.owners[0]) == (try start + 10 * 180_000))
    #expect(s.f.dmt(s.f.owners[1]) == (try start + 10 * 120_000))
    #expect(s.f.dmt(s.f.trainer) == (try start + 10 * 600_003))
    for k in [s.f.curator, s.f.trainer, s.f.owners[0], s.f.owners[1], user] { #expect(s.f.dmt(k) == single.f.dmt(k)) }
    #expect(s.f.held(b.escrow) == .zero)
    #expect(try s.f.roles.model(s.m).uses == 10)
    #expect(try s.f.roles.model(s.m).revenue == 10_000_030)
    #expect(s.f.roles.paidUses[AccountKey(s.m, user.address)] == 10)
    #expect(try s.f.roles.bundle(b.id).remaining == 0)
}

@Test func hostCannotReportMoreUsesThanTheBundleHolds() throws {
    let s = try BundleScene()
    let b = try s.buy(3, by: s.f.users[0])
    try s.f.send(.reportBundleUses(bundle: b.id, count: 2), from: s.host)
    #expect(throws: RolesError.bundleExhausted(bundle: b.id, remaining: 1, requested: 2)) {
        try s.f.send(.reportBundleUses(bundle: b.id, count: 2), from: s.host)
    }
    #expect(throws: RolesError.notBundleHost(bundle: b.id, caller: s.f.mallory.address, host: s.host.address)) {
        try s.f.send(.reportBundleUses(bundle: b.id, count: 1), from: s.f.mallory)
    }
    #expect(try s.f.roles.bundle(b.id).remaining == 1)
}

@Test func buyerIsRefundedUnreportedUsesOnlyAfterExpiry() throws {
    let s = try BundleScene()
    let user = s.f.users[1]
    let start = s.f.dmt(user)
    let b = try s.buy(5, by: user, for: 100)
    try s.f.send(.reportBundleUses(bundle: b.id, count: 2), from: s.host)
    #expect(throws: RolesError.bundleNotExpired(bundle: b.id, expiresAt: b.expiresAt, now: s.f.now)) {
        try s.f.send(.refundBundle(bundle: b.id), from: user)
    }
    try s.f.warp(101)
    #expect(throws: RolesError.bundleExpired(bundle: b.id, expiresAt: b.expiresAt, now: s.f.now)) {
        try s.f.send(.reportBundleUses(bundle: b.id, count: 1), from: s.host)
    }
    try s.f.send(.refundBundle(bundle: b.id), from: user)
    #expect(s.f.dmt(user) == (try start - 2 * 1_000_003))
    #expect(s.f.held(b.escrow) == .zero)
    #expect(throws: RolesError.bundleClosed(bundle: b.id)) { try s.f.send(.refundBundle(bundle: b.id), from: user) }
}

@Test func hostMayHandBackABundleBeforeExpiryButNobodyElseMay() throws {
    let s = try BundleScene()
    let user = s.f.users[2]
    let start = s.f.dmt(user)
    let b = try s.buy(4, by: user)
    #expect(throws: RolesError.notBundleParty(bundle: b.id, caller: s.f.mallory.address, buyer: user.address, host: s.host.address)) {
        try s.f.send(.refundBundle(bundle: b.id), from: s.f.mallory)
    }
    try s.f.send(.refundBundle(bundle: b.id), from: s.host)
    #expect(s.f.dmt(user) == start)
    #expect(throws: RolesError.bundleClosed(bundle: b.id)) { try s.f.send(.reportBundleUses(bundle: b.id, count: 1), from: s.host) }
}

@Test func bundlePriceIsFixedWhenBoughtAndCappedByMaxPrice() throws {
    let s = try BundleScene()
    let b = try s.buy(2, by: s.f.users[0])
    try s.f.send(.setPrice(model: s.m, pricePerUse: 2_000_000), from: s.f.trainer)
    let before = s.f.dmt(s.f.trainer)
    try s.f.send(.reportBundleUses(bundle: b.id, count: 2), from: s.host)
    #expect(s.f.dmt(s.f.trainer) == (try before + 2 * 600_003))
    #expect(throws: RolesError.priceAboveMaximum(model: s.m, price: 2_000_000, maxPrice: 1_000_003)) { _ = try s.buy(1, by: s.f.users[0]) }
    #expect(throws: RolesError.zeroAmount(field: "uses")) {
        try s.f.send(.buyUseBundle(model: s.m, host: s.host.address, uses: 0, maxPrice: 2_000_000, expiresAt: s.f.now + 10), from: s.f.users[0])
    }
}

/// Random reports, refunds and warps: the escrow pays out exactly `reported × price`, never more
/// than was bought, and the buyer gets back the rest.
@Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
func bundleNeverPaysForMoreUsesThanWereBought(seed: UInt64) throws {
    var rng = SplitMix64(seed: seed)
    let s = try BundleScene()
    let user = s.f.users[3]
    let start = s.f.dmt(user)
    let bought = 1 + rng.next() % 50
    let b = try s.buy(bought, by: user, for: 1_000)
    var accepted: UInt64 = 0
    for _ in 0..<30 {
        let n = 1 + rng.next() % 10
        if rng.next() % 5 == 0 { try s.f.warp(rng.next() % 200) }
        do {
            try s.f.send(.reportBundleUses(bundle: b.id, count: n), from: s.host)
            accepted += n
        } catch let e as RolesError {
            switch e {
            case .bundleExhausted, .bundleExpired: break
            default: Issue.record("unexpected refusal \(e)")
            }
        }
        #expect(accepted <= bought)
        #expect(try s.f.roles.bundle(b.id).reported == accepted)
    }
    try s.f.warp(1_001)
    if try s.f.roles.bundle(b.id).closed == false { try s.f.send(.refundBundle(bundle: b.id), from: user) }
    #expect(s.f.dmt(user) == (try start - UInt256(accepted) * 1_000_003))
    #expect(s.f.held(b.escrow) == .zero)
}
