import Dispatch
import Foundation
public import LedgerCore
public import MarketKit

/// ``DatatrustMarketView`` over MarketKit's `MarketDirectory`: reads come from the
/// directory, and attestations and usage reports are signed with the datatrust's backend key
/// and submitted one at a time, off Swift's cooperative threads (a submission may wait for
/// the chain's writer lock; a read never does).
///
/// Over a `ChainFollower` (``init(follower:writer:backend:privacyPricePerMilliEpsilon:)``,
/// what `dmctl datatrust serve` uses) every read first catches up with the blocks other
/// processes appended, so each request is decided on the newest block.
///
/// Mapping notes: MarketKit names listings by id and keeps one listing per applicant of a
/// dataHash, so an attestation is sent for each live listing of the data not yet attested by
/// this backend, and a usage report names the listing ids the datatrust read. MarketKit has no
/// epsilon price yet, so ``privacyPrice(market:)`` is the `privacyPricePerMilliEpsilon` given
/// here (0 by default).
public struct ChainMarketView: DatatrustMarketView {
    /// The market directory read.
    public let directory: any MarketDirectory
    /// The datatrust's backend key (its address must be an authorised backend of the markets).
    public let backend: PrivateKey
    /// Price of one milli-epsilon, as long as markets do not set one on chain.
    public let privacyPricePerMilliEpsilon: UInt256
    let refresh: @Sendable () async throws -> Void
    let send: @Sendable (_ build: (any MarketDirectory) throws -> SignedTransaction?) throws -> Hash32?
    let queue: DispatchQueue

    /// A view over `directory` submitting through `submit` (which returns the transaction hash).
    public init(directory: any MarketDirectory, backend: PrivateKey, privacyPricePerMilliEpsilon: UInt256 = 0,
                submit: @escaping @Sendable (SignedTransaction) throws -> Hash32) {
        self.directory = directory
        self.backend = backend
        self.privacyPricePerMilliEpsilon = privacyPricePerMilliEpsilon
        self.refresh = {}
        self.send = { build in try build(directory).map(submit) }
        self.queue = DispatchQueue(label: "datamarket.datatrust.submit")
    }

    /// A view over an in-process chain hosting `MarketModule`, read and written through `chain`.
    public init(chain: Chain, backend: PrivateKey, privacyPricePerMilliEpsilon: UInt256 = 0) {
        self.directory = ChainMarketDirectory(chain: chain)
        self.backend = backend
        self.privacyPricePerMilliEpsilon = privacyPricePerMilliEpsilon
        self.refresh = { try chain.refresh() }
        self.send = Self.sender(writer: chain)
        self.queue = DispatchQueue(label: "datamarket.datatrust.submit")
    }

    /// A view that reads through `follower` (catching up before every answer, never waiting for
    /// the writer lock) and submits through `writer`, a chain handle on the same store.
    public init(follower: ChainFollower, writer: Chain, backend: PrivateKey, privacyPricePerMilliEpsilon: UInt256 = 0) {
        self.directory = ChainMarketDirectory(follower: follower)
        self.backend = backend
        self.privacyPricePerMilliEpsilon = privacyPricePerMilliEpsilon
        self.refresh = { try await follower.catchUp() }
        self.send = Self.sender(writer: writer)
        self.queue = DispatchQueue(label: "datamarket.datatrust.submit")
    }

    /// A view that reads through `follower` and opens its writer with `openWriter` only when it
    /// first submits (on the submission queue), so starting it never waits for the chain's
    /// writer lock either; a failed opening is retried at the next submission.
    public init(follower: ChainFollower, openWriter: @escaping @Sendable () throws -> Chain, backend: PrivateKey, privacyPricePerMilliEpsilon: UInt256 = 0) {
        self.directory = ChainMarketDirectory(follower: follower)
        self.backend = backend
        self.privacyPricePerMilliEpsilon = privacyPricePerMilliEpsilon
        self.refresh = { try await follower.catchUp() }
        let lazy = LazyWriter(open: openWriter)
        self.send = { build in try Self.sender(writer: try lazy.writer())(build) }
        self.queue = DispatchQueue(label: "datamarket.datatrust.submit")
    }

    /// A view that reads through `follower` (over a remote node's blocks, say) and submits
    /// through `submitter` (the node itself): each transaction is built on the follower's
    /// newest state, signed at the backend's nonce there, submitted, and the view then waits
    /// for the follower to replicate the block holding it, so the next one is built on a state
    /// that already shows it. Submissions of this view are serial; the backend key must not
    /// sign elsewhere at the same time.
    public init(follower: ChainFollower, submitter: any TransactionSubmitter, backend: PrivateKey, privacyPricePerMilliEpsilon: UInt256 = 0) {
        self.directory = ChainMarketDirectory(follower: follower)
        self.backend = backend
        self.privacyPricePerMilliEpsilon = privacyPricePerMilliEpsilon
        self.refresh = { try await follower.catchUp() }
        self.send = { build in
            _ = try Self.blocking { try await follower.catchUp() }
            guard let tx = try build(ChainMarketDirectory(follower: follower)) else { return nil }
            let height = try Self.blocking { () async throws -> UInt64 in try await submitter.submitAndWait(tx) }
            _ = try Self.blocking { try await follower.state(atLeast: height, timeout: .seconds(60)) }
            return tx.hash
        }
        self.queue = DispatchQueue(label: "datamarket.datatrust.submit")
    }

    /// Runs `body` and blocks this thread (the view's submission queue, never a thread of the
    /// cooperative pool) until it finishes.
    private static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = BlockingResult<T>()
        Task {
            do { box.set(.success(try await body())) } catch { box.set(.failure(error)) }
        }
        return try box.wait()
    }

    /// Signs at the writer's newest nonce and submits; runs on the view's serial queue, so two
    /// submissions of this view never race for one nonce, and holding the block store's writer
    /// lock after catching up with the blocks other processes appended (the way every dmctl
    /// command submits), so two processes signing with the backend key (two servers on one
    /// home, or a server and a `dmctl` command) take turns instead of racing for its nonce.
    private static func sender(writer: Chain) -> @Sendable (_ build: (any MarketDirectory) throws -> SignedTransaction?) throws -> Hash32? {
        { build in
            try writer.store.exclusively {
                try writer.refresh()
                guard let tx = try build(ChainMarketDirectory(chain: writer)) else { return nil }
                return try writer.submit(tx).transactionHash
            }
        }
    }

    /// Runs `body` on the serial submission queue, off the cooperative thread pool.
    private func submitting<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// The directory after catching up with the newest block.
    private func current() async throws -> any MarketDirectory {
        try await refresh()
        return directory
    }

    /// Live listings of `dataHash`.
    public func listings(market: MarketID, dataHash: Hash32) async throws -> [ListingInfo] {
        try await current().listings(dataHash: dataHash, market: market.slug).compactMap { entry in
            guard let owner = entry.owner else { return nil }
            return ListingInfo(id: entry.listing, market: market, dataHash: dataHash, owner: owner, state: entry.listed ? .listed : .applied)
        }
    }

    /// Council membership.
    public func isCouncilMember(_ address: Address, market: MarketID) async throws -> Bool {
        try await current().isCouncilMember(address, market: market.slug)
    }

    /// Backend authorisation.
    public func isAuthorisedBackend(_ address: Address, market: MarketID) async throws -> Bool {
        try await current().isAuthorisedBackend(address, market: market.slug)
    }

    /// The backend key's address.
    public var backendAddress: Address { backend.address }

    /// Where job `id` stands on chain.
    public func job(market: MarketID, id: UInt64) async throws -> JobLookup {
        try await current().job(id, market: market.slug)
    }

    /// The listings listed in `market` now.
    public func listedListings(market: MarketID) async throws -> [ListedListing] {
        try await current().listedListings(market: market.slug)
    }

    /// The configured privacy price.
    public func privacyPrice(market: MarketID) async throws -> UInt256 { privacyPricePerMilliEpsilon }

    /// Attests every live listing of the data not yet attested by this backend.
    public func attestHolding(market: MarketID, dataHash: Hash32) async throws -> String {
        let send = self.send
        let key = backend
        let hash: Hash32? = try await submitting {
            // One listing per transaction, each signed at the writer's newest nonce.
            var attempted = Set<Hash32>()
            var last: Hash32?
            while let tx = try send({ directory in
                guard let next = directory.listings(dataHash: dataHash, market: market.slug)
                    .first(where: { $0.attestedBy != key.address && !attempted.contains($0.listing) }) else { return nil }
                attempted.insert(next.listing)
                return try directory.attestationTransaction(market: market.slug, listing: next.listing, backend: key)
            }) {
                last = tx
            }
            return last
        }
        guard let hash else { throw DatatrustError.conflict("dataHash: every listing of \(dataHash.hex) is already attested by \(backend.address.checksummed)") }
        return hash.hex
    }

    /// Reports job `job` with the ids of the listings read.
    /// - Throws: ``DatatrustError/conflict(_:)`` when the chain no longer holds the job open
    ///   (reported already, refunded, or past its deadline): reporting it cannot succeed any more.
    public func reportUsage(market: MarketID, job: UInt64, listings: [Hash32]) async throws -> String {
        let send = self.send
        let key = backend
        let hash: Hash32?
        do {
            hash = try await submitting {
                try send { directory in try directory.usageReportTransaction(market: market.slug, job: job, listings: listings.sorted(), backend: key) }
            }
        } catch let error as MarketError {
            switch error {
            case .unknownJob, .jobDeadlinePassed: throw DatatrustError.conflict("jobs.\(market): \(error.description)")
            default: throw error
            }
        } catch SubmissionError.refused(let code, let detail) where code.hasPrefix("MarketError.unknownJob") || code.hasPrefix("MarketError.jobDeadlinePassed") {
            // The same refusal, made by a node this view submits through.
            throw DatatrustError.conflict("jobs.\(market): \(detail)")
        }
        guard let hash else { throw DatatrustError.internalFailure("usage report of job \(job) was not built") }
        return hash.hex
    }
}

/// The outcome of an async body a submission-queue thread waits for.
/// `@unchecked Sendable`: `result` is written once under `lock` before `done` is signalled and
/// read only after waiting on `done`.
private final class BlockingResult<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?
    private let done = DispatchSemaphore(value: 0)

    func set(_ value: Result<T, any Error>) {
        lock.withLock { result = value }
        done.signal()
    }

    func wait() throws -> T {
        done.wait()
        guard let result = lock.withLock({ result }) else { throw CancellationError() }
        return try result.get()
    }
}

/// The writer chain of a ``ChainMarketView``, opened at its first use.
/// `@unchecked Sendable`: `opened` is only read or written under `lock`; `open` is Sendable.
private final class LazyWriter: @unchecked Sendable {
    private let lock = NSLock()
    private var opened: Chain?
    private let open: @Sendable () throws -> Chain

    init(open: @escaping @Sendable () throws -> Chain) { self.open = open }

    func writer() throws -> Chain {
        try lock.withLock {
            if let opened { return opened }
            let chain = try open()
            opened = chain
            return chain
        }
    }
}
