public import LedgerCore

/// The name of one market parameter, as a reparameterization proposal names it.
///
/// Every parameter is a `UInt256` and has one allowed range, checked when a market is created
/// and when a change is proposed (not when it is applied):
///
/// | parameter            | unit                                  | min   | max              |
/// |----------------------|---------------------------------------|-------|------------------|
/// | `challengeStake`     | NetworkToken wei                      | 1     | 10^30            |
/// | `applicationDeposit` | NetworkToken wei                      | 1     | 10^30            |
/// | `voteBy`             | seconds                               | 60    | 2,592,000 (30 d) |
/// | `quorum`             | % of the poll's electorate voting     | 1     | 100              |
/// | `plurality`          | % of votes cast that must be yea      | 50    | 100              |
/// | `dispensation`       | % of the loser's stake to the winner  | 0     | 100              |
/// | `councilThreshold`   | MarketToken wei (strictly more)       | 0     | 10^30            |
/// | `priceFloor`         | NetworkToken wei per whole MarketToken| 1     | 10^30            |
/// | `priceSlope`         | NetworkToken wei per token per token  | 0     | 10^30            |
/// | `listReward`         | MarketToken wei per listing           | 0     | 10^30            |
/// | `accessReward`       | MarketToken wei per reported access   | 0     | 10^30            |
/// | `defaultAccessCost`  | NetworkToken wei per access           | 0     | 10^30            |
/// | `makerPayment`       | % of a job price for listing owners   | 0     | 100              |
/// | `backendPayment`     | % of a job price for the backend      | 0     | 100              |
/// | `resolveDeadline`    | seconds after the vote closes         | 60    | 2,592,000 (30 d) |
/// | `jobTimeout`         | seconds a backend has to report a job | 60    | 2,592,000 (30 d) |
///
/// Across parameters, `makerPayment + backendPayment ≤ 100` (the rest goes to the reserve).
public enum MarketParameter: String, Codable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// NetworkToken a challenger (or a reparameterization proposer) stakes.
    case challengeStake
    /// NetworkToken an applicant deposits with a listing.
    case applicationDeposit
    /// How long a poll stays open for votes, in seconds.
    case voteBy
    /// The share of the electorate that must vote, in percent.
    case quorum
    /// The share of votes cast that must be yea, in percent.
    case plurality
    /// The share of the loser's stake the winner of a challenge receives, in percent.
    case dispensation
    /// A council member holds strictly more than this many MarketToken wei.
    case councilThreshold
    /// The price-curve constant: NetworkToken wei per whole MarketToken at zero supply.
    case priceFloor
    /// The price-curve slope: NetworkToken wei per whole token, per whole token of investor supply.
    case priceSlope
    /// MarketToken wei minted into a listing when it is listed.
    case listReward
    /// MarketToken wei minted to a listing's owner for each reported access.
    case accessReward
    /// The access cost of listings the market owns, in NetworkToken wei.
    case defaultAccessCost
    /// The percentage of a job price reserved for listing owners.
    case makerPayment
    /// The percentage of a job price paid to the backend.
    case backendPayment
    /// Seconds after a poll's vote closes during which it may be resolved; after, it expires.
    case resolveDeadline
    /// Seconds a backend has to report a paid job before the buyer may take a refund.
    case jobTimeout

    /// The allowed range of the parameter.
    public var bounds: ClosedRange<UInt256> {
        let big = UInt256.tenToThe30
        switch self {
        case .challengeStake, .applicationDeposit, .priceFloor: return 1...big
        case .councilThreshold, .priceSlope, .listReward, .accessReward, .defaultAccessCost: return 0...big
        case .voteBy, .resolveDeadline, .jobTimeout: return 60...2_592_000
        case .quorum: return 1...100
        case .plurality: return 50...100
        case .dispensation, .makerPayment, .backendPayment: return 0...100
        }
    }

    /// Checks `value` against ``bounds``.
    public func check(_ value: UInt256) throws(MarketError) {
        let b = bounds
        guard b.contains(value) else {
            throw .parameterOutOfBounds(parameter: self, value: value, min: b.lowerBound, max: b.upperBound)
        }
    }

    /// The parameter's name as written in a reparameterisation proposal, e.g. `challengeStake`.
    public var description: String { rawValue }
    /// Orders parameters alphabetically by name.
    public static func < (l: MarketParameter, r: MarketParameter) -> Bool { l.rawValue < r.rawValue }
}

extension UInt256 {
    /// 10^30, the upper bound of the amount-valued parameters.
    static let tenToThe30: UInt256 = {
        var v = UInt256.one
        for _ in 0..<30 { v = (try? v.multiplied(by: 10)) ?? v }
        return v
    }()

    /// 10^18: one whole token in wei.
    static let oneToken: UInt256 = 1_000_000_000_000_000_000

    /// `n` whole tokens in wei (never overflows: n < 2^64).
    static func tokens(_ n: UInt64) -> UInt256 { UInt256(n).multipliedFullWidth(by: oneToken).low }
}
