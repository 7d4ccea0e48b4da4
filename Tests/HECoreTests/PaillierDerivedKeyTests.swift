import Foundation
import Testing
import HECore

@Suite struct PaillierDerivedKeyTests {
    @Test func derivedKeyIsReproducibleValidAndSeedDependent() throws {
        let a = try Paillier.PrivateKey.derived(bits: 512, seed: Array("demo 42".utf8))
        let b = try Paillier.PrivateKey.derived(bits: 512, seed: Array("demo 42".utf8))
        let c = try Paillier.PrivateKey.derived(bits: 512, seed: Array("demo 43".utf8))
        #expect(a == b && a.publicKey.n == b.publicKey.n)
        #expect(a.publicKey.n != c.publicKey.n)
        #expect(a.publicKey.bits == 512 && a.p.bitWidth == 256 && a.q.bitWidth == 256)
        #expect(a.p.isProbablePrime() && a.q.isProbablePrime())
        _ = try Paillier.PrivateKey(publicKey: a.publicKey, p: a.p, q: a.q)  // validates the factors
        let encrypted = try a.publicKey.encrypt(12.5)
        #expect(try a.decrypt(encrypted).doubleValue == 12.5)
    }

    @Test func derivedKeyRefusesBadSizes() {
        #expect(throws: HEError.unsupportedKeySize(bits: 511, minimum: Paillier.minimumKeyBits)) {
            try Paillier.PrivateKey.derived(bits: 511, seed: [1])
        }
        #expect(throws: HEError.unsupportedKeySize(bits: 64, minimum: Paillier.minimumKeyBits)) {
            try Paillier.PrivateKey.derived(bits: 64, seed: [1])
        }
    }
}
