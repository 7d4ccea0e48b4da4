import Foundation
import LedgerCore
import Testing
@testable import HECore

/// Aligning exponents (phe's `decrease_exponent_to`) either gives the exact rational sum or
/// refuses with a typed error naming both exponents; it never returns a wrapped value.
@Suite struct ExponentAlignmentTests {
    /// m · 16^(e − target) exactly (e ≥ target).
    func aligned(_ mantissa: BigInteger, from e: Int, to target: Int) -> BigInteger {
        mantissa * BigInteger.power(Paillier.base, e - target)
    }

    @Test func addingNumbersWhoseExponentsAreTooFarApartIsRefusedNamingBoth() throws {
        let key = try Fixtures.privateKey()
        let pk = key.publicKey
        let huge = try pk.encrypt(1e300)
        let tiny = try pk.encrypt(Double.leastNonzeroMagnitude)
        let limit = pk.maxInt.bitWidth
        let refusal = HEError.exponentAlignmentOverflow(from: huge.exponent, to: tiny.exponent, limitBits: limit)
        #expect(throws: refusal) { try huge.adding(tiny) }
        #expect(throws: refusal) { try tiny.adding(huge) }
        #expect(throws: refusal) { try huge.decreasingExponent(to: tiny.exponent) }
        let tinyEncoding = try Paillier.EncodedNumber.encode(Double.leastNonzeroMagnitude, publicKey: pk)
        #expect(throws: refusal) { try huge.adding(tinyEncoding) }
        #expect(refusal.description.contains("\(huge.exponent)") && refusal.description.contains("\(tiny.exponent)"))
        // The largest gap phe accepts (16^gap ≤ n/3 − 1) still works and is exact.
        let gap = (limit - 1) / Paillier.log2Base
        let one = try pk.encrypt(BigInteger.one)
        let lowered = try one.decreasingExponent(to: -gap)
        #expect(try key.decryptEncoded(lowered).mantissa() == BigInteger.power(Paillier.base, gap))
        #expect(throws: HEError.exponentAlignmentOverflow(from: 0, to: -gap - 1, limitBits: limit)) {
            try one.decreasingExponent(to: -gap - 1)
        }
    }

    @Test func alignedSumsEqualExactRationalArithmeticOrAreRefused() throws {
        let key = try Fixtures.privateKey()
        let pk = key.publicKey
        let limit = pk.maxInt.bitWidth
        var rng = SplitMix64(seed: 0x15)
        var exact = 0, refused = 0
        for _ in 0..<120 {
            let e1 = Int.random(in: -300...300, using: &rng)
            let e2 = e1 - Int.random(in: 0...(limit / 4 + 20), using: &rng)
            let m1 = rng.bigInteger(bits: Int.random(in: 0...500, using: &rng))
            let m2 = rng.bigInteger(bits: Int.random(in: 0...900, using: &rng))
            let a = try Paillier.EncodedNumber(publicKey: pk, encoding: m1.signum < 0 ? pk.n + m1 : m1, exponent: e1)
            let b = try Paillier.EncodedNumber(publicKey: pk, encoding: m2.signum < 0 ? pk.n + m2 : m2, exponent: e2)
            let factorFits = Paillier.log2Base * (e1 - e2) < limit && BigInteger.power(Paillier.base, e1 - e2) <= pk.maxInt
            let scaled = aligned(m1, from: e1, to: e2)
            let sum = scaled + m2
            let encA = try pk.encrypt(a), encB = try pk.encrypt(b)
            let refusal = HEError.exponentAlignmentOverflow(from: e1, to: e2, limitBits: limit)
            if !factorFits {
                // phe refuses here too (its scalar 16^gap exceeds max_int).
                #expect(throws: refusal) { try encA.adding(encB) }
                #expect(throws: refusal) { try encB.adding(encA) }
                #expect(throws: refusal) { try encA.adding(b) }
                #expect(throws: refusal) { try a.decreasingExponent(to: e2) }
                refused += 1
                continue
            }
            // Encodings refuse a scaled mantissa beyond n/3 − 1 instead of wrapping.
            if scaled.magnitude > pk.maxInt {
                #expect(throws: refusal) { try a.decreasingExponent(to: e2) }
                refused += 1
                continue
            }
            #expect(try a.decreasingExponent(to: e2).mantissa() == scaled)
            guard sum.magnitude <= pk.maxInt else { continue }
            for result in [try encA.adding(encB), try encB.adding(encA), try encA.adding(b)] {
                let decrypted = try key.decryptEncoded(result)
                #expect(decrypted.exponent == e2)
                #expect(try decrypted.mantissa() == sum, "m1=\(m1) e1=\(e1) m2=\(m2) e2=\(e2)")
            }
            exact += 1
        }
        // Both outcomes were exercised.
        #expect(exact > 20 && refused > 20, "exact \(exact), refused \(refused)")
    }
}
