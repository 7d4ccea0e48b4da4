/// Why a data file could not be read or split.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file has no data rows.
    case empty
    /// A row has the wrong number of fields.
    case fieldCount(line: Int, expected: Int, found: Int)
    /// A field is not a finite number.
    case notANumber(line: Int, column: Int, text: String)
    /// A label is not an integer in the labels' fixed-point scale.
    case invalidLabel(line: Int, text: String)
    /// The header's row or feature count disagrees with the body.
    case headerMismatch(field: String, header: Int, found: Int)
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// A split or subset parameter is out of range.
    case invalidSplit(reason: String)

    /// What was wrong with the dataset, naming the line where there is one, and what was expected.
    public var description: String {
        switch self {
        case .empty: "dataset: no data rows; expected at least one line `f_1,...,f_n,label`"
        case .fieldCount(let l, let e, let f): "line \(l): \(f) fields, expected \(e)"
        case .notANumber(let l, let c, let t): "line \(l), column \(c): '\(t)' is not a finite number"
        case .invalidLabel(let l, let t): "line \(l): label '\(t)' is not an integer (after scaling); expected a class or a fixed-point value"
        case .headerMismatch(let f, let h, let n): "header: \(f) is \(h), but the file has \(n)"
        case .unreadable(let p, let r): "\(p): cannot read: \(r)"
        case .invalidSplit(let r): "split: \(r)"
        }
    }
}
