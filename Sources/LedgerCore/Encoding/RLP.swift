/// Recursive Length Prefix, the canonical byte encoding Ethereum uses, for transactions and
/// block headers.
///
/// An item is either a byte string or a list of items. Decoding is strict: it refuses every
/// non-minimal form (a single byte below 0x80 wrapped in a prefix, long forms used for short
/// payloads, length fields with leading zeros) and trailing bytes, so that each value has
/// exactly one encoding and a hash of the encoding identifies the value.
public enum RLP: Equatable, Sendable {
    /// A byte string.
    case bytes([UInt8])
    /// A list of items.
    case list([RLP])

    // MARK: - Convenience constructors

    /// An unsigned integer as its minimal big-endian bytes (zero is the empty string).
    public static func uint(_ value: UInt64) -> RLP {
        var bytes: [UInt8] = []
        var v = value
        while v > 0 {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
        return .bytes(bytes.reversed())
    }

    /// A string as its UTF-8 bytes.
    public static func string(_ value: String) -> RLP { .bytes(Array(value.utf8)) }

    // MARK: - Encoding

    /// The canonical encoding of this item.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        append(to: &out)
        return out
    }

    /// Appends the canonical encoding of this item to `out`.
    public func append(to out: inout [UInt8]) {
        switch self {
        case .bytes(let b):
            if b.count == 1, b[0] < 0x80 {
                out.append(b[0])
            } else {
                RLP.appendLength(b.count, offset: 0x80, to: &out)
                out.append(contentsOf: b)
            }
        case .list(let items):
            var payload: [UInt8] = []
            for item in items { item.append(to: &payload) }
            RLP.appendLength(payload.count, offset: 0xC0, to: &out)
            out.append(contentsOf: payload)
        }
    }

    private static func appendLength(_ length: Int, offset: UInt8, to out: inout [UInt8]) {
        if length < 56 {
            out.append(offset + UInt8(length))
        } else {
            var lengthBytes: [UInt8] = []
            var l = length
            while l > 0 {
                lengthBytes.append(UInt8(truncatingIfNeeded: l))
                l >>= 8
            }
            out.append(offset + 55 + UInt8(lengthBytes.count))
            out.append(contentsOf: lengthBytes.reversed())
        }
    }

    // MARK: - Decoding

    /// Decodes exactly one item from `bytes`; trailing bytes are an error.
    public static func decode(_ bytes: [UInt8]) throws(RLPError) -> RLP {
        var position = 0
        let item = try bytes.withUnsafeBufferPointer { (buffer) throws(RLPError) -> RLP in
            try decodeItem(buffer, &position, depth: 0)
        }
        guard position == bytes.count else { throw .trailingBytes(count: bytes.count - position) }
        return item
    }

    /// Nesting beyond this depth is refused, so hostile input cannot exhaust the stack.
    public static let maximumDepth = 64

    private static func decodeItem(
        _ b: UnsafeBufferPointer<UInt8>, _ p: inout Int, depth: Int
    ) throws(RLPError) -> RLP {
        guard depth <= maximumDepth else { throw .tooDeep(limit: maximumDepth) }
        guard p < b.count else { throw .truncated(offset: p) }
        let prefix = b[p]
        switch prefix {
        case 0x00..<0x80:
            p += 1
            return .bytes([prefix])
        case 0x80...0xB7:
            let length = Int(prefix - 0x80)
            let start = p + 1
            guard start + length <= b.count else { throw .truncated(offset: p) }
            if length == 1, b[start] < 0x80 { throw .nonCanonical(offset: p, reason: "single byte below 0x80 must not carry a prefix") }
            p = start + length
            return .bytes(Array(b[start..<start + length]))
        case 0xB8...0xBF:
            let (length, start) = try longLength(b, p, lengthOfLength: Int(prefix - 0xB7))
            guard start + length <= b.count else { throw .truncated(offset: p) }
            p = start + length
            return .bytes(Array(b[start..<start + length]))
        case 0xC0...0xF7:
            let length = Int(prefix - 0xC0)
            return .list(try decodeList(b, &p, payloadStart: p + 1, length: length, depth: depth))
        default:
            let (length, start) = try longLength(b, p, lengthOfLength: Int(prefix - 0xF7))
            return .list(try decodeList(b, &p, payloadStart: start, length: length, depth: depth))
        }
    }

    private static func longLength(
        _ b: UnsafeBufferPointer<UInt8>, _ p: Int, lengthOfLength: Int
    ) throws(RLPError) -> (length: Int, payloadStart: Int) {
        let start = p + 1
        guard start + lengthOfLength <= b.count else { throw .truncated(offset: p) }
        guard b[start] != 0 else { throw .nonCanonical(offset: p, reason: "length has a leading zero byte") }
        guard lengthOfLength <= 4 else { throw .tooLong(offset: p) }
        var length = 0
        for i in 0..<lengthOfLength { length = length << 8 | Int(b[start + i]) }
        guard length >= 56 else { throw .nonCanonical(offset: p, reason: "long form used for a payload under 56 bytes") }
        return (length, start + lengthOfLength)
    }

    private static func decodeList(
        _ b: UnsafeBufferPointer<UInt8>, _ p: inout Int, payloadStart: Int, length: Int, depth: Int
    ) throws(RLPError) -> [RLP] {
        let end = payloadStart + length
        guard end <= b.count else { throw .truncated(offset: p) }
        var items: [RLP] = []
        var q = payloadStart
        while q < end {
            items.append(try decodeItem(b, &q, depth: depth + 1))
        }
        guard q == end else { throw .truncated(offset: q) }
        p = end
        return items
    }

    // MARK: - Accessors

    /// The byte string, or an error naming `field` if this is a list.
    public func bytes(_ field: String) throws(RLPError) -> [UInt8] {
        guard case .bytes(let b) = self else { throw .expectedBytes(field: field) }
        return b
    }

    /// The list items, or an error naming `field` if this is a byte string.
    public func list(_ field: String, count: Int? = nil) throws(RLPError) -> [RLP] {
        guard case .list(let items) = self else { throw .expectedList(field: field) }
        if let count, items.count != count { throw .wrongItemCount(field: field, expected: count, actual: items.count) }
        return items
    }

    /// A minimal big-endian unsigned integer of at most 64 bits.
    public func uint64(_ field: String) throws(RLPError) -> UInt64 {
        let b = try bytes(field)
        guard b.count <= 8 else { throw .integerTooLarge(field: field) }
        guard b.first != 0 else { throw .nonCanonical(offset: 0, reason: "\(field): integer has a leading zero byte") }
        var v: UInt64 = 0
        for byte in b { v = v << 8 | UInt64(byte) }
        return v
    }

    /// A UTF-8 string.
    public func string(_ field: String) throws(RLPError) -> String {
        let b = try bytes(field)
        guard let s = String(validating: b, as: UTF8.self) else { throw .invalidUTF8(field: field) }
        return s
    }
}

/// Why a byte string is not a canonical RLP encoding of what was expected.
public enum RLPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended inside an item.
    case truncated(offset: Int)
    /// Bytes remain after the single top-level item.
    case trailingBytes(count: Int)
    /// A valid but non-minimal encoding, which canonical decoding refuses.
    case nonCanonical(offset: Int, reason: String)
    /// A length field of more than four bytes.
    case tooLong(offset: Int)
    /// Lists nested deeper than ``RLP/maximumDepth``.
    case tooDeep(limit: Int)
    /// A list where a byte string was expected.
    case expectedBytes(field: String)
    /// A byte string where a list was expected.
    case expectedList(field: String)
    /// A list with the wrong number of items.
    case wrongItemCount(field: String, expected: Int, actual: Int)
    /// An integer wider than the field allows.
    case integerTooLarge(field: String)
    /// Bytes that are not UTF-8 where text was expected.
    case invalidUTF8(field: String)

    /// Where the RLP input broke and what was expected, prefixed `RLP:`.
    public var description: String {
        switch self {
        case .truncated(let o): "RLP: input ends inside the item at byte \(o)"
        case .trailingBytes(let n): "RLP: \(n) unexpected byte(s) after the item; expected exactly one item"
        case .nonCanonical(let o, let r): "RLP: non-canonical encoding at byte \(o): \(r)"
        case .tooLong(let o): "RLP: length field at byte \(o) is longer than 4 bytes"
        case .tooDeep(let l): "RLP: lists nested deeper than \(l) levels"
        case .expectedBytes(let f): "RLP: \(f): expected a byte string, found a list"
        case .expectedList(let f): "RLP: \(f): expected a list, found a byte string"
        case .wrongItemCount(let f, let e, let a): "RLP: \(f): expected \(e) items, found \(a)"
        case .integerTooLarge(let f): "RLP: \(f): integer wider than 64 bits"
        case .invalidUTF8(let f): "RLP: \(f): not valid UTF-8"
        }
    }
}
