import Foundation
import LedgerCore
import Testing
@testable import HECore

@Suite struct BigIntegerTests {
    @Test func decimalTextRoundTripsIncludingNegativesAndZero() throws {
        for text in ["0", "1", "-1", "340282366920938463463374607431768211457",
                     "-98765432109876543210987654321098765432109876543210"] {
            #expect(try BigInteger(decimal: text).decimalString == text)
        }
    }

    @Test func malformedDecimalTextIsRefusedNamingTheField() {
        for text in ["", "-", "+1", " 1", "1 ", "12a", "0x10", "1.0", "١٢"] {
            #expect(throws: HEError.malformedInteger(field: "v", expected: "decimal digits with an optional leading '-'")) {
                try BigInteger(decimal: text, field: "v")
            }
        }
    }

    @Test func bigEndianBytesMatchKnownValues() {
        #expect(BigInteger(bigEndianBytes: [0x01, 0x00]) == BigInteger(256))
        #expect(BigInteger(bigEndianBytes: [0x00, 0x00, 0xFF]) == BigInteger(255))
        #expect(BigInteger(bigEndianBytes: []) == BigInteger.zero)
        #expect(BigInteger(65537).bigEndianMagnitude == [0x01, 0x00, 0x01])
        #expect(BigInteger.zero.bigEndianMagnitude == [0])
    }

    /// Vectors from python-paillier's `phe.util.int_to_base64`.
    @Test func base64URLMatchesPheUtil() throws {
        let vectors: [(Int, String)] = [(0, "AA"), (1, "AQ"), (255, "_w"), (256, "AQA"), (65537, "AQAB"),
                                        (16_777_215, "____"), (1_000_000_007, "O5rKBw")]
        for (value, text) in vectors {
            #expect(BigInteger(value).base64URLString == text)
            #expect(try BigInteger(base64URL: text) == BigInteger(value))
        }
        #expect(try BigInteger(base64URL: "AQAB==") == BigInteger(65537))
    }

    @Test func malformedBase64URLIsRefused() {
        for text in ["", "A", "AQ+B", "AQ/B", "A=Q", "AQ B", "é"] {
            #expect(throws: HEError.self) { try BigInteger(base64URL: text, field: "n") }
        }
    }

    @Test func arithmeticAgreesWithIntOnSeededRandomValues() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<500 {
            let a = Int.random(in: -1 << 30...1 << 30, using: &rng)
            let b = Int.random(in: -1 << 30...1 << 30, using: &rng)
            let (x, y) = (BigInteger(a), BigInteger(b))
            #expect((x + y).intValue == a + b)
            #expect((x - y).intValue == a - b)
            #expect((x * y).intValue == a * b)
            if b > 0 {
                #expect(x.modulo(y)?.intValue == ((a % b) + b) % b)
                #expect(x.floorDivided(by: y)?.intValue == Int((Double(a) / Double(b)).rounded(.down)))
            }
        }
    }

    @Test func bytesAndTextRoundTripOnSeededRandomValues() throws {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<200 {
            let value = rng.bigInteger(bits: Int.random(in: 1...3000, using: &rng)).magnitude
            #expect(BigInteger(bigEndianBytes: value.bigEndianMagnitude) == value)
            #expect(try BigInteger(base64URL: value.base64URLString) == value)
            #expect(try BigInteger(decimal: value.decimalString) == value)
        }
    }

    @Test func modularInverseAndPowerAgreeWithDefinitions() throws {
        let m = try BigInteger(decimal: "1000000007")
        let a = BigInteger(123_456_789)
        let inverse = try #require(a.inverse(modulo: m))
        #expect((a * inverse).modulo(m) == .one)
        #expect(BigInteger(6).inverse(modulo: BigInteger(9)) == nil)
        #expect(BigInteger(3).power(BigInteger(200), modulo: m) == BigInteger(3).power(BigInteger(100), modulo: m)
            .map { ($0 * $0).modulo(m) } ?? nil)
        #expect(BigInteger(5).powerSecret(BigInteger(3), modulo: BigInteger(13)) == BigInteger(8))
    }

    @Test func roundingHalfToEvenMatchesPython() {
        // Python: round(Fraction(x, 2**k))
        #expect(BigInteger(5).dividedByPowerOfTwoRoundingHalfEven(1) == BigInteger(2))   // 2.5 → 2
        #expect(BigInteger(7).dividedByPowerOfTwoRoundingHalfEven(1) == BigInteger(4))   // 3.5 → 4
        #expect(BigInteger(-5).dividedByPowerOfTwoRoundingHalfEven(1) == BigInteger(-2)) // −2.5 → −2
        #expect(BigInteger(-7).dividedByPowerOfTwoRoundingHalfEven(2) == BigInteger(-2)) // −1.75 → −2
        #expect(BigInteger(9).dividedByPowerOfTwoRoundingHalfEven(3) == BigInteger(1))   // 1.125 → 1
    }

    @Test func correctlyRoundedDoubleAgreesWithSwiftOnSeededValues() throws {
        var rng = SplitMix64(seed: 13)
        for _ in 0..<2000 {
            let value = Double(bitPattern: rng.next())
            guard value.isFinite, value != 0 else { continue }
            let (significand, exponent) = BigInteger.exactParts(of: value)
            #expect(try significand.correctlyRoundedDouble(timesPowerOfTwo: exponent) == value)
        }
        // Integers above 2^53: Swift's Double(_: UInt64) rounds to nearest, ties to even.
        for _ in 0..<500 {
            let raw = rng.next()
            #expect(try BigInteger(bigEndianBytes: withUnsafeBytes(of: raw.bigEndian, Array.init))
                .correctlyRoundedDouble(timesPowerOfTwo: 0) == Double(raw))
        }
        #expect(throws: HEError.doubleOverflow(exponent: 1024)) {
            try BigInteger.one.correctlyRoundedDouble(timesPowerOfTwo: 1024)
        }
    }

    @Test func randomBelowStaysInRange() throws {
        let bound = BigInteger(1000)
        for _ in 0..<200 {
            let r = try #require(BigInteger.random(in1Below: bound))
            #expect(r >= .one && r < bound)
        }
        #expect(BigInteger.random(in1Below: .one) == nil)
    }

    @Test func randomPrimeHasExactLengthAndTopBits() {
        let p = BigInteger.randomPrime(bits: 256)
        #expect(p.bitWidth == 256 && p.testBit(254) && p.isProbablePrime())
    }
}
