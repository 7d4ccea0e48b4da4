internal import GMPSupport
import Foundation

extension Paillier {
    /// A BatchCrypt-style packing of many quantised values into one Paillier plaintext, so
    /// that secure aggregation costs one ciphertext per ``slotsPerCiphertext`` values instead
    /// of one per value.
    ///
    /// Each value v ∈ [−range, range] is quantised to b = ``valueBits`` bits with an offset, so
    /// it is never negative: q = round((v + range) · (2^b − 1) / (2·range)) ∈ [0, 2^b − 1].
    /// The sum of at most N = ``maxParties`` such values is below N·2^b ≤ 2^(b + h) with
    /// h = ⌈log₂ N⌉ headroom bits, so every slot is ``slotBits`` = b + h bits wide and a sum
    /// never carries into its neighbour. ⌊(bits(n) − 1) / slot⌋ slots fill a plaintext below
    /// 2^(bits(n) − 1) < n, and the packed sum of N parties stays below that too: adding
    /// ciphertexts adds every slot exactly, with no modular wrap. The decrypted slot sums are
    /// exactly Σ q; ``dequantize(_:contributors:)`` turns them back into real sums
    /// (Σ v ≈ S · 2·range / (2^b − 1) − k · range for k contributors).
    ///
    /// Overflow is impossible by construction: the layout refuses a b, N or key for which a
    /// slot could overflow (naming the bound), the encoder refuses a value outside
    /// [−range, range], and aggregation refuses more than N contributors.
    ///
    /// ```swift
    /// let layout = try Paillier.PackingLayout(publicKey: pk, valueBits: 32, maxParties: 5, range: 1024)
    /// let mine = try layout.encrypt(gradient)          // ⌈count / slotsPerCiphertext⌉ ciphertexts
    /// let sum = try layout.aggregate([mine, theirs])   // done by anyone, without the key
    /// let total = try layout.decrypt(sum, with: privateKey)
    /// ```
    public struct PackingLayout: Sendable, Hashable, CustomStringConvertible {
        /// The widest slot: slot sums are read back as `UInt64`.
        public static let maximumSlotBits = 64
        /// The most bits a quantised value may have (a `Double` carries 53).
        public static let maximumValueBits = 52

        /// The key the packed plaintexts are encrypted under.
        public let publicKey: PublicKey
        /// b: bits of each quantised value.
        public let valueBits: Int
        /// N: the most contributors whose packed vectors may be summed.
        public let maxParties: Int
        /// Every value must lie in [−range, range].
        public let range: Double
        /// b + ⌈log₂ N⌉: the width of one slot.
        public let slotBits: Int
        /// ⌊(bits(n) − 1) / slotBits⌋: values per ciphertext.
        public let slotsPerCiphertext: Int

        /// States a layout, refusing any that could overflow.
        ///
        /// - Throws: `packingBoundExceeded` naming `valueBits` (outside 1...52, or too wide for
        ///   the slot with the parties' headroom) or `maxParties` (below 1, or so many that the
        ///   slot would pass 64 bits or the plaintext); `invalidPackingRange`.
        public init(publicKey: PublicKey, valueBits: Int, maxParties: Int, range: Double) throws(HEError) {
            guard range.isFinite, range > 0 else { throw .invalidPackingRange(range) }
            guard valueBits >= 1, valueBits <= Self.maximumValueBits else {
                throw .packingBoundExceeded(field: "valueBits", found: valueBits, bound: Self.maximumValueBits)
            }
            guard maxParties >= 1 else { throw .packingBoundExceeded(field: "maxParties", found: maxParties, bound: 1) }
            let headroom = Self.headroomBits(parties: maxParties)
            let widest = min(Self.maximumSlotBits, publicKey.bits - 1)
            guard valueBits + headroom <= widest else {
                if valueBits + 1 > widest {
                    throw .packingBoundExceeded(field: "valueBits", found: valueBits, bound: widest - headroom)
                }
                // The most parties whose headroom still fits: 2^(widest − b).
                let bound = widest - valueBits >= 62 ? Int.max : 1 << (widest - valueBits)
                throw .packingBoundExceeded(field: "maxParties", found: maxParties, bound: bound)
            }
            self.publicKey = publicKey
            self.valueBits = valueBits
            self.maxParties = maxParties
            self.range = range
            slotBits = valueBits + headroom
            slotsPerCiphertext = (publicKey.bits - 1) / slotBits
        }

        /// ⌈log₂ N⌉: the bits a sum of N values needs above one value's.
        static func headroomBits(parties: Int) -> Int { (parties - 1).bitWidth - (parties - 1).leadingZeroBitCount }

        /// 2^b − 1: the largest quantised value.
        public var maximumQuantized: UInt64 { (1 << UInt64(valueBits)) - 1 }

        /// The real value of one quantisation step: 2·range / (2^b − 1).
        public var step: Double { 2 * range / Double(maximumQuantized) }

        /// The number of ciphertexts `count` values need.
        public func ciphertextCount(forValues count: Int) -> Int {
            count <= 0 ? 0 : (count + slotsPerCiphertext - 1) / slotsPerCiphertext
        }

        /// `b=…, N=…, range=…` (slot and slots per ciphertext follow from these and the key).
        public var description: String {
            "b=\(valueBits), N=\(maxParties), range=\(range), \(slotBits)-bit slots, \(slotsPerCiphertext) per ciphertext"
        }

        // MARK: - Quantising

        /// q = round((v + range) / (2·range) · (2^b − 1)), in 0...2^b − 1.
        ///
        /// - Throws: `packedValueOutOfRange` when |v| > range or v is not finite.
        public func quantize(_ values: [Double]) throws(HEError) -> [UInt64] {
            let top = Double(maximumQuantized)
            var out: [UInt64] = []
            out.reserveCapacity(values.count)
            for (index, v) in values.enumerated() {
                guard v.isFinite, v >= -range, v <= range else {
                    throw .packedValueOutOfRange(index: index, value: v, range: range)
                }
                // Both ends are exact in Double (b ≤ 52); the clamp only absorbs rounding noise.
                let q = ((v + range) / (2 * range) * top).rounded(.toNearestOrEven)
                out.append(UInt64(min(top, max(0, q))))
            }
            return out
        }

        /// Real sums from exact slot sums of `contributors` quantised vectors:
        /// S · 2·range / (2^b − 1) − contributors · range.
        public func dequantize(_ sums: [UInt64], contributors: Int) -> [Double] {
            let scale = 2 * range / Double(maximumQuantized)
            let offset = Double(contributors) * range
            return sums.map { Double($0) * scale - offset }
        }

        // MARK: - Packing

        /// The packed plaintexts of quantised values: slot j of plaintext i holds value
        /// i·slotsPerCiphertext + j, at bits j·slotBits ..< (j + 1)·slotBits.
        ///
        /// - Throws: `packingBoundExceeded` for a value above 2^b − 1 (not from ``quantize(_:)``).
        public func pack(_ quantized: [UInt64]) throws(HEError) -> [EncodedNumber] {
            for value in quantized where value > maximumQuantized {
                throw .packingBoundExceeded(field: "quantized value", found: Int(clamping: value), bound: Int(maximumQuantized))
            }
            var plaintexts: [EncodedNumber] = []
            plaintexts.reserveCapacity(ciphertextCount(forValues: quantized.count))
            var start = 0
            let key = publicKey
            let width = slotBits
            while start < quantized.count {
                let chunk = quantized[start..<min(quantized.count, start + slotsPerCiphertext)]
                let packed = BigInteger { m in
                    for value in chunk.reversed() {
                        m.shiftLeft(m, by: width)
                        m.add(m, UInt(value))
                    }
                }
                // Below 2^(slots·slotBits) ≤ 2^(bits(n) − 1) < n: a valid encoding at exponent 0.
                plaintexts.append(EncodedNumber(unchecked: key, encoding: packed, exponent: 0))
                start += slotsPerCiphertext
            }
            return plaintexts
        }

        /// The first `count` slot values of decrypted packed plaintexts.
        ///
        /// - Throws: `lengthMismatch` when the plaintexts cannot hold `count` slots.
        public func unpack(_ plaintexts: [BigInteger], count: Int) throws(HEError) -> [UInt64] {
            guard plaintexts.count == ciphertextCount(forValues: count) else {
                throw .lengthMismatch(field: "plaintexts", expected: ciphertextCount(forValues: count), found: plaintexts.count)
            }
            var values: [UInt64] = []
            values.reserveCapacity(count)
            for (i, plaintext) in plaintexts.enumerated() {
                let slots = min(slotsPerCiphertext, count - i * slotsPerCiphertext)
                for j in 0..<slots { values.append(plaintext.bits(at: j * slotBits, width: slotBits)) }
            }
            return values
        }

        // MARK: - Encrypting, adding, decrypting

        /// Quantises, packs and encrypts one contributor's values (fresh randomness, all cores).
        ///
        /// - Throws: `packedValueOutOfRange`; `keyMismatch` when `fast` belongs to another key.
        public func encrypt(_ values: [Double], using fast: FastEncryptor? = nil) throws(HEError) -> PackedVector {
            let plaintexts = try pack(quantize(values))
            let ciphertexts = try publicKey.encryptBatch(plaintexts, using: fast)
            return PackedVector(unchecked: self, ciphertexts: ciphertexts, count: values.count, contributors: 1)
        }

        /// Adds packed vectors ciphertext by ciphertext (every slot adds exactly) and, unless
        /// `rerandomizing` is false (reproducible runs), re-randomises the result, with `fast`'s
        /// short exponents when given. Needs no key.
        ///
        /// - Throws: `emptyInput`; `packingLayoutMismatch` for a vector of another layout or
        ///   length; `packingBoundExceeded` when the contributors would pass ``maxParties``;
        ///   `keyMismatch` when `fast` belongs to another key.
        public func aggregate(
            _ vectors: [PackedVector], rerandomizing: Bool = true, using fast: FastEncryptor? = nil
        ) throws(HEError) -> PackedVector {
            if let fast { try publicKey.requireSame(fast.publicKey) }
            guard let first = vectors.first else { throw .emptyInput(field: "vectors") }
            var contributors = 0
            for vector in vectors {
                guard vector.layout == self else {
                    throw .packingLayoutMismatch(expected: description, found: vector.layout.description)
                }
                guard vector.count == first.count else {
                    throw .packingLayoutMismatch(expected: "\(first.count) values", found: "\(vector.count) values")
                }
                contributors += vector.contributors
            }
            guard contributors <= maxParties else {
                throw .packingBoundExceeded(field: "contributors", found: contributors, bound: maxParties)
            }
            let key = publicKey
            var sums = first.ciphertexts.map(\.ciphertext)
            for vector in vectors.dropFirst() {
                for index in sums.indices {
                    sums[index] = key.multiplyModNSquared(sums[index], vector.ciphertexts[index].ciphertext)
                }
            }
            guard rerandomizing else {
                let plain = sums.map { EncryptedNumber(unchecked: key, ciphertext: $0, exponent: 0) }
                return PackedVector(unchecked: self, ciphertexts: plain, count: first.count, contributors: contributors)
            }
            let obfuscator: Obfuscator = fast.map { .fast($0) } ?? .standard(key)
            let fresh = Paillier.parallelMap(sums) { c in
                EncryptedNumber(unchecked: key, ciphertext: key.multiplyModNSquared(c, obfuscator.randomNthResidue()), exponent: 0)
            }
            return PackedVector(unchecked: self, ciphertexts: fresh, count: first.count, contributors: contributors)
        }

        /// The exact slot sums Σ q of a packed vector (decrypted on all cores).
        ///
        /// - Throws: `keyMismatch`; `packingLayoutMismatch` for a vector of another layout.
        public func sums(of vector: PackedVector, with privateKey: PrivateKey) throws(HEError) -> [UInt64] {
            try publicKey.requireSame(privateKey.publicKey)
            guard vector.layout == self else {
                throw .packingLayoutMismatch(expected: description, found: vector.layout.description)
            }
            let results = Paillier.parallelMap(vector.ciphertexts) { c in
                Result { () throws(HEError) -> BigInteger in try privateKey.rawDecrypt(c.ciphertext) }
            }
            var plaintexts: [BigInteger] = []
            plaintexts.reserveCapacity(results.count)
            for result in results { plaintexts.append(try result.get()) }
            return try unpack(plaintexts, count: vector.count)
        }

        /// The real sums of a packed vector: ``dequantize(_:contributors:)`` of its exact slot sums.
        ///
        /// - Throws: the errors of ``sums(of:with:)``.
        public func decrypt(_ vector: PackedVector, with privateKey: PrivateKey) throws(HEError) -> [Double] {
            dequantize(try sums(of: vector, with: privateKey), contributors: vector.contributors)
        }
    }
}

extension BigInteger {
    /// Bits `offset ..< offset + width` (width ≤ 64) of a non-negative integer, as a `UInt64`.
    func bits(at offset: Int, width: Int) -> UInt64 {
        let field = BigInteger { t in
            t.floorShiftRight(raw, by: offset)
            t.lowBits(t, count: width)
        }
        return withExtendedLifetime(field) { UInt64(field.raw.lowWord) }
    }
}
