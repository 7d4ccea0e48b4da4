import LedgerCore
import MarketKit

/// ``DatatrustMarketView`` over MarketKit's ``MarketKit/MarketDirectory``: reads come from the
/// directory, and attestations and usage reports are signed with the datatrust's backend key
/// and submitted through `submit`.
///
/// Mapping notes: MarketKit names listings by id and keeps one listing per applicant of a
/// dataHash, so an attestation is sent for each live listing of the data not yet attested by
/// this backend, and a usage report names every listed listing of the data read. A job counts
/// only when it was paid to this backend. MarketKit has no epsilon price yet, so
/// ``privacyPrice(market:)`` is the `privacyPricePerMilliEpsilon` given here (0 by default).
public struct ChainMarketView: DatatrustMarketView {
    /// The market directory read.
    public let directory: any MarketDirectory
    /// The datatrust's backend key (its address must be an authorised backend of the markets).
    public let backend: PrivateKey
    /// Price of one milli-epsilon, as long as markets do not set one on chain.
    public let privacyPricePerMilliEpsilon: UInt256
    /// Signs (the closure it is given) and submits; returns the transaction hash.
    let transact: @Sendable (_ sign: () throws -> SignedTransaction) throws -> Hash32

    /// A view over `directory` submitting through `submit` (which returns the transaction hash).
    public init(directory: any MarketDirectory, backend: PrivateKey, privacyPricePerMilliEpsilon: UInt256 = 0,
                submit: @escaping @Sendable (SignedTransaction) throws -> Hash32) {
        self.directory = directory
        self.backend = backend
        self.privacyPricePerMilliEpsilon = privacyPricePerMilliEpsilon
        self.transact = { sign in try submit(try sign()) }
    }

    /// A view over an in-process chain hosting `MarketModule`.
    ///
    /// Each transaction is signed holding the block store's writer lock, after catching up with
    /// the blocks other processes appended, the way every dmctl command submits: two processes
    /// signing with the backend key (two servers on one home, or a server and a `dmctl` command)
    /// take turns instead of racing for its nonce.
    public init(chain: Chain, backend: PrivateKey, privacyPricePerMilliEpsilon: UInt256 = 0) {
        self.directory = ChainMarketDirectory(chain: chain)
        self.backend = backend
        self.privacyPricePerMilliEpsilon = privacyPricePerMilliEpsilon
        self.transact = { sign in
            try chain.store.exclusively {
                try chain.refresh()
                return try chain.submit(try sign()).transactionHash
            }
        }
    }

    /// Live listings of `dataHash`.
    public func listings(market: MarketID, dataHash: Hash32) async throws -> [ListingInfo] {
        directory.listings(dataHash: dataHash, market: market.name).compactMap { entry in
            guard let owner = entry.owner else { return nil }
            return ListingInfo(id: entry.listing, market: market, dataHash: dataHash, owner: owner, state: entry.listed ? .listed : .applied)
        }
    }

    /// Council membership.
    public func isCouncilMember(_ address: Address, market: MarketID) async throws -> Bool {
        directory.isCouncilMember(address, market: market.name)
    }

    /// Backend authorisation.
    public func isAuthorisedBackend(_ address: Address, market: MarketID) async throws -> Bool {
        directory.isAuthorisedBackend(address, market: market.name)
    }

    /// The buyer's open job `job` paid to this backend.
    public func paidJob(market: MarketID, job: UInt64, buyer: Address) async throws -> DatatrustKit.PaidJob? {
        directory.openJobs(buyer: buyer, market: market.name).first { $0.id == job && $0.backend == backend.address }.map {
            DatatrustKit.PaidJob(market: market, id: $0.id, buyer: $0.buyer, amount: $0.price, consumed: false)
        }
    }

    /// The configured privacy price.
    public func privacyPrice(market: MarketID) async throws -> UInt256 { privacyPricePerMilliEpsilon }

    /// Attests every live listing of the data not yet attested by this backend.
    public func attestHolding(market: MarketID, dataHash: Hash32) async throws -> String {
        var last: Hash32?
        for entry in directory.listings(dataHash: dataHash, market: market.name) where entry.attestedBy != backend.address {
            last = try transact { try directory.attestationTransaction(market: market.name, listing: entry.listing, backend: backend) }
        }
        guard let last else { throw DatatrustError.conflict("dataHash: every listing of \(dataHash.hex) is already attested by \(backend.address.checksummed)") }
        return last.hex
    }

    /// Reports job `job` with the listed listings of the data read.
    /// - Throws: ``DatatrustError/conflict(_:)`` when the chain no longer holds the job open
    ///   (reported already, refunded, or past its deadline): reporting it cannot succeed any more.
    public func reportUsage(market: MarketID, job: UInt64, listings dataHashes: [Hash32]) async throws -> String {
        var ids: [Hash32] = []
        for hash in dataHashes {
            ids += directory.listings(dataHash: hash, market: market.name).filter(\.listed).map(\.listing)
        }
        do {
            return try transact { try directory.usageReportTransaction(market: market.name, job: job, listings: ids.sorted(), backend: backend) }.hex
        } catch let error as MarketError {
            switch error {
            case .unknownJob, .jobDeadlinePassed:
                throw DatatrustError.conflict("jobs.\(market): \(error.description)")
            default:
                throw error
            }
        }
    }
}
