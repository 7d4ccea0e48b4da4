import Foundation
@testable import DatatrustKit
import LedgerCore
import MarketKit

/// An in-memory stand-in for the chain, for tests only.
actor FakeChain: DatatrustMarketView {
    var listings: [Hash32: ListingInfo] = [:]
    var council: Set<Address> = []
    var jobs: [UInt64: (market: MarketID, job: PaidJob, consumed: Bool)] = [:]
    nonisolated let backendAddress = Address(unchecked: Array(repeating: 0xDA, count: 20))
    var price: UInt256 = 0
    var attestations: [Hash32] = []
    var usage: [(market: MarketID, job: UInt64, listings: [Hash32])] = []
    var failReports = false
    var failAttestations = false

    func setListing(_ info: ListingInfo) { listings[info.dataHash] = info }
    func addCouncil(_ a: Address) { council.insert(a) }
    /// Records job `id` as paid by `buyer` to this datatrust, or to `backend` (for `listings`,
    /// nil: the whole market); an `expired` job has passed its report deadline.
    func setJob(market: MarketID, id: UInt64, buyer: Address, amount: UInt256, listings: [Hash32]? = nil,
                backend: Address? = nil, expired: Bool = false) {
        jobs[id] = (market, PaidJob(id: id, buyer: buyer, backend: backend ?? backendAddress, listings: listings, price: amount, deadline: expired ? 0 : .max), false)
    }
    func setPrice(_ p: UInt256) { price = p }
    func setFailReports(_ f: Bool) { failReports = f }
    func setFailAttestations(_ f: Bool) { failAttestations = f }

    func listings(market: MarketID, dataHash: Hash32) async throws -> [ListingInfo] {
        listings[dataHash].flatMap { $0.market == market ? [$0] : nil } ?? []
    }
    func isCouncilMember(_ address: Address, market: MarketID) async throws -> Bool { council.contains(address) }
    func isAuthorisedBackend(_ address: Address, market: MarketID) async throws -> Bool { true }
    func job(market: MarketID, id: UInt64) async throws -> JobLookup {
        guard let entry = jobs[id], entry.market == market else { return .unknown }
        if entry.consumed { return .settled }
        return entry.job.deadline == 0 ? .expired(entry.job) : .open(entry.job)
    }
    func listedListings(market: MarketID) async throws -> [ListedListing] {
        listings.values.filter { $0.market == market && $0.state == .listed }
            .map { ListedListing(listing: $0.id, dataHash: $0.dataHash, owner: $0.owner, accessCost: 0) }
    }
    func privacyPrice(market: MarketID) async throws -> UInt256 { price }
    /// Like the chain: a second attestation of the same data is refused as already done.
    func attestHolding(market: MarketID, dataHash: Hash32) async throws -> String {
        if failAttestations { throw ReportFailed() }
        if attestations.contains(dataHash) { throw DatatrustError.conflict("dataHash: \(dataHash.hex) already attested") }
        attestations.append(dataHash)
        return "0xattest\(attestations.count)"
    }
    struct ReportFailed: Error {}
    func reportUsage(market: MarketID, job: UInt64, listings: [Hash32]) async throws -> String {
        if failReports { throw ReportFailed() }
        if jobs[job]?.consumed == true { throw DatatrustError.conflict("jobs.\(market): job \(job) was already reported") }
        usage.append((market, job, listings))
        jobs[job]?.consumed = true
        return "0xusage\(usage.count)"
    }
}

/// A settable clock.
/// `@unchecked Sendable`: `value` is only touched under `lock`.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64
    init(_ start: Int64 = 1_750_000_000) { value = start }
    var now: Int64 { lock.lock(); defer { lock.unlock() }; return value }
    func advance(_ seconds: Int64) { lock.lock(); value += seconds; lock.unlock() }
}
