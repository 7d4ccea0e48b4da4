/// Epsilon is handled as an integer number of milli-epsilon (1 ε = 1000), so budgets and prices
/// add up exactly; text forms are decimals with at most three fractional digits ("0.25").
package enum Epsilon {
    /// Milli-epsilon per epsilon.
    package static let milliPerUnit: UInt64 = 1000

    /// Parses `"1"`, `"0.5"`, `"0.125"` into milli-epsilon.
    /// - Throws: ``DatatrustError/badRequest(_:)`` for anything else, naming `field`.
    package static func parse(_ text: String, field: String = "epsilon") throws(DatatrustError) -> UInt64 {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let bad = DatatrustError.badRequest("\(field): \"\(text.prefix(40))\" is not a decimal with at most 3 fractional digits, e.g. \"0.5\"")
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.count <= 9,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }), let w = UInt64(whole) else { throw bad }
        var fraction: UInt64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard (1...3).contains(f.count), f.allSatisfy({ $0.isASCII && $0.isNumber }), let v = UInt64(f) else { throw bad }
            fraction = v * [100, 10, 1][f.count - 1]
        }
        return w * milliPerUnit + fraction
    }

    /// Formats milli-epsilon as a decimal: 1500 → "1.5", 2000 → "2", 125 → "0.125".
    package static func format(milli: UInt64) -> String {
        let whole = milli / milliPerUnit
        let fraction = milli % milliPerUnit
        guard fraction != 0 else { return "\(whole)" }
        var digits = String(fraction)
        while digits.count < 3 { digits = "0" + digits }
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
