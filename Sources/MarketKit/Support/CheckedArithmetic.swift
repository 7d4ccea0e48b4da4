import LedgerCore

/// An error set with a case for checked arithmetic that failed, naming the quantity computed:
/// ``MarketError/arithmetic(field:_:)`` and ``RolesError/arithmetic(field:_:)``.
protocol ArithmeticFailure: Error {
    /// The error for `error`, met while computing `field`.
    static func arithmetic(field: String, _ error: ArithmeticError) -> Self
}

extension MarketError: ArithmeticFailure {}
extension RolesError: ArithmeticFailure {}

/// Checked arithmetic that reports a failure as `Failure.arithmetic(field:_:)`, one set for the
/// market module (``Arith``) and the roles module (``RolesArith``).
enum CheckedArithmetic<Failure: ArithmeticFailure> {
    /// `a + b`.
    static func add(_ a: UInt256, _ b: UInt256, _ field: String) throws(Failure) -> UInt256 {
        do { return try a.adding(b) } catch { throw .arithmetic(field: field, error) }
    }
    /// `a − b`.
    static func sub(_ a: UInt256, _ b: UInt256, _ field: String) throws(Failure) -> UInt256 {
        do { return try a.subtracting(b) } catch { throw .arithmetic(field: field, error) }
    }
    /// `a · b`.
    static func mul(_ a: UInt256, _ b: UInt256, _ field: String) throws(Failure) -> UInt256 {
        do { return try a.multiplied(by: b) } catch { throw .arithmetic(field: field, error) }
    }
    /// `floor(a / b)`.
    static func div(_ a: UInt256, _ b: UInt256, _ field: String) throws(Failure) -> UInt256 {
        do { return try a.dividedReportingRemainder(by: b).quotient } catch { throw .arithmetic(field: field, error) }
    }
    /// `floor(a·b/c)` and its remainder, with a 512-bit intermediate.
    static func mulDiv(_ a: UInt256, _ b: UInt256, _ c: UInt256, _ field: String) throws(Failure) -> (quotient: UInt256, remainder: UInt256) {
        do { return try UInt256.multiplyThenDivide(a, b, c) } catch { throw .arithmetic(field: field, error) }
    }
    /// `ceil(a·b/c)`.
    static func mulDivUp(_ a: UInt256, _ b: UInt256, _ c: UInt256, _ field: String) throws(Failure) -> UInt256 {
        do { return try UInt256.mulDivRoundingUp(a, b, c) } catch { throw .arithmetic(field: field, error) }
    }
    /// `a + b` on times and counters, refusing to pass 2^64 − 1.
    static func add(_ a: UInt64, _ b: UInt64, _ field: String) throws(Failure) -> UInt64 {
        let (r, o) = a.addingReportingOverflow(b)
        guard !o else { throw .arithmetic(field: field, .overflow(operation: "+", lhs: UInt256(a), rhs: UInt256(b))) }
        return r
    }
}

/// Checked arithmetic that reports failures as ``MarketError/arithmetic(field:_:)``.
typealias Arith = CheckedArithmetic<MarketError>
/// Checked arithmetic that reports failures as ``RolesError/arithmetic(field:_:)``.
typealias RolesArith = CheckedArithmetic<RolesError>
