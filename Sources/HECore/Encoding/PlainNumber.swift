extension Paillier {
    /// A decoded plaintext: an exact integer (exponent ≥ 0) or a `Double` (exponent < 0),
    /// as phe's `decode` returns an `int` or a `float`.
    public enum PlainNumber: Sendable, Hashable, CustomStringConvertible {
        /// An exact integer.
        case integer(BigInteger)
        /// A floating-point value, correctly rounded from mantissa · 16^exponent.
        case double(Double)

        /// The value as a `Double` (integers correctly rounded; ±infinity beyond the range).
        public var doubleValue: Double {
            switch self {
            case .integer(let value):
                return (try? value.correctlyRoundedDouble(timesPowerOfTwo: 0))
                    ?? (value.signum < 0 ? -.infinity : .infinity)
            case .double(let value): return value
            }
        }

        /// Integers in decimal; doubles as the shortest text that reads back to the same value.
        public var description: String {
            switch self {
            case .integer(let value): return value.decimalString
            case .double(let value): return "\(value)"
            }
        }
    }
}
