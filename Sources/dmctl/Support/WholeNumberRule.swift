/// The whole-number rule for counts, limits, intervals and ports given on the command line:
/// a value outside its range is a usage error (exit 2) that names the option and the range, the
/// same in every group. A negative value reaches here too (dmctl joins `--limit -3` to
/// `--limit=-3`), and is refused by its range rather than read as an option name.
enum WholeNumberRule {
    /// The ports a server may listen on (0, "any free port", only where a command says so).
    static let ports: ClosedRange<Int> = 1...65_535

    /// `value` when `range` contains it, else a usage error: "--port: 70000 is out of range;
    /// expected a whole number from 1 to 65535".
    @discardableResult
    static func check<Value: FixedWidthInteger>(_ value: Value, in range: ClosedRange<Value>, field: String) throws(CLIError) -> Value {
        guard range.contains(value) else {
            let expected = range.upperBound == Value.max ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw .usage("\(field): \(value) is out of range; expected a whole number \(expected)")
        }
        return value
    }
}
