public import DatatrustKit
public import LedgerCore

/// The seeded generator as the source of a datatrust's exact noise, so privacy tests
/// reproduce from their seed.
extension SplitMix64: ExactRandomSource {
    /// A uniform integer in `0..<bound` (`SplitMix64.below(_:)`).
    public mutating func uniform(below bound: UInt64) -> UInt64 { below(bound) }
}
