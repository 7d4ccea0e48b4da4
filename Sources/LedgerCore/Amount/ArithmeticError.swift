/// Why a checked ``UInt256`` operation refused to produce a result.
///
/// Amounts never wrap around: a result outside `0...2^256−1` is this error instead.
public enum ArithmeticError: Error, Equatable, Sendable {
    /// The result would exceed 2^256 − 1; `operation` names the operator (`+`, `*`, `<<`) or
    /// the function, and `lhs`/`rhs` are its operands.
    case overflow(operation: String, lhs: UInt256, rhs: UInt256)
    /// A subtraction `lhs − rhs` would go below zero.
    case underflow(lhs: UInt256, rhs: UInt256)
    /// A division or remainder by zero; `dividend` is the value that was to be divided.
    case divisionByZero(dividend: UInt256)
}

extension ArithmeticError: CustomStringConvertible {
    /// What went wrong, with the operands and the bound that was crossed.
    public var description: String {
        switch self {
        case let .overflow(operation, lhs, rhs):
            let bound = "exceeds 2^256−1 = \(UInt256.max), the largest UInt256"
            if operation.count <= 2 {
                return "overflow: \(lhs) \(operation) \(rhs) \(bound)"
            }
            return "overflow: \(operation) of \(lhs) and \(rhs) \(bound)"
        case let .underflow(lhs, rhs):
            return "underflow: \(lhs) - \(rhs) would be negative; a UInt256 is at least 0"
        case let .divisionByZero(dividend):
            return "division by zero: \(dividend) / 0; the divisor must be at least 1"
        }
    }
}
