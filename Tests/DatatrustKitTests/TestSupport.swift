import LedgerCore
import MarketKit

/// `n` whole tokens (18 decimals), in smallest units.
func tokens(_ n: UInt64) -> UInt256 { UInt256(n).multipliedFullWidth(by: 1_000_000_000_000_000_000).low }

/// `n` thousandths of a token, in smallest units.
func milli(_ n: UInt64) -> UInt256 { UInt256(n).multipliedFullWidth(by: 1_000_000_000_000_000).low }

/// The parameters of the "cancer" market the chain-backed tests create: 600 s votes and
/// deadlines, jobs that time out after `jobTimeout` seconds.
func cancerMarketParameters(jobTimeout: UInt256 = 600) -> Parameters {
    Parameters(
        challengeStake: tokens(10), applicationDeposit: tokens(5), voteBy: 600, quorum: 50, plurality: 50,
        dispensation: 50, councilThreshold: tokens(100), priceFloor: milli(10), priceSlope: 1_000_000_000_000,
        listReward: tokens(250), accessReward: tokens(1), defaultAccessCost: milli(1), makerPayment: 50,
        backendPayment: 25, resolveDeadline: 600, jobTimeout: jobTimeout)
}

/// Whether `needle` occurs in `haystack`.
func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
        if Array(haystack[i..<i + needle.count]) == needle { return true }
    }
    return false
}
