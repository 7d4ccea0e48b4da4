import LedgerCore

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

/// ``MarketDirectory`` over a live ``Chain`` hosting ``MarketModule``.
public struct ChainMarketDirectory: MarketDirectory {
    /// The chain read and signed for.
    public let chain: Chain

    /// A directory over `chain`.
    public init(chain: Chain) { self.chain = chain }

    private func market(_ slug: String) -> Market? {
        guard let id = try? MarketID(slug) else { return nil }
        return chain.state(of: MarketModule.self).markets[id]
    }

    public func isListingOwner(_ account: Address, listing: Hash32, market slug: String) -> Bool {
        guard let l = market(slug)?.listings[listing] else { return false }
        return l.owner == account
    }

    public func isCouncilMember(_ account: Address, market slug: String) -> Bool {
        market(slug)?.isCouncilMember(account) ?? false
    }

    public func isAuthorisedBackend(_ account: Address, market slug: String) -> Bool {
        market(slug)?.backends[account] != nil
    }

    public func openJobs(buyer: Address, market slug: String) -> [PaidJob] {
        guard let m = market(slug) else { return [] }
        let now = chain.state.timestamp
        return m.jobs.filter { _, j in j.buyer == buyer && now <= j.deadline }.map { _, j in
            PaidJob(id: j.id, buyer: j.buyer, backend: j.backend, listings: j.listings, price: j.price, deadline: j.deadline)
        }
    }

    public func listings(dataHash: Hash32, market slug: String) -> [DataHashListing] {
        guard let m = market(slug) else { return [] }
        return (m.dataHashes[dataHash] ?? []).compactMap { id in
            m.listings[id].map { DataHashListing(listing: id, owner: $0.owner, listed: $0.listed, attestedBy: $0.attestedBy) }
        }
    }

    public func attestationTransaction(market slug: String, listing: Hash32, backend: PrivateKey) throws -> SignedTransaction {
        try sign(.attest(market: try MarketID(slug), listing: listing), with: backend)
    }

    public func usageReportTransaction(market slug: String, job: UInt64, listings: [Hash32], backend: PrivateKey) throws -> SignedTransaction {
        try sign(.reportJob(market: try MarketID(slug), job: job, listings: listings), with: backend)
    }

    private func sign(_ call: MarketModule.Call, with key: PrivateKey) throws -> SignedTransaction {
        try SignedTransaction.sign(call, for: MarketModule.self, chainID: chain.chainID, nonce: chain.nonce(of: key.address), with: key)
    }
}
