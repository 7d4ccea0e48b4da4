import Foundation
import LedgerCore
import Testing
import HECore

/// The faster paths give the same plaintexts as the plain ones: bucketed dot products with
/// short integer weights, decryption with its CRT halves on two cores, dynamic batches.
@Suite struct FastPathTests {
    @Test func dotProductsWithShortIntegerWeightsAreExact() throws {
        let key = try Fixtures.privateKey()
        let pk = key.publicKey
        var rng = SplitMix64(seed: 16)
        for length in [1, 7, 100] {
            let values = (0..<length).map { _ in Int.random(in: -1_000_000...1_000_000, using: &rng) }
            let weights = (0..<length).map { _ in Int.random(in: -32_768...32_767, using: &rng) }
            let vector = try Paillier.EncryptedVector(pk.encryptBatch(values.map { try Paillier.EncodedNumber.encode($0, publicKey: pk) }))
            let encoded = try weights.map { try Paillier.EncodedNumber.encode($0, publicKey: pk) }
            let dot = try vector.dot(encoded: encoded)
            let expected = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(try key.decrypt(dot) == .integer(BigInteger(expected)), "length \(length)")
        }
        // Doubles with mixed exponents and integer weights still align and stay exact.
        let doubles: [Double] = [0.5, -1.25, 1024.0, 3.0e-3]
        let vector = try Paillier.EncryptedVector.encrypt(doubles, publicKey: pk)
        let dot = try vector.dot(encoded: [3, -7, 0, 65_535].map { try Paillier.EncodedNumber.encode($0, publicKey: pk) })
        let exact = 0.5 * 3 + -1.25 * -7 + 3.0e-3 * 65_535
        #expect(abs(try key.decrypt(dot).doubleValue - exact) < 1e-12)
        // All-zero weights give an encryption of zero.
        let zero = try vector.dot(encoded: [0, 0, 0, 0].map { try Paillier.EncodedNumber.encode($0, publicKey: pk) })
        #expect(try key.decrypt(zero).doubleValue == 0)
    }

    @Test func concurrentDecryptionEqualsSequentialDecryption() throws {
        let key = try Fixtures.privateKey()
        var rng = SplitMix64(seed: 2)
        for _ in 0..<20 {
            let value = rng.bigInteger(bits: Int.random(in: 0...900, using: &rng))
            let c = try key.publicKey.encrypt(value)
            #expect(try key.decryptConcurrently(c) == key.decrypt(c))
            #expect(try key.decryptConcurrently(c) == .integer(value))
        }
        let other = try Paillier.PrivateKey.generate(bits: 512)
        #expect(throws: HEError.self) { try other.decryptConcurrently(key.publicKey.encrypt(1)) }
    }

    @Test func batchEncryptionKeepsTheOrderOfItsInputs() throws {
        let key = try Fixtures.privateKey()
        let values = (0..<37).map { $0 * 1_000 - 18_000 }
        let batch = try key.publicKey.encryptBatch(values.map { try Paillier.EncodedNumber.encode($0, publicKey: key.publicKey) })
        #expect(try batch.map { try key.decrypt($0) } == values.map { .integer(BigInteger($0)) })
    }

    @Test func rerandomizingAVectorKeepsEveryPlaintextAndChangesEveryCiphertext() throws {
        let key = try Fixtures.privateKey()
        let pk = key.publicKey
        let vector = try Paillier.EncryptedVector.encrypt([1.5, -2, 0, 1e6, -0.125], publicKey: pk)
        for fast in [nil, Paillier.FastEncryptor(publicKey: pk)] {
            let fresh = try vector.rerandomized(using: fast)
            #expect(try key.decrypt(fresh) == key.decrypt(vector))
            #expect(zip(fresh.elements, vector.elements).allSatisfy { $0.ciphertext != $1.ciphertext && $0.exponent == $1.exponent })
        }
        let other = try Paillier.PrivateKey.generate(bits: 512)
        #expect(throws: HEError.self) { try vector.rerandomized(using: Paillier.FastEncryptor(publicKey: other.publicKey)) }
    }
}
