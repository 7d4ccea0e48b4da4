/// A small, fast, seeded random number generator (Steele, Lea & Flood's SplitMix64), so every
/// shuffle, split and Monte Carlo estimate reproduces exactly from its seed.
///
/// The one seeded generator of the package: ModelMarketKit's dataset splits and Shapley
/// estimates, the benchmarks' inputs and every seeded test (through DataMarketTesting) use this
/// type. It lives here, at the bottom of the graph that all of them share. Not for secrets:
/// keys and salts come from the system's secure generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (Lemire's rejection method, no modulo bias); 0 when
    /// `bound` is 0.
    public mutating func below(_ bound: UInt64) -> UInt64 {
        guard bound > 0 else { return 0 }
        while true {
            let (high, low) = next().multipliedFullWidth(by: bound)
            if low >= (0 &- bound) % bound { return high }
        }
    }

    /// A uniform double in `[0, 1)` from the top 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// `count` random bytes, each the low byte of one draw.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<max(count, 0)).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    /// Shuffles `array` in place (Fisher–Yates, from the end).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = Int(below(UInt64(i + 1)))
            array.swapAt(i, j)
        }
    }
}
