public import DatatrustKit
import Foundation
public import LedgerCore
public import MarketKit

/// An in-memory stand-in for the chain as a datatrust sees it (`DatatrustMarketView`),
/// for tests of a datatrust without a chain: listings, council, paid jobs, the privacy price,
/// and switches that make attestations or usage reports fail.
public actor FakeChain: DatatrustMarketView {
    /// The listings by data hash.
    public var listings: [Hash32: ListingInfo] = [:]
    /// The council members.
    public var council: Set<Address> = []
    /// Paid jobs by id, with whether a usage report consumed them.
    public var jobs: [UInt64: (market: MarketID, job: PaidJob, consumed: Bool)] = [:]
    /// The datatrust's own backend address (0xDA…DA).
    public nonisolated let backendAddress = Address(unchecked: Array(repeating: 0xDA, count: 20))
    /// The privacy price per unit of epsilon.
    public var price: UInt256 = 0
    /// Data hashes attested so far, in order.
    public var attestations: [Hash32] = []
    /// Usage reports so far, in order.
    public var usage: [(market: MarketID, job: UInt64, listings: [Hash32])] = []
    /// Whether usage reports fail (``ReportFailed``).
    public var failReports = false
    /// Whether attestations fail (``ReportFailed``).
    public var failAttestations = false

    /// A fake chain with nothing on it.
    public init() {}

    /// Records `info` under its data hash.
    public func setListing(_ info: ListingInfo) { listings[info.dataHash] = info }
    /// Makes `a` a council member.
    public func addCouncil(_ a: Address) { council.insert(a) }
    /// Records job `id` as paid by `buyer` to this datatrust, or to `backend` (for `listings`,
    /// nil: the whole market); an `expired` job has passed its report deadline.
    public func setJob(market: MarketID, id: UInt64, buyer: Address, amount: UInt256, listings: [Hash32]? = nil,
                backend: Address? = nil, expired: Bool = false) {
        jobs[id] = (market, PaidJob(id: id, buyer: buyer, backend: backend ?? backendAddress, listings: listings, price: amount, deadline: expired ? 0 : .max), false)
    }
    /// Sets the privacy price.
    public func setPrice(_ p: UInt256) { price = p }
    /// Makes usage reports fail (or succeed again).
    public func setFailReports(_ f: Bool) { failReports = f }
    /// Makes attestations fail (or succeed again).
    public func setFailAttestations(_ f: Bool) { failAttestations = f }

    /// The listing of `dataHash` in `market`, if any.
    public func listings(market: MarketID, dataHash: Hash32) async throws -> [ListingInfo] {
        listings[dataHash].flatMap { $0.market == market ? [$0] : nil } ?? []
    }
    /// Whether `address` is on the council.
    public func isCouncilMember(_ address: Address, market: MarketID) async throws -> Bool { council.contains(address) }
    /// Every address is an authorised backend here.
    public func isAuthorisedBackend(_ address: Address, market: MarketID) async throws -> Bool { true }
    /// Job `id` of `market`: unknown, settled, expired or open.
    public func job(market: MarketID, id: UInt64) async throws -> JobLookup {
        guard let entry = jobs[id], entry.market == market else { return .unknown }
        if entry.consumed { return .settled }
        return entry.job.deadline == 0 ? .expired(entry.job) : .open(entry.job)
    }
    /// The listed listings of `market`, each with access cost 0.
    public func listedListings(market: MarketID) async throws -> [ListedListing] {
        listings.values.filter { $0.market == market && $0.state == .listed }
            .map { ListedListing(listing: $0.id, dataHash: $0.dataHash, owner: $0.owner, accessCost: 0) }
    }
    /// The privacy price set by ``setPrice(_:)``.
    public func privacyPrice(market: MarketID) async throws -> UInt256 { price }
    /// Like the chain: a second attestation of the same data is refused as already done.
    public func attestHolding(market: MarketID, dataHash: Hash32) async throws -> String {
        if failAttestations { throw ReportFailed() }
        if attestations.contains(dataHash) { throw DatatrustError.conflict("dataHash: \(dataHash.hex) already attested") }
        attestations.append(dataHash)
        return "0xattest\(attestations.count)"
    }
    /// The failure of a report or attestation switched to fail.
    public struct ReportFailed: Error {}
    /// Records a usage report and consumes the job; a second report of one job is refused.
    public func reportUsage(market: MarketID, job: UInt64, listings: [Hash32]) async throws -> String {
        if failReports { throw ReportFailed() }
        if jobs[job]?.consumed == true { throw DatatrustError.conflict("jobs.\(market): job \(job) was already reported") }
        usage.append((market, job, listings))
        jobs[job]?.consumed = true
        return "0xusage\(usage.count)"
    }
}
