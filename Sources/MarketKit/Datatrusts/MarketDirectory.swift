public import LedgerCore

/// What a datatrust needs to know about markets, and the transactions it sends them, in
/// LedgerCore's vocabulary only (addresses, hashes, signed transactions), so DatatrustKit can
/// depend on this protocol without MarketKit's state types.
///
/// Markets are named by their id slug; an unknown market answers false / empty.
public protocol MarketDirectory: Sendable {
    /// Whether `account` owns listing (or application) `listing` in `market`.
    func isListingOwner(_ account: Address, listing: Hash32, market: String) -> Bool
    /// Whether `account` is currently a council member of `market`.
    func isCouncilMember(_ account: Address, market: String) -> Bool
    /// Whether `account` is a backend the council authorised for `market`.
    func isAuthorisedBackend(_ account: Address, market: String) -> Bool
    /// The buyer's paid, unreported jobs in `market` whose report deadline has not passed.
    func openJobs(buyer: Address, market: String) -> [PaidJob]
    /// Where job `id` of `market` stands, whoever paid it.
    func job(_ id: UInt64, market: String) -> JobLookup
    /// Every listing listed in `market` now (not applications, nor removed listings), with its
    /// dataHash and current access cost.
    func listedListings(market: String) -> [ListedListing]
    /// Every listing or application of `dataHash` in `market` (several applicants may use one).
    func listings(dataHash: Hash32, market: String) -> [DataHashListing]
    /// A signed `attest` call by `backend` for `listing`, ready to submit.
    func attestationTransaction(market: String, listing: Hash32, backend: PrivateKey) throws -> SignedTransaction
    /// A signed `reportJob` call by `backend` naming the listings job `job` touched, ready to submit.
    func usageReportTransaction(market: String, job: UInt64, listings: [Hash32], backend: PrivateKey) throws -> SignedTransaction
}

extension MarketDirectory {
    /// Whether the buyer has at least one paid, unreported job in `market`.
    public func hasPaidJob(buyer: Address, market: String) -> Bool { !openJobs(buyer: buyer, market: market).isEmpty }

    /// Whether `dataHash` is listed in `market` by anyone.
    public func isListed(dataHash: Hash32, market: String) -> Bool {
        listings(dataHash: dataHash, market: market).contains { $0.listed }
    }
}

/// A paid job as a datatrust sees it.
public struct PaidJob: Sendable, Equatable, Codable {
    /// The job id to report.
    public let id: UInt64
    /// Who paid.
    public let buyer: Address
    /// The backend that must run and report it.
    public let backend: Address
    /// The listings paid for, or nil for the whole market.
    public let listings: [Hash32]?
    /// What the buyer paid, in NetworkToken wei.
    public let price: UInt256
    /// The report deadline (block time, seconds).
    public let deadline: UInt64

    /// A paid job.
    public init(id: UInt64, buyer: Address, backend: Address, listings: [Hash32]?, price: UInt256, deadline: UInt64) {
        self.id = id
        self.buyer = buyer
        self.backend = backend
        self.listings = listings
        self.price = price
        self.deadline = deadline
    }
}

/// Where a job stands on chain, as a datatrust needs to tell a buyer.
public enum JobLookup: Sendable, Equatable {
    /// Paid and waiting for its backend's report; the deadline has not passed.
    case open(PaidJob)
    /// Paid but not reported by its deadline (the buyer may now be refunded).
    case expired(PaidJob)
    /// It existed and is settled: reported (used) or refunded.
    case settled
    /// No job with this id was ever paid in the market (or the market does not exist).
    case unknown
}

/// A listing listed in a market, as a datatrust needs it to decide what a job may read.
public struct ListedListing: Sendable, Equatable, Codable {
    /// The listing id.
    public let listing: Hash32
    /// Keccak-256 of its data.
    public let dataHash: Hash32
    /// The applicant who owns it (nil: owned by the market).
    public let owner: Address?
    /// What reading it costs now (its own access cost, or the market default for a market-owned listing).
    public let accessCost: UInt256

    /// A listed listing.
    public init(listing: Hash32, dataHash: Hash32, owner: Address?, accessCost: UInt256) {
        self.listing = listing
        self.dataHash = dataHash
        self.owner = owner
        self.accessCost = accessCost
    }
}

extension PaidJob {
    /// Whether the job pays for reading `listing` (a whole-market job covers every listed listing).
    public func covers(_ listing: Hash32) -> Bool { listings?.contains(listing) ?? true }
}

/// One listing of a dataHash as a datatrust sees it.
public struct DataHashListing: Sendable, Equatable, Codable {
    /// The listing id.
    public let listing: Hash32
    /// The applicant who owns it (nil: owned by the market).
    public let owner: Address?
    /// Whether it is listed (false: an application).
    public let listed: Bool
    /// The backend that attested holding its data, if any.
    public let attestedBy: Address?

    /// A listing entry.
    public init(listing: Hash32, owner: Address?, listed: Bool, attestedBy: Address?) {
        self.listing = listing
        self.owner = owner
        self.listed = listed
        self.attestedBy = attestedBy
    }
}

/// ``MarketDirectory`` over a chain hosting ``MarketModule``: a live LedgerCore `Chain` (or a
/// `ChainFollower`), read afresh on every call, or one fixed state, so that every
/// answer about a request comes from the same block.
public struct ChainMarketDirectory: MarketDirectory {
    private let read: @Sendable () -> ChainState
    /// The chain id transactions are signed for.
    public let chainID: UInt64

    /// A directory over `chain`'s current state.
    public init(chain: Chain) {
        read = { chain.state }
        chainID = chain.chainID
    }

    /// A directory over the newest state `follower` has applied (call its `catchUp()` first).
    public init(follower: ChainFollower) {
        read = { follower.state }
        chainID = follower.chainID
    }

    /// A directory over one fixed `state` of chain `chainID`.
    public init(state: ChainState, chainID: UInt64) {
        read = { state }
        self.chainID = chainID
    }

    /// The state answers come from.
    public var state: ChainState { read() }

    private func market(_ slug: String) -> Market? {
        guard let id = try? MarketID(slug) else { return nil }
        return read().state(of: MarketModule.self).markets[id]
    }

    /// Whether `account` owns listing (or application) `listing` in the market `slug`.
    public func isListingOwner(_ account: Address, listing: Hash32, market slug: String) -> Bool {
        guard let l = market(slug)?.listings[listing] else { return false }
        return l.owner == account
    }

    /// Whether `account` is currently on the council of the market `slug`.
    public func isCouncilMember(_ account: Address, market slug: String) -> Bool {
        market(slug)?.isCouncilMember(account) ?? false
    }

    /// Whether the council of the market `slug` authorised `account` as a backend.
    public func isAuthorisedBackend(_ account: Address, market slug: String) -> Bool {
        market(slug)?.backends[account] != nil
    }

    /// The buyer's paid, unreported jobs in the market `slug` whose deadline has not passed.
    public func openJobs(buyer: Address, market slug: String) -> [PaidJob] {
        guard let m = market(slug) else { return [] }
        let now = read().timestamp
        return m.jobs.filter { _, j in j.buyer == buyer && now <= j.deadline }.map { _, j in
            PaidJob(id: j.id, buyer: j.buyer, backend: j.backend, listings: j.listings, price: j.price, deadline: j.deadline)
        }
    }

    /// Where job `id` of the market `slug` stands: open, expired, settled (ids below the next
    /// job id that are gone were reported or refunded) or unknown.
    public func job(_ id: UInt64, market slug: String) -> JobLookup {
        let state = read()
        guard let marketID = try? MarketID(slug), let m = state.state(of: MarketModule.self).markets[marketID] else { return .unknown }
        guard let j = m.jobs[id] else { return id < m.nextJobID ? .settled : .unknown }
        let paid = PaidJob(id: j.id, buyer: j.buyer, backend: j.backend, listings: j.listings, price: j.price, deadline: j.deadline)
        return state.timestamp <= j.deadline ? .open(paid) : .expired(paid)
    }

    /// Every listing listed in the market `slug` now, with its dataHash and access cost.
    public func listedListings(market slug: String) -> [ListedListing] {
        guard let m = market(slug) else { return [] }
        return m.listings.values.filter(\.listed).map {
            ListedListing(listing: $0.id, dataHash: $0.dataHash, owner: $0.owner, accessCost: $0.effectiveAccessCost(m.parameters))
        }.sorted { $0.listing < $1.listing }
    }

    /// Every listing or application of `dataHash` in the market `slug`.
    public func listings(dataHash: Hash32, market slug: String) -> [DataHashListing] {
        guard let m = market(slug) else { return [] }
        return (m.dataHashes[dataHash] ?? []).compactMap { id in
            m.listings[id].map { DataHashListing(listing: id, owner: $0.owner, listed: $0.listed, attestedBy: $0.attestedBy) }
        }
    }

    /// A signed `attest` call by `backend` for `listing`, at the backend's next nonce.
    public func attestationTransaction(market slug: String, listing: Hash32, backend: PrivateKey) throws -> SignedTransaction {
        try sign(.attest(market: try MarketID(slug), listing: listing), with: backend)
    }

    /// A signed `reportJob` call by `backend` for `job`, at the backend's next nonce.
    public func usageReportTransaction(market slug: String, job: UInt64, listings: [Hash32], backend: PrivateKey) throws -> SignedTransaction {
        try sign(.reportJob(market: try MarketID(slug), job: job, listings: listings), with: backend)
    }

    private func sign(_ call: MarketModule.Call, with key: PrivateKey) throws -> SignedTransaction {
        try SignedTransaction.sign(call, for: MarketModule.self, chainID: chainID, nonce: read().nonce(of: key.address), with: key)
    }
}
