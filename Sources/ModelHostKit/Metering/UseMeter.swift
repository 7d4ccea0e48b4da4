public import LedgerCore
public import MarketKit

/// The host's count of uses served from each prepaid bundle, the rule that decides whether one
/// more call may be served, and the uses still to be reported on chain.
///
/// A call is served only when, on the chain state the host last saw, the bundle belongs to the
/// caller, is for this host and model, is open, expires no sooner than `safetyMargin` seconds
/// from now, and `served < bought`. `served` never drops below what the chain says was reported,
/// so a host restarted from a fresh meter still never serves more than was paid.
public struct UseMeter: Sendable, Equatable {
    /// Uses served by bundle id (reported or not).
    public private(set) var served: [UInt64: UInt64] = [:]
    /// Seconds before a bundle's expiry after which the host stops serving it, so that its
    /// report still lands in time.
    public let safetyMargin: UInt64

    /// Calls charged under a request id, by id (see ``ChargedRequest``).
    public private(set) var requests: [String: ChargedRequest] = [:]

    /// A meter that starts from `served` and `requests` (e.g. a ``UsageJournal``'s
    /// ``UsageJournal/load()`` and ``UsageJournal/requests()``).
    public init(safetyMargin: UInt64 = 60, served: [UInt64: UInt64] = [:], requests: [String: ChargedRequest] = [:]) {
        self.safetyMargin = safetyMargin
        self.served = served
        self.requests = requests
    }

    /// Remembers that the call with request id `id` was charged `uses` uses of `bundle`.
    public mutating func remember(_ id: String, bundle: UInt64, uses: UInt64) {
        requests[id] = ChargedRequest(bundle: bundle, uses: uses)
    }

    /// Admits one call of `caller` to `model` on `bundle` at `now`, counting it as served.
    ///
    /// - Throws: `paymentRequired` when the bundle has no use left, expired or closed;
    ///   `forbidden` when it is someone else's, another host's or another model's.
    public mutating func admit(
        _ bundle: UseBundle, caller: Address, host: Address, model: UInt64, now: UInt64
    ) throws(ModelHostError) {
        guard bundle.buyer == caller else {
            throw .forbidden("bundle \(bundle.id) was bought by \(bundle.buyer.checksummed), not by the caller \(caller.checksummed)")
        }
        guard bundle.host == host else {
            throw .forbidden("bundle \(bundle.id) is for host \(bundle.host.checksummed), this host is \(host.checksummed)")
        }
        guard bundle.model == model else { throw .forbidden("bundle \(bundle.id) is for model \(bundle.model), not model \(model)") }
        guard !bundle.closed else { throw .paymentRequired("bundle \(bundle.id) was refunded and closed; buy a new bundle") }
        let (deadline, overflow) = now.addingReportingOverflow(safetyMargin)
        guard !overflow, deadline <= bundle.expiresAt else {
            throw .paymentRequired("bundle \(bundle.id) expires at \(bundle.expiresAt); this host serves a bundle until \(safetyMargin) s before its expiry, now \(now)")
        }
        let count = max(served[bundle.id] ?? 0, bundle.reported)
        guard count < bundle.bought else {
            throw .paymentRequired("bundle \(bundle.id) is used up: \(count) of \(bundle.bought) paid uses served; buy more uses")
        }
        served[bundle.id] = count + 1
    }

    /// Uses served from `bundle` but neither reported on chain nor in a report already sent.
    public func unreported(_ bundle: UseBundle) -> UInt64 {
        let s = served[bundle.id] ?? 0
        let settled = max(bundle.reported, submitted[bundle.id] ?? 0)
        return s > settled ? s - settled : 0
    }

    /// Uses of each bundle covered by reports sent (whether or not the host's chain view shows
    /// them yet), so that a lagging view never makes the host report a use twice.
    public private(set) var submitted: [UInt64: UInt64] = [:]

    /// Records that a report covering `bundle`'s uses up to `served` was sent.
    public mutating func markSubmitted(_ bundle: UInt64, upTo total: UInt64) {
        submitted[bundle] = max(submitted[bundle] ?? 0, total)
    }

    /// Forgets a report that the chain refused or that never left, so the uses are reported again.
    public mutating func reportFailed(_ bundle: UInt64, count: UInt64) {
        let s = submitted[bundle] ?? 0
        submitted[bundle] = s > count ? s - count : 0
    }
}
