/// Ethereum's Keccak-256: the Keccak sponge with rate 1088 bits and the original Keccak
/// padding (`0x01 … 0x80`), which is what Ethereum calls `keccak256`.
///
/// This is not the standardised SHA3-256, which pads with `0x06`; the two give different
/// digests for every input. `Keccak256.hash("")` is
/// `0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470`.
///
/// ```swift
/// var hasher = Keccak256()
/// hasher.update(header)
/// hasher.update(body)
/// let digest = hasher.finalize()
/// ```
public struct Keccak256: Sendable {
    /// Bytes absorbed per permutation (the rate: 1600 − 2 × 256 bits).
    static let blockSize = 136

    private var lanes: KeccakLanes = KeccakF1600.zeroLanes
    /// Bytes of the current, incomplete block already XORed into `lanes` (0 ..< 136).
    private var pending = 0

    /// Creates a hasher that has absorbed nothing.
    public init() {}

    // MARK: - Absorbing

    /// Absorbs the bytes in `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var cursor = bytes.baseAddress else { return }
        var remaining = bytes.count
        if pending > 0 {
            let take = min(remaining, Self.blockSize - pending)
            xorPartial(cursor, count: take)
            cursor += take
            remaining -= take
            if pending == Self.blockSize {
                KeccakF1600.permute(&lanes)
                pending = 0
            }
        }
        if remaining >= Self.blockSize {
            let whole = remaining - remaining % Self.blockSize
            Self.absorbBlocks(&lanes, cursor, count: whole)
            cursor += whole
            remaining -= whole
        }
        if remaining > 0 { xorPartial(cursor, count: remaining) }
    }

    /// Absorbs a collection of bytes; contiguous collections (`[UInt8]`, `Data`, `ArraySlice`,
    /// a `String`'s UTF-8 view) are read in place without copying.
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            self.update(UnsafeRawBufferPointer(buffer))
        }
        guard done == nil else { return }
        for byte in bytes {
            xorByte(byte, at: pending)
            pending += 1
            if pending == Self.blockSize {
                KeccakF1600.permute(&lanes)
                pending = 0
            }
        }
    }

    /// XORs whole blocks into the state, permuting after each; `count` is a multiple of 136.
    private static func absorbBlocks(_ state: inout KeccakLanes, _ start: UnsafeRawPointer, count: Int) {
        var a = state
        var block = start
        let end = start + count
        while block < end {
            @inline(__always) func lane(_ index: Int) -> UInt64 {
                UInt64(littleEndian: block.loadUnaligned(fromByteOffset: index &* 8, as: UInt64.self))
            }
            a.0 ^= lane(0); a.1 ^= lane(1); a.2 ^= lane(2); a.3 ^= lane(3); a.4 ^= lane(4)
            a.5 ^= lane(5); a.6 ^= lane(6); a.7 ^= lane(7); a.8 ^= lane(8); a.9 ^= lane(9)
            a.10 ^= lane(10); a.11 ^= lane(11); a.12 ^= lane(12); a.13 ^= lane(13)
            a.14 ^= lane(14); a.15 ^= lane(15); a.16 ^= lane(16)
            KeccakF1600.permute(&a)
            block += blockSize
        }
        state = a
    }

    /// XORs fewer than a block's remaining bytes in at `pending`, a lane at a time where aligned.
    private mutating func xorPartial(_ start: UnsafeRawPointer, count: Int) {
        var position = pending
        var index = 0
        withUnsafeMutablePointer(to: &lanes) { tuple in
            tuple.withMemoryRebound(to: UInt64.self, capacity: 25) { lane in
                while index < count && position & 7 != 0 {
                    lane[position &>> 3] ^= UInt64(start.load(fromByteOffset: index, as: UInt8.self))
                        &<< UInt64((position & 7) &* 8)
                    position &+= 1
                    index &+= 1
                }
                while count &- index >= 8 {
                    lane[position &>> 3] ^= UInt64(
                        littleEndian: start.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    position &+= 8
                    index &+= 8
                }
                while index < count {
                    lane[position &>> 3] ^= UInt64(start.load(fromByteOffset: index, as: UInt8.self))
                        &<< UInt64((position & 7) &* 8)
                    position &+= 1
                    index &+= 1
                }
            }
        }
        pending = position
    }

    /// XORs one byte into the state at byte `position` (< 136) of the rate.
    @inline(__always)
    private mutating func xorByte(_ byte: UInt8, at position: Int) {
        withUnsafeMutablePointer(to: &lanes) { tuple in
            tuple.withMemoryRebound(to: UInt64.self, capacity: 25) { lane in
                lane[position &>> 3] ^= UInt64(byte) &<< UInt64((position & 7) &* 8)
            }
        }
    }

    // MARK: - Squeezing

    /// Returns the digest of everything absorbed so far; the hasher itself is left as it was,
    /// so more bytes can be absorbed and another digest taken.
    public func finalize() -> Hash32 {
        let words = squeeze()
        let bytes = [UInt8](unsafeUninitializedCapacity: Hash32.byteCount) { out, initialised in
            let raw = UnsafeMutableRawBufferPointer(out)
            raw.storeBytes(of: words.0.littleEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: words.1.littleEndian, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: words.2.littleEndian, toByteOffset: 16, as: UInt64.self)
            raw.storeBytes(of: words.3.littleEndian, toByteOffset: 24, as: UInt64.self)
            initialised = Hash32.byteCount
        }
        return Hash32(unchecked: bytes)
    }

    /// Pads a copy of the state, permutes it and returns the first four lanes, which are the
    /// 32 digest bytes in little-endian order.
    func squeeze() -> (UInt64, UInt64, UInt64, UInt64) {
        var copy = self
        copy.xorByte(0x01, at: copy.pending)
        copy.xorByte(0x80, at: Self.blockSize - 1)
        KeccakF1600.permute(&copy.lanes)
        return (copy.lanes.0, copy.lanes.1, copy.lanes.2, copy.lanes.3)
    }

    // MARK: - One shot

    /// The Keccak-256 digest of `bytes`.
    public static func hash<C: Collection>(_ bytes: C) -> Hash32 where C.Element == UInt8 {
        var hasher = Keccak256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The Keccak-256 digest of the UTF-8 encoding of `string`.
    public static func hash(_ string: String) -> Hash32 {
        var hasher = Keccak256()
        var string = string
        string.withUTF8 { hasher.update(UnsafeRawBufferPointer($0)) }
        return hasher.finalize()
    }
}
