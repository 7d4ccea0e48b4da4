extension TypedData {
    /// A JSON value inside typed data. Integers may be JSON numbers or strings (decimal, or
    /// `0x` hex), as wallets accept both; numbers beyond 64 bits must be strings.
    public enum Value: Sendable, Equatable, Codable {
        /// A JSON string.
        case string(String)
        /// A non-negative JSON integer.
        case unsigned(UInt64)
        /// A negative JSON integer.
        case signed(Int64)
        /// `true` or `false`.
        case bool(Bool)
        /// A JSON array.
        case array([Value])
        /// A JSON object.
        case object([String: Value])
        /// `null`.
        case null

        /// Decodes any JSON value; a fractional or out-of-range number is refused.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null; return }
            if let b = try? c.decode(Bool.self) { self = .bool(b); return }
            if let s = try? c.decode(String.self) { self = .string(s); return }
            if let u = try? c.decode(UInt64.self) { self = .unsigned(u); return }
            if let i = try? c.decode(Int64.self) { self = .signed(i); return }
            if let a = try? c.decode([Value].self) { self = .array(a); return }
            if let o = try? c.decode([String: Value].self) { self = .object(o); return }
            throw DecodingError.dataCorruptedError(
                in: c, debugDescription: "expected a JSON string, integer, boolean, array, object or null; integers beyond 64 bits must be strings")
        }

        /// Encodes the JSON value.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .string(let s): try c.encode(s)
            case .unsigned(let u): try c.encode(u)
            case .signed(let i): try c.encode(i)
            case .bool(let b): try c.encode(b)
            case .array(let a): try c.encode(a)
            case .object(let o): try c.encode(o)
            case .null: try c.encodeNil()
            }
        }

        /// The string, if this is one.
        public var stringValue: String? {
            if case .string(let s) = self { return s }
            return nil
        }

        /// The value as an unsigned 64-bit integer: a JSON number or a decimal or `0x` string.
        public var uint64Value: UInt64? {
            switch self {
            case .unsigned(let u): return u
            case .string(let s): return (try? TypedData.parseUnsigned(s, path: ""))?.uint64Value
            default: return nil
            }
        }

        /// A JSON number for values up to 2^53 − 1 (exact in JavaScript), else a decimal string.
        public static func integer(_ value: UInt64) -> Value {
            value < (1 << 53) ? .unsigned(value) : .string(String(value))
        }
    }

    // MARK: - Atomic types

    /// The 32-byte encoding of `value` as the atomic type `type`.
    static func encodeAtomic(_ type: String, _ value: Value, path: String) throws(TypedDataError) -> [UInt8] {
        switch type {
        case "string":
            guard case .string(let s) = value else { throw .invalidValue(path: path, type: type, reason: "expected a JSON string") }
            return Keccak256.hash(s).bytes
        case "bytes":
            return Keccak256.hash(try hexBytes(value, path: path, type: type)).bytes
        case "bool":
            guard case .bool(let b) = value else { throw .invalidValue(path: path, type: type, reason: "expected true or false") }
            return [UInt8](repeating: 0, count: 31) + [b ? 1 : 0]
        case "address":
            guard case .string(let s) = value else { throw .invalidValue(path: path, type: type, reason: "expected a 0x address string") }
            do { return [UInt8](repeating: 0, count: 12) + (try Address(s)).bytes } catch {
                throw .invalidValue(path: path, type: type, reason: error.description)
            }
        default:
            break
        }
        if type.hasPrefix("bytes"), let n = Int(type.dropFirst(5)), (1...32).contains(n) {
            let bytes = try hexBytes(value, path: path, type: type)
            guard bytes.count == n else { throw .invalidValue(path: path, type: type, reason: "expected \(n) bytes, found \(bytes.count)") }
            return bytes + [UInt8](repeating: 0, count: 32 - n)
        }
        if type.hasPrefix("uint"), let bits = Int(type.dropFirst(4)), bits % 8 == 0, (8...256).contains(bits) {
            let v: UInt256
            switch value {
            case .unsigned(let u): v = UInt256(u)
            case .string(let s): v = try parseUnsigned(s, path: path)
            default: throw .invalidValue(path: path, type: type, reason: "expected an integer or an integer string")
            }
            guard v.significantBitCount <= bits else { throw .invalidValue(path: path, type: type, reason: "\(v) does not fit in \(bits) bits") }
            return v.bigEndianBytes
        }
        if type.hasPrefix("int"), let bits = Int(type.dropFirst(3)), bits % 8 == 0, (8...256).contains(bits) {
            let negative: Bool
            let magnitude: UInt256
            switch value {
            case .unsigned(let u): (negative, magnitude) = (false, UInt256(u))
            case .signed(let i): (negative, magnitude) = (i < 0, UInt256(i.magnitude))
            case .string(let s):
                negative = s.hasPrefix("-")
                magnitude = try parseUnsigned(negative ? String(s.dropFirst()) : s, path: path)
            default: throw .invalidValue(path: path, type: type, reason: "expected an integer or an integer string")
            }
            // In range: positive below 2^(bits-1), negative down to -2^(bits-1).
            let limitBits = bits - 1
            let fits = negative
                ? (magnitude.significantBitCount <= limitBits || (magnitude.significantBitCount == bits && magnitude.trailingZeroBitCount == limitBits))
                : magnitude.significantBitCount <= limitBits
            guard fits else { throw .invalidValue(path: path, type: type, reason: "does not fit in \(bits)-bit two's complement") }
            guard negative, !magnitude.isZero else { return magnitude.bigEndianBytes }
            // Two's complement over 256 bits: ~(m - 1).
            let minusOne = (try? magnitude - UInt256(1)) ?? UInt256.zero
            return minusOne.bigEndianBytes.map { ~$0 }
        }
        throw .unknownType(type)
    }

    static func parseUnsigned(_ text: String, path: String) throws(TypedDataError) -> UInt256 {
        do {
            if text.hasPrefix("0x") || text.hasPrefix("0X") { return try UInt256(hex: text, field: path) }
            return try UInt256(decimalInteger: text, field: path)
        } catch {
            throw .invalidValue(path: path, type: "integer", reason: error.description)
        }
    }

    private static func hexBytes(_ value: Value, path: String, type: String) throws(TypedDataError) -> [UInt8] {
        guard case .string(let s) = value, s.hasPrefix("0x") else { throw .invalidValue(path: path, type: type, reason: "expected a 0x hex string") }
        do { return try Hex.decode(s, field: path) } catch { throw .invalidValue(path: path, type: type, reason: error.description) }
    }
}
