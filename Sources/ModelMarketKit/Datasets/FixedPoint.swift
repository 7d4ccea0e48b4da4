/// Conversion between real numbers (off chain) and the fixed-point integers the chain scores.
public enum FixedPoint {
    /// `round(value · scale)` (half away from zero), or nil when not finite or beyond ±2^62.
    public static func encode(_ value: Double, scale: Int64) -> Int64? {
        let scaled = (value * Double(scale)).rounded(.toNearestOrAwayFromZero)
        guard scaled.isFinite, abs(scaled) < 4.6e18 else { return nil }
        return Int64(scaled)
    }

    /// `value / scale` as a double.
    public static func decode(_ value: Int64, scale: Int64) -> Double { Double(value) / Double(scale) }
}
