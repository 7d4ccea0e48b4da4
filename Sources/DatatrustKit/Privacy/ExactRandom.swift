import LedgerCore
internal import SodiumSupport

/// A source of uniform random integers for the exact samplers. Only integer draws are used,
/// so the sampled distributions are exact up to the quality of the source.
public protocol ExactRandomSource {
    /// A uniform random integer in `0 ..< bound` (`bound` ≥ 1).
    mutating func uniform(below bound: UInt64) -> UInt64
}

/// Cryptographically secure draws from libsodium (`randombytes_buf`), with rejection sampling
/// so every value below the bound is exactly equally likely.
public struct SodiumRandomSource: ExactRandomSource, Sendable {
    /// A source.
    public init() {}

    /// A uniform integer in `0 ..< bound`.
    public mutating func uniform(below bound: UInt64) -> UInt64 {
        guard bound > 1 else { return 0 }
        // Reject the top (2^64 mod bound) values so the remainder is unbiased.
        let threshold = (0 &- bound) % bound
        while true {
            let r = SecureRandom.bytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if r >= threshold { return r % bound }
        }
    }
}
