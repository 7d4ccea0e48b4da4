/// A 256-bit unsigned integer: every amount and every piece of integer protocol state.
///
/// Amounts are counted in the smallest unit (18 decimals, like wei), so `1.5` tokens is
/// `1_500_000_000_000_000_000`. The value is held inline as four 64-bit limbs, least
/// significant first, so it never allocates, hashes and compares fast, and is freely `Sendable`.
///
/// All arithmetic is checked: a result that would leave `0...2^256−1` throws an
/// ``ArithmeticError`` instead of wrapping around or trapping.
///
/// ```swift
/// let price: UInt256 = 1_000
/// let total = try price * 3 + 7          // 3007
/// let (share, dust) = try UInt256.multiplyThenDivide(total, 2, 3)
/// ```
public struct UInt256: Hashable, Sendable {
    /// Bits 0–63 (the least significant limb).
    @usableFromInline internal var w0: UInt64
    /// Bits 64–127.
    @usableFromInline internal var w1: UInt64
    /// Bits 128–191.
    @usableFromInline internal var w2: UInt64
    /// Bits 192–255 (the most significant limb).
    @usableFromInline internal var w3: UInt64

    /// Creates a value from its limbs, least significant first.
    @inlinable @inline(__always)
    internal init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Creates a value from its four 64-bit limbs, least significant limb first.
    @inlinable
    public init(littleEndianLimbs limbs: (UInt64, UInt64, UInt64, UInt64)) {
        self.init(limbs.0, limbs.1, limbs.2, limbs.3)
    }

    /// The four 64-bit limbs, least significant limb first.
    @inlinable
    public var littleEndianLimbs: (UInt64, UInt64, UInt64, UInt64) { (w0, w1, w2, w3) }

    /// Creates a value equal to `value`.
    @inlinable
    public init(_ value: UInt64) {
        self.init(value, 0, 0, 0)
    }

    /// Creates a value equal to `value`, or `nil` when `value` is negative.
    @inlinable
    public init?(exactly value: Int) {
        guard value >= 0 else { return nil }
        self.init(UInt64(value), 0, 0, 0)
    }

    /// Zero.
    public static let zero = UInt256(0, 0, 0, 0)

    /// One (the smallest unit).
    public static let one = UInt256(1, 0, 0, 0)

    /// The largest value, 2^256 − 1 =
    /// 115792089237316195423570985008687907853269984665640564039457584007913129639935.
    public static let max = UInt256(.max, .max, .max, .max)

    /// The number of bits in the representation: 256.
    public static var bitWidth: Int { 256 }

    /// Whether the value is zero.
    @inlinable
    public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }

    /// The value as a `UInt64`, or `nil` when it is 2^64 or more.
    @inlinable
    public var uint64Value: UInt64? { (w1 | w2 | w3) == 0 ? w0 : nil }

    /// The number of zero bits above the most significant one bit (256 for zero).
    @inlinable
    public var leadingZeroBitCount: Int {
        if w3 != 0 { return w3.leadingZeroBitCount }
        if w2 != 0 { return 64 + w2.leadingZeroBitCount }
        if w1 != 0 { return 128 + w1.leadingZeroBitCount }
        return 192 + w0.leadingZeroBitCount
    }

    /// The number of zero bits below the least significant one bit (256 for zero).
    @inlinable
    public var trailingZeroBitCount: Int {
        if w0 != 0 { return w0.trailingZeroBitCount }
        if w1 != 0 { return 64 + w1.trailingZeroBitCount }
        if w2 != 0 { return 128 + w2.trailingZeroBitCount }
        return 192 + w3.trailingZeroBitCount
    }

    /// The number of bits needed to write the value: ⌊log2(value)⌋ + 1, and 0 for zero.
    @inlinable
    public var significantBitCount: Int { 256 - leadingZeroBitCount }

    /// The number of limbs up to and including the most significant non-zero one (0 for zero).
    @inlinable
    internal var significantLimbCount: Int {
        if w3 != 0 { return 4 }
        if w2 != 0 { return 3 }
        if w1 != 0 { return 2 }
        return w0 != 0 ? 1 : 0
    }

    /// The limb at `index` (0 is the least significant); indices outside `0..<4` read as zero
    /// and ignore writes, so no index can trap.
    @inlinable
    internal subscript(limb index: Int) -> UInt64 {
        @inline(__always) get {
            switch index {
            case 0: return w0
            case 1: return w1
            case 2: return w2
            case 3: return w3
            default: return 0
            }
        }
        @inline(__always) set {
            switch index {
            case 0: w0 = newValue
            case 1: w1 = newValue
            case 2: w2 = newValue
            case 3: w3 = newValue
            default: break
            }
        }
    }
}

// MARK: - Literals

extension UInt256: ExpressibleByIntegerLiteral {
    /// Creates a value from an integer literal of at most 64 bits.
    @inlinable
    public init(integerLiteral value: UInt64) {
        self.init(value, 0, 0, 0)
    }
}

// MARK: - Ordering

extension UInt256: Comparable {
    /// Whether `lhs` is smaller than `rhs`.
    @inlinable
    public static func < (lhs: UInt256, rhs: UInt256) -> Bool {
        if lhs.w3 != rhs.w3 { return lhs.w3 < rhs.w3 }
        if lhs.w2 != rhs.w2 { return lhs.w2 < rhs.w2 }
        if lhs.w1 != rhs.w1 { return lhs.w1 < rhs.w1 }
        return lhs.w0 < rhs.w0
    }
}
