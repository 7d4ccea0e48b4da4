// Big-endian bytes: the 32-byte word of ABI encodings and the minimal form of RLP.

extension UInt256 {
    /// Creates a value from at most 32 big-endian bytes; shorter input is read as if padded
    /// with zeros on the left (an empty collection is zero).
    ///
    /// - Parameters:
    ///   - bytes: the bytes, most significant first.
    ///   - field: the name of the input, used in error messages.
    /// - Throws: ``AmountParseError/tooManyBytes(field:given:)`` for more than 32 bytes.
    public init(bigEndianBytes bytes: some Collection<UInt8>, field: String = "amount") throws(AmountParseError) {
        let count = bytes.count
        guard count <= 32 else { throw .tooManyBytes(field: field, given: count) }
        var value = UInt256.zero
        var position = count - 1
        for byte in bytes {
            value[limb: position / 8] |= UInt64(byte) << (8 * (position % 8))
            position -= 1
        }
        self = value
    }

    /// The value as exactly 32 big-endian bytes (left-padded with zeros).
    public var bigEndianBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, initialized in
            for k in 0..<32 {
                let position = 31 - k
                out[k] = UInt8(truncatingIfNeeded: self[limb: position / 8] >> (8 * (position % 8)))
            }
            initialized = 32
        }
    }

    /// The value as big-endian bytes without leading zero bytes; empty for zero (the
    /// integer form RLP uses).
    public var minimalBigEndianBytes: [UInt8] {
        let count = (significantBitCount + 7) / 8
        return [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            for k in 0..<count {
                let position = count - 1 - k
                out[k] = UInt8(truncatingIfNeeded: self[limb: position / 8] >> (8 * (position % 8)))
            }
            initialized = count
        }
    }
}
