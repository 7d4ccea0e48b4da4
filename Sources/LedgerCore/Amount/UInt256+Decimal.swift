// Base-10 text: the integer form (`description`, Codable) and the human form with a decimal
// point (`1.5` tokens with 18 decimals). Both work 19 digits at a time (10^19 is the largest
// power of ten in a limb): printing divides by 10^19 at most five times (each a few limb
// divisions by reciprocal multiplication) instead of 78 divisions by 10, and parsing
// multiplies by 10^19 once per 19 digits.

extension UInt256 {
    /// 10^19, the largest power of ten that fits in a limb.
    @usableFromInline internal static let tenToThe19: UInt64 = 10_000_000_000_000_000_000

    /// 10^k for k in 0...19.
    @inlinable
    internal static func limbPowerOfTen(_ k: Int) -> UInt64 {
        var p: UInt64 = 1
        for _ in 0..<Swift.min(Swift.max(k, 0), 19) { p &*= 10 }
        return p
    }

    /// 10^exponent, or `nil` when it exceeds 2^256 − 1 (exponent > 77) or exponent < 0.
    internal static func powerOfTen(_ exponent: Int) -> UInt256? {
        guard exponent >= 0, exponent <= 77 else { return nil }
        var result = UInt256(limbPowerOfTen(exponent % 19))
        for _ in 0..<(exponent / 19) {
            let (next, overflow) = result.multipliedReportingOverflow(byLimb: tenToThe19)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// Calls `body` with the base-10 digits (ASCII, no leading zeros, `"0"` for zero), which
    /// are written into a buffer on the stack.
    internal func withDecimalDigits<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 80) { buffer in
            // 2^256 − 1 has 78 digits; they are written from the end, 19 per limb division.
            var position = buffer.count
            var rest = self
            while true {
                let (quotient, chunk) = rest.quotientAndRemainder(dividingByTenToThe19: ())
                var c = chunk
                let last = quotient.isZero
                // Two digits per division by 100; a full chunk has 19 digits (9 pairs + 1).
                var written = 0
                while last ? c >= 10 : written < 18 {
                    let pair = c % 100
                    c /= 100
                    let tens = UInt8(truncatingIfNeeded: pair / 10), ones = UInt8(truncatingIfNeeded: pair % 10)
                    buffer.initializeElement(at: position - 1, to: 0x30 &+ ones)
                    buffer.initializeElement(at: position - 2, to: 0x30 &+ tens)
                    position -= 2
                    written += 2
                }
                if !last || c != 0 || written == 0 {
                    position -= 1
                    buffer.initializeElement(at: position, to: 0x30 &+ UInt8(truncatingIfNeeded: c))
                }
                if last { break }
                rest = quotient
            }
            return body(UnsafeBufferPointer(rebasing: buffer[position...]))
        }
    }

    /// The quotient and remainder of a division by 10^19, using a precomputed reciprocal
    /// instead of the hardware's slow 128-by-64-bit divide (Möller and Granlund, "Improved
    /// division by invariant integers", 2011, algorithm 4; 10^19 already has its top bit set).
    internal func quotientAndRemainder(dividingByTenToThe19: Void) -> (quotient: UInt256, remainder: UInt64) {
        var r: UInt64 = 0
        var q = UInt256.zero
        for i in stride(from: significantLimbCount - 1, through: 0, by: -1) {
            (q[limb: i], r) = Self.divideByTenToThe19(high: r, low: self[limb: i])
        }
        return (q, r)
    }

    /// ⌊(2^128 − 1) / 10^19⌋ − 2^64, the reciprocal of 10^19 for ``divideByTenToThe19(high:low:)``.
    /// (A test checks it against `tenToThe19.dividingFullWidth((~tenToThe19, ~0))`.)
    @usableFromInline internal static let tenToThe19Reciprocal: UInt64 = 0xD83C_94FB_6D2A_C34A

    /// `(high · 2^64 + low) / 10^19` for `high < 10^19`, as (quotient, remainder).
    @inline(__always)
    internal static func divideByTenToThe19(high: UInt64, low: UInt64) -> (UInt64, UInt64) {
        let d = tenToThe19
        let product = tenToThe19Reciprocal.multipliedFullWidth(by: high)
        let (q0, carry) = product.low.addingReportingOverflow(low)
        var q1 = product.high &+ high &+ (carry ? 1 : 0) &+ 1
        var r = low &- q1 &* d
        if r > q0 {
            q1 &-= 1
            r &+= d
        }
        if r >= d {
            q1 &+= 1
            r -= d
        }
        return (q1, r)
    }

    /// Parses ASCII decimal digits (already validated) into a value, 19 digits at a time;
    /// `nil` when the value exceeds 2^256 − 1. Leading zeros are allowed.
    internal static func accumulateDecimalDigits(_ digits: some Sequence<UInt8>) -> UInt256? {
        var value = UInt256.zero
        var chunk: UInt64 = 0, chunkLength = 0
        for digit in digits {
            chunk = chunk &* 10 &+ UInt64(digit &- 0x30)
            chunkLength += 1
            if chunkLength == 19 {
                guard let next = value.appendingDecimalChunk(chunk, length: 19) else { return nil }
                value = next
                chunk = 0
                chunkLength = 0
            }
        }
        if chunkLength > 0 { return value.appendingDecimalChunk(chunk, length: chunkLength) }
        return value
    }

    /// `self · 10^length + chunk`, or `nil` above 2^256 − 1 (`chunk < 10^length`).
    @inline(__always)
    internal func appendingDecimalChunk(_ chunk: UInt64, length: Int) -> UInt256? {
        if isZero { return UInt256(chunk) }
        let (scaled, o1) = multipliedReportingOverflow(byLimb: length == 19 ? Self.tenToThe19 : Self.limbPowerOfTen(length))
        let (sum, o2) = scaled.addingReportingOverflow(UInt256(chunk))
        return o1 || o2 ? nil : sum
    }
}

// MARK: - Integer form

extension UInt256: CustomStringConvertible {
    /// The base-10 integer, e.g. `"1500000000000000000"`; this is also the Codable form.
    public var description: String {
        if let small = uint64Value { return String(small) }
        return withDecimalDigits { String(decoding: $0, as: UTF8.self) }
    }
}

extension UInt256 {
    /// Parses a base-10 integer in the smallest unit, e.g. `"1500000000000000000"`.
    ///
    /// Only ASCII digits are accepted (leading zeros are fine): no sign, no spaces, no
    /// separators, no exponent, no decimal point.
    ///
    /// - Parameters:
    ///   - text: the digits.
    ///   - field: the name of the input, used in error messages.
    /// - Throws: ``AmountParseError/empty(field:)``,
    ///   ``AmountParseError/invalidDigit(field:character:offset:expected:)`` or
    ///   ``AmountParseError/outOfRange(field:)``.
    public init(decimalInteger text: String, field: String = "amount") throws(AmountParseError) {
        let outcome = Self.withUTF8(of: text) { bytes -> ParseOutcome in
            if bytes.isEmpty { return .failure(.empty(field: field)) }
            for (offset, byte) in bytes.enumerated() where !(0x30...0x39).contains(byte) {
                return .invalid(offset: offset, expected: .decimalDigit)
            }
            guard let value = Self.accumulateDecimalDigits(bytes) else { return .failure(.outOfRange(field: field)) }
            return .value(value)
        }
        self = try outcome.get(text: text, field: field)
    }
}

// MARK: - Decimal-point form

extension UInt256 {
    /// Parses an amount written with a decimal point into the smallest unit: with 18
    /// decimals, `"1.5"` is 1500000000000000000, `"1"` is 10^18 and
    /// `"0.000000000000000001"` is 1.
    ///
    /// The grammar is strict: one or more ASCII digits, optionally followed by `.` and one to
    /// `decimals` digits. Refused: signs, spaces, exponents (`1e18`), separators, an empty
    /// part on either side of the point (`.5`, `1.`, `.`), and more fractional digits than
    /// `decimals` even when they are zeros (`1.50` with 1 decimal); nothing is ever rounded.
    ///
    /// - Parameters:
    ///   - text: the amount, e.g. `"12.25"`.
    ///   - decimals: how many decimal digits one whole token has (18 like ether).
    ///   - field: the name of the input, used in error messages.
    /// - Throws: an ``AmountParseError`` naming `field`.
    public init(decimal text: String, decimals: Int = 18, field: String = "amount") throws(AmountParseError) {
        let outcome = Self.withUTF8(of: text) { bytes -> ParseOutcome in
            if bytes.isEmpty { return .failure(.empty(field: field)) }
            var point: Int?
            for (offset, byte) in bytes.enumerated() {
                if (0x30...0x39).contains(byte) { continue }
                if byte == 0x2E, point == nil { point = offset; continue }
                return .invalid(offset: offset, expected: point == nil ? .decimalDigitOrPoint : .decimalDigit)
            }
            let fractionLength = point.map { bytes.count - $0 - 1 } ?? 0
            if point == 0 { return .failure(.missingIntegerDigits(field: field)) }
            if point != nil && fractionLength == 0 { return .failure(.missingFractionalDigits(field: field)) }
            if decimals < 0 { return .failure(.negativeDecimals(field: field, decimals: decimals)) }
            if fractionLength > decimals {
                return .failure(.tooManyFractionalDigits(field: field, given: fractionLength, allowed: decimals))
            }
            // All digits (without the point) as one integer, then scaled by the missing zeros.
            guard let digits = Self.accumulateDecimalDigits(bytes.lazy.filter { $0 != 0x2E }) else {
                return .failure(.outOfRange(field: field))
            }
            if digits.isZero { return .value(.zero) }
            guard let scale = Self.powerOfTen(decimals - fractionLength),
                  let value = try? digits.multiplied(by: scale)
            else { return .failure(.outOfRange(field: field)) }
            return .value(value)
        }
        self = try outcome.get(text: text, field: field)
    }

    /// The shortest exact decimal form for a token with `decimals` decimals: with 18,
    /// 1500000000000000000 is `"1.5"`, 10^18 is `"1"`, 1 is `"0.000000000000000001"` and
    /// zero is `"0"`.
    ///
    /// There is no rounding and no trailing zero after the point, so
    /// `UInt256(decimal: x.formatted(decimals: d), decimals: d) == x`. A negative `decimals`
    /// is treated as 0. The result has about `decimals` characters when the value is small,
    /// so `decimals` should be a token's configured scale (ERC-20 uses 0...255).
    public func formatted(decimals: Int = 18) -> String {
        let decimals = Swift.max(decimals, 0)
        if decimals == 0 { return description }
        return withDecimalDigits { digits in
            let count = digits.count
            // Digits at index >= fractionStart are fractional; a negative start means the
            // value is below one and needs -fractionStart zeros after the point.
            let fractionStart = count - decimals
            var end = count
            while end > Swift.max(fractionStart, 0) && digits[end - 1] == 0x30 { end -= 1 }
            let integerDigits = Swift.max(fractionStart, 0)
            let leadingZeros = Swift.max(-fractionStart, 0)
            let fractionDigits = end - integerDigits
            let length = Swift.max(integerDigits, 1) + (fractionDigits > 0 ? 1 + leadingZeros + fractionDigits : 0)
            return String(unsafeUninitializedCapacity: length) { out in
                var i = 0
                if integerDigits == 0 {
                    out[i] = 0x30
                    i += 1
                }
                for k in 0..<integerDigits {
                    out[i] = digits[k]
                    i += 1
                }
                if fractionDigits > 0 {
                    out[i] = 0x2E
                    i += 1
                    for _ in 0..<leadingZeros {
                        out[i] = 0x30
                        i += 1
                    }
                    for k in integerDigits..<end {
                        out[i] = digits[k]
                        i += 1
                    }
                }
                return i
            }
        }
    }
}

// MARK: - Parsing plumbing

extension UInt256 {
    /// The result of scanning UTF-8 bytes, before the error (which needs the text) is built.
    internal enum ParseOutcome {
        case value(UInt256)
        case failure(AmountParseError)
        /// The byte at `offset` starts a character that is not allowed there.
        case invalid(offset: Int, expected: AmountParseError.Expected)

        /// The value, or the error with the offending character taken from `text`.
        func get(text: String, field: String) throws(AmountParseError) -> UInt256 {
            switch self {
            case let .value(v):
                return v
            case let .failure(error):
                throw error
            case let .invalid(offset, expected):
                // Every byte before `offset` was ASCII, so `offset` is also the position in
                // Unicode scalars and starts a scalar.
                let index = text.utf8.index(text.utf8.startIndex, offsetBy: offset)
                let scalar = text.unicodeScalars[index]
                throw .invalidDigit(field: field, character: Character(scalar), offset: offset, expected: expected)
            }
        }
    }

    /// Runs `body` over the contiguous UTF-8 bytes of `text` (no copy for native strings).
    internal static func withUTF8<R>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var text = text
        return text.withUTF8(body)
    }
}
