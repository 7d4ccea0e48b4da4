import DataMarketTesting
import Foundation
import LedgerCore
import MarketKit
import Testing
import DatatrustKit

/// What every ``DatatrustStore`` promises, checked against each backend with the same
/// assertions: SQLite and PostgreSQL (see Support/IndexBackends.swift for when that one runs).
/// Several handles onto one index stand for several datatrust servers sharing it.
@Suite struct DatatrustStoreContractTests {
    static let heart = Fixture.heartMarket
    static let open = Fixture.openMarket
    static let owner = address(0x11)
    static let buyer = address(0x22)

    static func address(_ byte: UInt8) -> Address { (try? Address(bytes: [UInt8](repeating: byte, count: 20))) ?? Address.zero }
    static func hash(_ i: Int) -> Hash32 { Keccak256.hash(Array("datapoint \(i)".utf8)) }
    static func record(_ i: Int, market: MarketID = heart, rows: Int = 3, created: Int64 = 1_000) -> DatapointRecord {
        DatapointRecord(market: market, dataHash: hash(i), owner: owner, size: Int64(100 + i), rowCount: rows, created: created)
    }

    static func charge(_ job: UInt64, market: MarketID = heart, milli: UInt64 = 0, budget: UInt64 = 0, listings: [Hash32] = []) -> QueryCharge {
        QueryCharge(market: market, job: job, milliEpsilon: milli, budgetMilliEpsilon: budget, listings: listings)
    }

    // MARK: - Datapoints

    @Test(arguments: IndexBackend.all)
    func anInsertIsIndexedOnceAndQueuesItsAttestationInTheSameCommit(_ backend: IndexBackend) async throws {
        let place = try IndexPlace(backend)
        defer { place.remove() }
        let store = try await place.open()
        let entry = try await store.insert(Self.record(1))
        #expect(entry.action == .attest(dataHash: Self.hash(1)) && entry.market == Self.heart && entry.isPending)
        #expect(try await store.datapoint(market: Self.heart, dataHash: Self.hash(1)) == Self.record(1))
        #expect(try await store.datapoint(market: Self.open, dataHash: Self.hash(1)) == nil)
        await #expect(throws: StoreError.duplicate(market: Self.heart, dataHash: Self.hash(1))) {
            try await store.insert(Self.record(1, rows: 9))
        }
        // The same bytes in another market are another datapoint with an attestation of their own.
        let other = try await store.insert(Self.record(1, market: Self.open))
        #expect(other.id != entry.id)
        #expect(try await store.attestationEntry(market: Self.heart, dataHash: Self.hash(1)) == entry)
        #expect(try await store.pendingOutbox(dueAt: nil).map(\.id) == [entry.id, other.id])
        // A second handle (another server) sees it at once.
        let second = try await place.open()
        #expect(try await second.rowCount(market: Self.heart) == 3)
    }

    @Test(arguments: IndexBackend.all)
    func aRemovedDatapointIsNoLongerHeldButKeepsItsRecord(_ backend: IndexBackend) async throws {
        let place = try IndexPlace(backend)
        defer { place.remove() }
        let store = try await place.open()
        for i in [3, 1, 2] { try await store.insert(Self.record(i, rows: i)) }
        #expect(try await store.datapoints(market: Self.heart).map(\.dataHash) == [1, 2, 3].map(Self.hash).sorted())
        try await store.markRemoved(market: Self.heart, dataHash: Self.hash(2), at: 2_000)
        await #expect(throws: StoreError.notFound(market: Self.heart, dataHash: Self.hash(2))) {
            try await store.markRemoved(market: Self.heart, dataHash: Self.hash(2), at: 2_001)
        }
        #expect(try await store.datapoint(market: Self.heart, dataHash: Self.hash(2))?.removed == 2_000)
        #expect(try await store.datapoints(market: Self.heart).map(\.dataHash) == [1, 3].map(Self.hash).sorted())
        #expect(try await store.heldHashes() == Set([1, 3].map(Self.hash)))
        #expect(try await store.rowCount(market: Self.heart) == 4)
    }

    @Test(arguments: IndexBackend.all)
    func dataHeldInTwoMarketsIsHeldUntilBothRemoveIt(_ backend: IndexBackend) async throws {
        let place = try IndexPlace(backend)
        defer { place.remove() }
        let store = try await place.open()
        try await store.insert(Self.record(5))
        try await store.insert(Self.record(5, market: Self.open))
        try await store.markRemoved(market: Self.heart, dataHash: Self.hash(5), at: 10)
        #expect(try await store.isHeld(dataHash: Self.hash(5)))
        try await store.markRemoved(market: Self.open, dataHash: Self.hash(5), at: 11)
        #expect(try await store.isHeld(dataHash: Self.hash(5)) == false)
        #expect(try await store.isHeld(dataHash: Self.hash(6)) == false)
    }

    // MARK: - Authentication

    @Test(arguments: IndexBackend.all)
    func aNonceIsConsumedOnceEvenBySeveralServersAtOnce(_ backend: IndexBackend) async throws {
        let place = try IndexPlace(backend)
        defer { place.remove() }
        let a = try await place.open(), b = try await place.open()
        let nonce = [UInt8](repeating: 7, count: 32)
        try await a.saveNonce(nonce, expires: 500)
        let results = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for i in 0..<8 { group.addTask { try await (i % 2 == 0 ? a : b).consumeNonce(nonce) } }
            return try await group.reduce(into: [Int64?]()) { $0.append($1) }
        }
        #expect(results.compactMap { $0 } == [500])
    }

    @Test(arguments: IndexBackend.all)
    func aTokenAuthenticatesUntilItExpiresAndThePurgeRemovesWhatExpired(_ backend: IndexBackend) async throws {
        let place = try IndexPlace(backend)
        defer { place.remove() }
        let store = try await place.open()
        let token = Keccak256.hash([1, 2, 3])
        try await store.saveToken(hash: token, address: Self.buyer, expires: 900)
        try await store.saveNonce([UInt8](repeating: 1, count: 32), expires: 100)
        try await store.saveNonce([UInt8](repeating: 2, count: 32), expires: 1_000)
        #expect(try await store.tokenOwner(hash: token, now: 899) == Self.buyer)
        #expect(try await store.tokenOwner(hash: token, now: 900) == nil)
        #expect(try await store.tokenOwner(hash: Keccak256.hash([9]), now: 0) == nil)
        #expect(try await store.purgeExpired(now: 900) == 2)  // the token and the first nonce
        #expect(try await store.consumeNonce([UInt8](repeating: 2, count: 32)) == 1_000)
    }

    // MARK: - Charging

    @Test(arguments: IndexBackend.all)
    func aChargeAppliesAllItsJobsOrNone(_ backend: IndexBackend) async throws {
        let place = try IndexPlace(backend)
        defer { place.remove() }
        let store = try await place.open()
        try await store.charge([Self.charge(2, market: Self.open)], buyer: Self.buyer, now: 10)
        // The second charge's job is used: the first job, its epsilon and its report do not stick.
        await #expect(throws: StoreError.jobAlreadyUsed(market: Self.open, job: 2)) {
            try await store.charge([Self.charge(1, milli: 300, budget: 1_000), Self.charge(2, market: Self.open)], buyer: Self.buyer, now: 11)
        }
        #expect(try await store.isJobUsed(market: Self.heart, job: 1) == false)
        #expect(try await store.epsilonSpent(by: Self.buyer, market: Self.heart) == 0)
        #expect(try await store.pendingOutbox(dueAt: nil).count == 1)
        // A budget that would be exceeded refuses the whole charge too.
        await #expect(throws: StoreError.budgetExhausted(market: Self.heart, spentMilli: 0, requestedMilli: 1_200, budgetMilli: 1_000)) {
            try await store.charge([Self.charge(3, milli: 1_200, budget: 1_000)], buyer: Self.buyer, now: 12)
        }
        #expect(try await store.isJobUsed(market: Self.heart, job: 3) == false)
        let listings = [Self.hash(1), Self.hash(2)]
        let queued = try await store.charge([Self.charge(4, milli: 600, budget: 1_000, listings: listings)], buyer: Self.buyer, now: 13)
        #expect(queued.map(\.action) == [.reportUsage(job: 4, buyer: Self.buyer, listings: listings)])
        #expect(try await store.outboxEntry(id: queued[0].id) == queued[0])
        #expect(try await store.epsilonSpent(by: Self.buyer, market: Self.heart) == 600)
        #expect(try await store.isJobUsed(market: Self.heart, job: 4))
    }

    @Test(arguments: IndexBackend.all)
    func severalServersChargingTheSameJobsTogetherUseEachJobOnce(_ backend: IndexBackend) async throws {
        let place = try IndexPlace(backend)
        defer { place.remove() }
        let handles = [try await place.open(), try await place.open()]
        let jobs = 10, attemptsPerJob = 6
        let outcomes = try await withThrowingTaskGroup(of: (UInt64, Bool).self) { group in
            for attempt in 0..<attemptsPerJob {
                for job in 0..<jobs {
                    let store = handles[(attempt + job) % handles.count]
                    group.addTask {
                        do {
                            try await store.charge([Self.charge(UInt64(job))], buyer: Self.buyer, now: 20)
                            return (UInt64(job), true)
                        } catch StoreError.jobAlreadyUsed {
                            return (UInt64(job), false)
                        }
                    }
                }
            }
            return try await group.reduce(into: [(UInt64, Bool)]()) { $0.append($1) }
        }
        let won = outcomes.filter(\.1).map(\.0)
        #expect(won.sorted() == (0..<UInt64(jobs)).map { $0 })
        let reports = try await handles[0].pendingOutbox(dueAt: nil)
        #expect(reports.count == jobs)
    }

    @Test(arguments: IndexBackend.all)
    func severalServersSpendingOneBudgetTogetherNeverExceedIt(_ backend: IndexBackend) async throws {
        let place = try IndexPlace(backend)
        defer { place.remove() }
        let handles = [try await place.open(), try await place.open()]
        let spends = try await withThrowingTaskGroup(of: Bool.self) { group in
            for job in 0..<30 {
                let store = handles[job % handles.count]
                group.addTask {
                    do {
                        try await store.charge([Self.charge(UInt64(job), milli: 100, budget: 1_000)], buyer: Self.buyer, now: 30)
                        return true
                    } catch StoreError.budgetExhausted {
                        return false
                    }
                }
            }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(spends == 10)
        #expect(try await handles[1].epsilonSpent(by: Self.buyer, market: Self.heart) == 1_000)
    }

    // MARK: - Outbox

    @Test(arguments: IndexBackend.all)
    func anOutboxClaimKeepsOtherSubmittersAwayUntilSettledPostponedOrExpired(_ backend: IndexBackend) async throws {
        let place = try IndexPlace(backend)
        defer { place.remove() }
        let a = try await place.open(), b = try await place.open()
        let entry = try await a.insert(Self.record(1, created: 100))
        let claimed = try await a.claimOutbox(id: entry.id, now: 100, lease: 30, overriding: false)
        #expect(claimed == entry)
        #expect(try await b.claimOutbox(id: entry.id, now: 129, lease: 30, overriding: false) == nil)
        // With every other submitter stopped (housekeeping), a live claim is taken over.
        #expect(try await b.claimOutbox(id: entry.id, now: 129, lease: 30, overriding: true)?.id == entry.id)
        // Postponing ends the claim and counts the attempt.
        try await a.postponeOutbox(id: entry.id, error: "chain unreachable", notBefore: 140)
        #expect(try await b.pendingOutbox(dueAt: 139).isEmpty)
        let retried = try #require(try await b.claimOutbox(id: entry.id, now: 140, lease: 30, overriding: false))
        #expect(retried.attempts == 1 && retried.lastError == "chain unreachable" && retried.notBefore == 140)
        // A submitter that died: its claim expires and another takes the entry over.
        #expect(try await a.claimOutbox(id: entry.id, now: 169, lease: 30, overriding: false) == nil)
        #expect(try await a.claimOutbox(id: entry.id, now: 170, lease: 30, overriding: false) != nil)
        try await a.settleOutbox(id: entry.id, transaction: "0xabc", at: 171)
        #expect(try await b.claimOutbox(id: entry.id, now: 500, lease: 30, overriding: false) == nil)
        #expect(try await b.claimOutbox(id: entry.id, now: 500, lease: 30, overriding: true) == nil)
        let settled = try await b.outboxEntry(id: entry.id)
        #expect(settled?.settled == 171 && settled?.transaction == "0xabc")
        #expect(try await b.pendingOutbox(dueAt: nil).isEmpty)
    }

    @Test(arguments: IndexBackend.all)
    func serversClaimingTheWholeOutboxTogetherClaimEachEntryOnce(_ backend: IndexBackend) async throws {
        let place = try IndexPlace(backend)
        defer { place.remove() }
        let handles = [try await place.open(), try await place.open(), try await place.open()]
        for i in 0..<20 { try await handles[i % 3].insert(Self.record(i)) }
        let pending = try await handles[0].pendingOutbox(dueAt: 1_000)
        #expect(pending.count == 20)
        let claims = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for store in handles {
                for entry in pending {
                    group.addTask { try await store.claimOutbox(id: entry.id, now: 1_000, lease: 30, overriding: false)?.id }
                }
            }
            return try await group.reduce(into: [Int64]()) { if let id = $1 { $0.append(id) } }
        }
        #expect(claims.sorted() == pending.map(\.id).sorted())
    }
}
