import Foundation

/// Timing helpers shared by every benchmark area.
///
/// The machines are shared and noisy, so each figure is the best of several rounds and is
/// printed beside a baseline measured in the same run; the ratio is what carries over.
enum Bench {
    /// Monotonic nanoseconds.
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Runs `body` (which performs `operations` operations) `rounds` times and returns the
    /// best seconds per operation.
    static func secondsPerOp(operations: Int, rounds: Int = 5, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<rounds {
            let start = now()
            try body()
            let elapsed = Double(now() - start) / 1e9
            best = min(best, elapsed / Double(operations))
        }
        return best
    }

    /// Prints a section heading.
    static func section(_ title: String) {
        print("\n## \(title)")
        print(pad("figure", 46) + pad("value", 22) + pad("baseline (same run)", 30) + "ratio / target")
    }

    /// Prints one figure beside its baseline and target.
    static func row(_ name: String, value: String, baseline: String, ratio: Double?, target: String) {
        let r = ratio.map { String(format: "%.2f", $0) } ?? "-"
        print(pad(name, 46) + pad(value, 22) + pad(baseline, 30) + "\(r)  (\(target))")
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    /// Formats a rate per second.
    static func rate(_ secondsPerOp: Double, unit: String = "/s") -> String {
        let perSecond = 1 / secondsPerOp
        if perSecond >= 1e6 { return String(format: "%.2f M%@", perSecond / 1e6, unit) }
        if perSecond >= 1e3 { return String(format: "%.1f k%@", perSecond / 1e3, unit) }
        return String(format: "%.1f %@", perSecond, unit)
    }

    /// Formats a duration.
    static func duration(_ seconds: Double) -> String {
        if seconds >= 1 { return String(format: "%.2f s", seconds) }
        if seconds >= 1e-3 { return String(format: "%.2f ms", seconds * 1e3) }
        if seconds >= 1e-6 { return String(format: "%.2f µs", seconds * 1e6) }
        return String(format: "%.0f ns", seconds * 1e9)
    }
}
