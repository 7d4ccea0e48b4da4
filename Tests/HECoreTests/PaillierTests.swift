import Foundation
import LedgerCore
import Testing
@testable import HECore

@Suite struct PaillierTests {
    @Test func generatedKeyHasExactLengthAndValidFactors() throws {
        let key = try #require(SharedKeys.generated)
        #expect(key.publicKey.bits == 1024)
        #expect(key.p.bitWidth == 512 && key.q.bitWidth == 512)
        #expect(key.p < key.q && key.p * key.q == key.publicKey.n)
        #expect(key.publicKey.g == key.publicKey.n + .one)
        _ = try Paillier.PrivateKey(publicKey: key.publicKey, p: key.q, q: key.p)  // validates
    }

    @Test func keyGenerationReportsProgressAndRefusesBadSizes() throws {
        let events = EventLog()
        let key = try Paillier.PrivateKey.generate(bits: 512) { events.append($0) }
        #expect(key.publicKey.bits == 512)
        #expect(events.all.first == .searchingPrime(index: 1, bits: 256))
        #expect(events.all.last == .done)
        #expect(throws: HEError.unsupportedKeySize(bits: 511, minimum: 512)) { try Paillier.PrivateKey.generate(bits: 511) }
        #expect(throws: HEError.unsupportedKeySize(bits: 256, minimum: 512)) { try Paillier.PrivateKey.generate(bits: 256) }
    }

    @Test func signedIntegersRoundTripOnSeededValues() throws {
        let key = try #require(SharedKeys.generated)
        var rng = SplitMix64(seed: 21)
        for _ in 0..<40 {
            let value = rng.bigInteger(bits: Int.random(in: 1...1000, using: &rng))
            #expect(try key.decrypt(key.publicKey.encrypt(value)) == .integer(value))
        }
        let max = key.publicKey.maxInt
        #expect(try key.decrypt(key.publicKey.encrypt(max)) == .integer(max))
        #expect(try key.decrypt(key.publicKey.encrypt(-max)) == .integer(-max))
    }

    @Test func doublesRoundTripExactlyIncludingSubnormalsAndExtremes() throws {
        let key = try #require(SharedKeys.generated)
        var values: [Double] = [0, -0.0, 0.1, -0.1, 1, -1, 1e-300, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                .leastNormalMagnitude, 0x1.8p-1030, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e300, 123456.789]
        var rng = SplitMix64(seed: 22)
        for _ in 0..<40 {
            let value = Double(bitPattern: rng.next())
            if value.isFinite { values.append(value) }
        }
        for value in values {
            let decrypted = try key.decrypt(key.publicKey.encrypt(value))
            #expect(decrypted.doubleValue == value || (value == 0 && decrypted.doubleValue == 0), "\(value)")
        }
    }

    @Test func explicitPrecisionRoundsLikePhe() throws {
        let key = try #require(SharedKeys.generated)
        // precision 1e-3: exponent ⌊log16 1e-3⌋ = −3, so 0.123456 → round(0.123456·4096)/4096
        let encoded = try Paillier.EncodedNumber.encode(0.123456, publicKey: key.publicKey, precision: 1e-3)
        #expect(encoded.exponent == -3)
        #expect(try key.decrypt(key.publicKey.encrypt(encoded)) == .double(506.0 / 4096))
        #expect(throws: HEError.invalidPrecision(0)) { try Paillier.EncodedNumber.encode(1.0, publicKey: key.publicKey, precision: 0) }
        #expect(throws: HEError.invalidPrecision(-.infinity)) { try Paillier.EncodedNumber.encode(1.0, publicKey: key.publicKey, precision: -.infinity) }
    }

    @Test func fastAndCRTEncryptionDecryptCorrectly() throws {
        let key = try #require(SharedKeys.generated)
        let fast = Paillier.FastEncryptor(publicKey: key.publicKey)
        #expect(fast.exponentBits == 512)
        for value in [0.0, 1.25, -3.5, 1e10] {
            #expect(try key.decrypt(key.publicKey.encrypt(value, using: fast)) == .double(value))
            #expect(try key.decrypt(key.encrypt(value)) == .double(value))
        }
        // hₛ^a is an n-th residue: it decrypts to 0.
        let residue = fast.residue(exponent: BigInteger(123_456_789))
        #expect(try key.rawDecrypt(residue) == .zero)
        // the CRT n-th power equals the direct one
        let r = BigInteger(987_654_321)
        #expect(key.nthPowerByCRT(r) == r.power(key.publicKey.n, modulo: key.publicKey.nSquared))
    }

    @Test func batchesDecryptInOrderOnAllCores() throws {
        let key = try #require(SharedKeys.generated)
        let values = (0..<24).map { Double($0) - 10.5 }
        let encodings = try values.map { v throws(HEError) in try Paillier.EncodedNumber.encode(v, publicKey: key.publicKey) }
        let fast = Paillier.FastEncryptor(publicKey: key.publicKey)
        for batch in [try key.publicKey.encryptBatch(encodings), try key.publicKey.encryptBatch(encodings, using: fast),
                      try key.encryptBatch(encodings)] {
            #expect(try batch.map { try key.decrypt($0).doubleValue } == values)
        }
    }

    @Test func homomorphicOperationsAgreeWithPlaintextArithmetic() throws {
        let key = try #require(SharedKeys.generated)
        let pk = key.publicKey
        let a = try pk.encrypt(2.5), b = try pk.encrypt(BigInteger(-4))
        #expect(try key.decrypt(a.adding(b)) == .double(-1.5))
        #expect(try key.decrypt(a.subtracting(b)) == .double(6.5))
        #expect(try key.decrypt(a.adding(10.25)) == .double(12.75))
        #expect(try key.decrypt(b.adding(BigInteger(7))) == .integer(BigInteger(3)))
        #expect(try key.decrypt(a.multiplied(by: -3.5)) == .double(-8.75))
        #expect(try key.decrypt(b.multiplied(by: BigInteger(-3))) == .integer(BigInteger(12)))
        #expect(try key.decrypt(b.negated()) == .integer(BigInteger(4)))
        #expect(try key.decrypt(a.subtracting(0.5)) == .double(2))
        let fresh = try a.rerandomized()
        #expect(fresh.ciphertext != a.ciphertext)
        #expect(try key.decrypt(fresh) == .double(2.5))
        let lowered = try b.decreasingExponent(to: -3)
        #expect(lowered.exponent == -3)
        #expect(try key.decrypt(lowered) == .double(-4))
        #expect(throws: HEError.exponentIncrease(from: -3, to: 0)) { try lowered.decreasingExponent(to: 0) }
    }

    @Test func dotProductIsOneMultiExponentiationThatMatchesThePlainSum() throws {
        let key = try #require(SharedKeys.generated)
        var rng = SplitMix64(seed: 23)
        let xs = (0..<12).map { _ in Double(Int.random(in: -1000...1000, using: &rng)) / 64 }
        let ws = (0..<12).map { _ in Double(Int.random(in: -1000...1000, using: &rng)) / 32 }
        let vector = try Paillier.EncryptedVector.encrypt(xs, publicKey: key.publicKey)
        let dot = try vector.dot(ws)
        let expected = zip(xs, ws).reduce(0) { $0 + $1.0 * $1.1 }  // exact: small dyadic values
        #expect(try key.decrypt(dot) == .double(expected))
        let sum = try vector.adding(vector)
        #expect(try key.decrypt(sum).map(\.doubleValue) == xs.map { $0 * 2 })
        #expect(throws: HEError.lengthMismatch(field: "weights", expected: 12, found: 2)) { try vector.dot([1, 2]) }
    }

    // MARK: - Refusals

    @Test func ciphertextsOutsideZStarNSquaredAreRefused() throws {
        let key = try Fixtures.privateKey()
        let pk = key.publicKey
        #expect(throws: HEError.ciphertextOutOfRange(bits: 0, modulusBits: pk.nSquared.bitWidth)) {
            try Paillier.EncryptedNumber(publicKey: pk, ciphertext: .zero, exponent: 0)
        }
        #expect(throws: HEError.ciphertextOutOfRange(bits: pk.nSquared.bitWidth, modulusBits: pk.nSquared.bitWidth)) {
            try key.rawDecrypt(pk.nSquared)
        }
        #expect(throws: HEError.ciphertextNotInvertible) { try key.rawDecrypt(key.p * BigInteger(12345)) }
        #expect(throws: HEError.ciphertextNotInvertible) {
            try Paillier.EncryptedNumber(json: Data(#"{"v":"\#(key.q.decimalString)","e":0}"#.utf8), publicKey: pk)
        }
    }

    @Test func operandsOfDifferentKeysAreRefused() throws {
        let mine = try #require(SharedKeys.generated)
        let theirs = try Fixtures.privateKey()
        let a = try mine.publicKey.encrypt(1.0)
        let b = try theirs.publicKey.encrypt(1.0)
        let mismatch = HEError.keyMismatch(expected: mine.publicKey.fingerprint, found: theirs.publicKey.fingerprint)
        #expect(throws: mismatch) { try a.adding(b) }
        #expect(throws: HEError.keyMismatch(expected: theirs.publicKey.fingerprint, found: mine.publicKey.fingerprint)) {
            try theirs.decrypt(a)
        }
        let encoded = try Paillier.EncodedNumber.encode(2, publicKey: theirs.publicKey)
        #expect(throws: mismatch) { try a.multiplied(by: encoded) }
        #expect(throws: HEError.self) { try Paillier.EncryptedVector([a, b]) }
        // A ciphertext file written for another key names that key and is refused.
        #expect(throws: HEError.keyMismatch(expected: theirs.publicKey.fingerprint, found: mine.publicKey.fingerprint)) {
            try Paillier.EncryptedNumber(json: a.json(), publicKey: theirs.publicKey)
        }
        #expect(mine.publicKey.fingerprint.hasPrefix("sha256:") && mine.publicKey.fingerprint.count == 23)
        #expect(try Paillier.EncryptedNumber(json: a.json(includeKeyFingerprint: false), publicKey: mine.publicKey) == a)
    }

    @Test func valuesTooLargeToEncodeAreRefused() throws {
        let pk = try Fixtures.privateKey().publicKey
        let bits = pk.maxInt.bitWidth
        #expect(throws: HEError.encodingOverflow(field: "value", limitBits: bits)) { try pk.encrypt(pk.maxInt + .one) }
        #expect(throws: HEError.encodingOverflow(field: "value", limitBits: bits)) { try pk.encrypt(-(pk.maxInt + .one)) }
        #expect(throws: HEError.encodingOverflow(field: "value", limitBits: bits)) {
            try Paillier.EncodedNumber.encode(1e300, publicKey: pk, precision: 1e-30)
        }
        #expect(throws: HEError.nonFiniteValue(field: "value")) { try pk.encrypt(Double.infinity) }
        #expect(throws: HEError.nonFiniteValue(field: "value")) { try pk.encrypt(Double.nan) }
        let big = try Paillier.EncodedNumber.encode(pk.maxInt.shifted(by: -2), publicKey: pk)
        #expect(throws: HEError.exponentAlignmentOverflow(from: 0, to: -1, limitBits: bits)) { try big.decreasingExponent(to: -1) }
    }

    @Test func overflowAfterArithmeticIsDetectedOnDecryption() throws {
        let key = try Fixtures.privateKey()
        let half = key.publicKey.maxInt.shifted(by: -1) + BigInteger(5)
        let a = try key.publicKey.encrypt(half)
        let sum = try a.adding(a).adding(a)  // ≈ 1.5 · maxInt: inside the overflow band
        #expect(throws: HEError.decodingOverflow) { try key.decrypt(sum) }
    }

    @Test func invalidModuliAndPrivateKeysAreRefused() throws {
        let key = try Fixtures.privateKey()
        #expect(throws: HEError.invalidModulus(reason: "n is even")) { try Paillier.PublicKey(n: key.publicKey.n + .one) }
        #expect(throws: HEError.self) { try Paillier.PublicKey(n: BigInteger(3233)) }
        #expect(throws: HEError.invalidModulus(reason: "n is prime")) { try Paillier.PublicKey(n: BigInteger.randomPrime(bits: 600)) }
        #expect(throws: HEError.invalidModulus(reason: "n is a perfect square")) { try Paillier.PublicKey(n: key.q * key.q) }
        #expect(throws: HEError.invalidModulus(reason: "n has a factor below 10000")) { try Paillier.PublicKey(n: key.q * BigInteger(7919)) }
        #expect(throws: HEError.invalidPrivateKey(reason: "p·q differs from the public modulus n")) {
            try Paillier.PrivateKey(publicKey: key.publicKey, p: key.p, q: key.p)
        }
    }

    @Test func malformedJSONIsRefusedNamingTheField() throws {
        let pk = try Fixtures.privateKey().publicKey
        let cases: [(String, HEError)] = [
            ("not json", .malformedJSON(field: "ciphertext", expected: "valid JSON text holding an object")),
            ("[1]", .malformedJSON(field: "ciphertext", expected: "valid JSON text holding an object")),
            (#"{"e":0}"#, .malformedJSON(field: "ciphertext.v", expected: "the field to be present")),
            (#"{"v":"5","e":1.5}"#, .malformedJSON(field: "ciphertext.e", expected: "an integer exponent")),
            (#"{"v":"5","e":true}"#, .malformedJSON(field: "ciphertext.e", expected: "a value of type Double")),
            (#"{"v":5,"e":0}"#, .malformedJSON(field: "ciphertext.v", expected: "a value of type String")),
            (#"{"v":"12x","e":0}"#, .malformedInteger(field: "ciphertext.v", expected: "decimal digits with an optional leading '-'")),
            (#"{"v":"5","e":99999999}"#, .exponentOutOfRange(field: "e", found: 99_999_999)),
        ]
        for (text, error) in cases {
            #expect(throws: error, "\(text)") { try Paillier.EncryptedNumber(json: Data(text.utf8), publicKey: pk) }
        }
        #expect(throws: HEError.malformedJSON(field: "public key.alg", expected: "\"PAI-GN1\"")) {
            try Paillier.PublicKey(jwk: Data(#"{"kty":"DAJ","alg":"RSA","n":"AQAB"}"#.utf8))
        }
        #expect(throws: HEError.malformedJSON(field: "private key.key_ops", expected: "a list containing \"decrypt\"")) {
            try Paillier.PrivateKey(jwk: Data(#"{"kty":"DAJ","key_ops":["encrypt"],"p":"AQ","q":"AQ","pub":{"kty":"DAJ","alg":"PAI-GN1","n":"AQ"}}"#.utf8))
        }
    }

    @Test func errorDescriptionsNameTheFieldAndTheExpectation() {
        let text = HEError.ciphertextOutOfRange(bits: 0, modulusBits: 2048).description
        #expect(text.hasPrefix("v:") && text.contains("expected"))
        #expect(HEError.encodingOverflow(field: "value", limitBits: 1022).description.contains("n/3 − 1"))
    }
}

/// Collects key-generation events from the progress callback.
final class EventLog: @unchecked Sendable {
    // @unchecked Sendable: only touched from the generating thread within one test.
    private(set) var all: [Paillier.KeyGenerationEvent] = []
    func append(_ event: Paillier.KeyGenerationEvent) { all.append(event) }
}
