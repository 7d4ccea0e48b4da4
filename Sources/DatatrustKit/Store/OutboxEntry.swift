public import LedgerCore
public import MarketKit

/// A transaction the datatrust owes the chain (an attestation or a usage report), written to the
/// store in the same commit as the fact it reports and kept until the chain has it.
///
/// The outbox service (``Datatrust/flushOutbox(overridingClaims:)``, run by ``Datatrust/backgroundJobs()``) submits due entries and settles each one when the chain
/// includes it, or when the chain refuses it because it is already done (a second attestation, a
/// job already reported); any other failure postpones the entry with an exponential back-off.
public struct OutboxEntry: Sendable, Equatable {
    /// What the transaction does.
    public enum Action: Sendable, Equatable {
        /// Attest on chain that the datatrust holds the data of `dataHash`.
        case attest(dataHash: Hash32)
        /// Report the use of paid job `job` by `buyer`, naming the listings (dataHashes, ascending) whose rows were read.
        case reportUsage(job: UInt64, buyer: Address, listings: [Hash32])
    }

    /// Local id, assigned by the store in commit order.
    public var id: Int64
    /// The market the transaction goes to.
    public var market: MarketID
    /// What it does.
    public var action: Action
    /// Unix seconds when the fact was recorded.
    public var created: Int64
    /// Submissions tried so far.
    public var attempts: Int
    /// Unix seconds before which it is not retried.
    public var notBefore: Int64
    /// Why the last submission failed, if one did.
    public var lastError: String?
    /// Unix seconds when it was settled, or nil while it is owed.
    public var settled: Int64?
    /// The including transaction's hash, once settled by inclusion (nil when settled because the chain had it already).
    public var transaction: String?

    /// An entry.
    public init(id: Int64 = 0, market: MarketID, action: Action, created: Int64, attempts: Int = 0, notBefore: Int64? = nil,
                lastError: String? = nil, settled: Int64? = nil, transaction: String? = nil) {
        self.id = id
        self.market = market
        self.action = action
        self.created = created
        self.attempts = attempts
        self.notBefore = notBefore ?? created
        self.lastError = lastError
        self.settled = settled
        self.transaction = transaction
    }

    /// Whether the chain still has to receive it.
    public var isPending: Bool { settled == nil }
}

// MARK: - Storage form, shared by the stores

extension OutboxEntry.Action {
    /// The `kind` column: `attest` or `usage`.
    package var storedKind: String {
        switch self {
        case .attest: return "attest"
        case .reportUsage: return "usage"
        }
    }

    /// The listings of a usage report as stored: their 32-byte ids, concatenated.
    package static func packListings(_ listings: [Hash32]) -> [UInt8] { listings.flatMap(\.bytes) }

    /// The listings of a stored usage report (``packListings(_:)`` read back).
    package static func unpackListings(_ blob: [UInt8]) throws -> [Hash32] {
        var listings: [Hash32] = []
        var i = 0
        while i + 32 <= blob.count {
            listings.append(try Hash32(bytes: Array(blob[i..<i + 32])))
            i += 32
        }
        return listings
    }
}
