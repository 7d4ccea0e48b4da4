import Foundation
import LedgerCore
import Testing
@testable import HECore

/// BatchCrypt-style packing: many quantised values per plaintext, sums exact slot by slot,
/// and every parameter that could overflow a slot refused.
@Suite struct PackingTests {
    @Test func packedAggregateEqualsThePlaintextSumOfQuantisedValuesExactly() throws {
        let key = try Fixtures.privateKey()
        var rng = SplitMix64(seed: 0xBA7C)
        for _ in 0..<24 {
            let parties = Int.random(in: 1...16, using: &rng)
            let headroom = Paillier.PackingLayout.headroomBits(parties: parties)
            let bits = Int.random(in: 1...min(52, 64 - headroom), using: &rng)
            let range = Double.random(in: 1e-3...1e6, using: &rng)
            let count = Int.random(in: 1...200, using: &rng)
            let layout = try Paillier.PackingLayout(publicKey: key.publicKey, valueBits: bits, maxParties: parties, range: range)
            // Values anywhere in the range, both ends included.
            let contributions = (0..<parties).map { _ in
                (0..<count).map { i -> Double in
                    switch i % 7 {
                    case 0: return range
                    case 1: return -range
                    default: return Double.random(in: -range...range, using: &rng)
                    }
                }
            }
            let vectors = try contributions.map { try layout.encrypt($0) }
            #expect(vectors.allSatisfy { $0.ciphertexts.count == layout.ciphertextCount(forValues: count) })
            let sum = try layout.aggregate(vectors)
            #expect(sum.contributors == parties)
            var expected = [UInt64](repeating: 0, count: count)
            for values in contributions {
                for (j, q) in try layout.quantize(values).enumerated() {
                    #expect(q <= layout.maximumQuantized)
                    expected[j] += q
                }
            }
            #expect(try layout.sums(of: sum, with: key) == expected, "N=\(parties) b=\(bits) range=\(range)")
            // The real sums are within half a step per party of the true sums.
            let real = try layout.decrypt(sum, with: key)
            for j in 0..<count {
                let truth = contributions.reduce(0) { $0 + $1[j] }
                #expect(abs(real[j] - truth) <= Double(parties) * layout.step * 0.5 + 1e-9 * range * Double(parties))
            }
        }
    }

    @Test func tenThousandValuesFromFiveOwnersUseThirtyTimesFewerCiphertexts() throws {
        let key = try Paillier.PrivateKey.generate(bits: 2048)
        let fast = Paillier.FastEncryptor(publicKey: key.publicKey)
        let layout = try Paillier.PackingLayout(publicKey: key.publicKey, valueBits: 32, maxParties: 5, range: 8)
        var rng = SplitMix64(seed: 10_000)
        let gradients = (0..<5).map { _ in (0..<10_000).map { _ in Double.random(in: -8...8, using: &rng) } }
        let vectors = try gradients.map { try layout.encrypt($0, using: fast) }
        let ciphertexts = vectors.reduce(0) { $0 + $1.ciphertexts.count }
        #expect(ciphertexts * 30 <= 5 * 10_000, "\(ciphertexts) ciphertexts for 50,000 values")
        let sum = try layout.aggregate(vectors, using: fast)
        var expected = [UInt64](repeating: 0, count: 10_000)
        for g in gradients { for (j, q) in try layout.quantize(g).enumerated() { expected[j] += q } }
        #expect(try layout.sums(of: sum, with: key) == expected)
        // Re-randomised (fast) or not, the sum is the same; the ciphertexts are not.
        let plain = try layout.aggregate(vectors, rerandomizing: false)
        #expect(try layout.sums(of: plain, with: key) == expected)
        #expect(plain.ciphertexts[0] != sum.ciphertexts[0])
    }

    @Test func layoutsThatCouldOverflowAreRefusedNamingTheBound() throws {
        let pk = try Fixtures.privateKey().publicKey
        #expect(throws: HEError.packingBoundExceeded(field: "valueBits", found: 0, bound: 52)) {
            try Paillier.PackingLayout(publicKey: pk, valueBits: 0, maxParties: 2, range: 1)
        }
        #expect(throws: HEError.packingBoundExceeded(field: "valueBits", found: 53, bound: 52)) {
            try Paillier.PackingLayout(publicKey: pk, valueBits: 53, maxParties: 2, range: 1)
        }
        #expect(throws: HEError.packingBoundExceeded(field: "maxParties", found: 0, bound: 1)) {
            try Paillier.PackingLayout(publicKey: pk, valueBits: 8, maxParties: 0, range: 1)
        }
        // 48 value bits leave 16 headroom bits in a 64-bit slot: at most 2^16 parties.
        #expect(throws: HEError.packingBoundExceeded(field: "maxParties", found: 65_537, bound: 65_536)) {
            try Paillier.PackingLayout(publicKey: pk, valueBits: 48, maxParties: 65_537, range: 1)
        }
        #expect(try Paillier.PackingLayout(publicKey: pk, valueBits: 48, maxParties: 65_536, range: 1).slotBits == 64)
        #expect(throws: HEError.invalidPackingRange(.infinity)) {
            try Paillier.PackingLayout(publicKey: pk, valueBits: 8, maxParties: 2, range: .infinity)
        }
        #expect(throws: HEError.invalidPackingRange(0)) {
            try Paillier.PackingLayout(publicKey: pk, valueBits: 8, maxParties: 2, range: 0)
        }
        let layout = try Paillier.PackingLayout(publicKey: pk, valueBits: 16, maxParties: 2, range: 1)
        #expect(layout.slotBits == 17 && layout.slotsPerCiphertext == (pk.bits - 1) / 17)
        #expect(throws: HEError.packedValueOutOfRange(index: 1, value: 1.5, range: 1)) { try layout.encrypt([0.5, 1.5]) }
        #expect(throws: HEError.packedValueOutOfRange(index: 0, value: -.infinity, range: 1)) { try layout.quantize([-.infinity]) }
        let one = try layout.encrypt([0.25, -0.25])
        #expect(throws: HEError.packingBoundExceeded(field: "contributors", found: 3, bound: 2)) {
            try layout.aggregate([one, one, one])
        }
        let other = try Paillier.PackingLayout(publicKey: pk, valueBits: 15, maxParties: 2, range: 1)
        #expect(throws: HEError.packingLayoutMismatch(expected: layout.description, found: other.description)) {
            try layout.aggregate([one, other.encrypt([0.25, -0.25])])
        }
        #expect(HEError.packingBoundExceeded(field: "maxParties", found: 9, bound: 8).description.contains("at most 8"))
    }

    @Test func packedVectorsRoundTripThroughTheirJSONForm() throws {
        let key = try Fixtures.privateKey()
        let layout = try Paillier.PackingLayout(publicKey: key.publicKey, valueBits: 20, maxParties: 3, range: 4)
        let values: [Double] = [-4, -1.5, 0, 0.001, 3.75, 4]
        let packed = try layout.encrypt(values)
        let read = try Paillier.PackedVector(json: packed.json(), publicKey: key.publicKey)
        #expect(read == packed)
        let sums = try layout.sums(of: read, with: key)
        #expect(sums == (try layout.quantize(values)))
        let text = String(decoding: packed.json(), as: UTF8.self)
        #expect(text.contains(#""packing":{"maxParties":3,"range":4,"valueBits":20}"#))
        let otherKey = try Paillier.PrivateKey.generate(bits: 512)
        #expect(throws: HEError.keyMismatch(expected: otherKey.publicKey.fingerprint, found: key.publicKey.fingerprint)) {
            try Paillier.PackedVector(json: packed.json(), publicKey: otherKey.publicKey)
        }
    }
}
