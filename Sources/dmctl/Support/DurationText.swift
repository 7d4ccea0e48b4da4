/// Parses the durations people type: `900` (seconds), `45s`, `15m`, `2h`, `3d`.
enum DurationText {
    /// The grammar, for messages.
    static let grammar = "a whole number of seconds, optionally followed by one unit s, m, h or d (e.g. 900, 15m, 2h, 3d)"

    /// The number of seconds `text` stands for.
    ///
    /// - Throws: ``CLIError/usage(_:)`` naming `field` for anything else: signs, spaces,
    ///   fractions, unknown or repeated units, or a value above 2^64 − 1 seconds.
    static func seconds(_ text: String, field: String) throws(CLIError) -> UInt64 {
        var digits = Substring(text)
        var unit: UInt64 = 1
        if let last = text.last, !last.isASCII || !last.isNumber {
            switch last {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            default:
                throw .usage("\(field): '\(text)' has unknown unit '\(last)'; expected \(grammar)")
            }
            digits = digits.dropLast()
        }
        guard !digits.isEmpty else { throw .usage("\(field): '\(text)' has no digits; expected \(grammar)") }
        var value: UInt64 = 0
        for ch in digits.utf8 {
            guard (0x30...0x39).contains(ch) else {
                throw .usage("\(field): '\(text)' is not a duration; expected \(grammar)")
            }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(ch - 0x30))
            guard !o1, !o2 else { throw .usage("\(field): '\(text)' exceeds 2^64-1 seconds; expected \(grammar)") }
            value = sum
        }
        let (total, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow else { throw .usage("\(field): '\(text)' exceeds 2^64-1 seconds; expected \(grammar)") }
        return total
    }
}
