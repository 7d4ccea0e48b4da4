import Foundation
import Testing
import LedgerCore

/// Key → public key → address vectors cross-checked with eth-account 0.14.0 / eth-keys 0.8.0.
@Suite struct KeyTests {
    static let hardhat0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

    @Test(arguments: [
        ("0x0000000000000000000000000000000000000000000000000000000000000001", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"),
        (hardhat0, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
        ("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        // n − 1, the largest valid key: its public key is −G.
        ("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", "0x80C0dbf239224071c59dD8970ab9d542E3414aB2"),
    ])
    func knownPrivateKeyDerivesKnownAddress(key: String, address: String) throws {
        let privateKey = try PrivateKey(hex: key)
        #expect(privateKey.address.checksummed == address)
        #expect(privateKey.publicKey.address == (try Address(address)))
    }

    @Test func keyOneHasTheGeneratorAsPublicKey() throws {
        let key = try PrivateKey(hex: "0x" + String(repeating: "0", count: 63) + "1")
        let gx = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
        let gy = "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
        #expect(Hex.encode(key.publicKey.uncompressed) == "0x04" + gx + gy)
        #expect(Hex.encode(key.publicKey.compressed) == "0x02" + gx)
        #expect(Hex.encode(key.publicKey.raw) == "0x" + gx + gy)
    }

    @Test func hardhatKeyHasItsPublishedPublicKey() throws {
        let key = try PrivateKey(hex: Self.hardhat0)
        #expect(
            Hex.encode(key.publicKey.raw)
                == "0x8318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed75"
                + "3547f11ca8696646f2f3acb08e31016afac23e630c5d11f59f61fef57b0d2aa5")
        #expect(key.bytes == bytes(Self.hardhat0))
    }

    // MARK: - Private key rejections

    @Test func privateKeyOfWrongLengthIsRefused() {
        #expect(throws: KeyError.wrongLength(expected: 32, actual: 31)) { try PrivateKey(bytes: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: KeyError.wrongLength(expected: 32, actual: 33)) { try PrivateKey(bytes: [UInt8](repeating: 1, count: 33)) }
        #expect(throws: KeyError.wrongLength(expected: 32, actual: 0)) { try PrivateKey(hex: "0x") }
    }

    @Test func zeroPrivateKeyIsRefused() {
        #expect(throws: KeyError.zero) { try PrivateKey(bytes: [UInt8](repeating: 0, count: 32)) }
    }

    @Test func privateKeyEqualToOrAboveTheGroupOrderIsRefused() {
        #expect(throws: KeyError.notBelowGroupOrder) { try PrivateKey(bytes: groupOrder) }
        #expect(throws: KeyError.notBelowGroupOrder) { try PrivateKey(bytes: add(groupOrder, 1)) }
        #expect(throws: KeyError.notBelowGroupOrder) { try PrivateKey(bytes: [UInt8](repeating: 0xff, count: 32)) }
    }

    @Test func privateKeyWithMalformedHexIsRefusedWithTheHexError() {
        #expect(throws: KeyError.invalidHex(.invalidCharacter(field: "private key", character: "z", offset: 2))) {
            try PrivateKey(hex: "0xz" + String(repeating: "1", count: 63))
        }
        #expect(throws: KeyError.invalidHex(.oddLength(field: "private key", digits: 63))) {
            try PrivateKey(hex: String(repeating: "1", count: 63))
        }
    }

    // MARK: - Secrecy

    @Test func printingAKeyNeverShowsItsBytes() throws {
        let key = try PrivateKey(hex: Self.hardhat0)
        let secretDigits = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        #expect(key.description == "PrivateKey(<redacted> address 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266)")
        #expect(String(reflecting: key) == key.description)
        #expect(!"\(key)".contains(secretDigits))
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains(secretDigits) && !dumped.contains("secret"))
        #expect(dumped.contains("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"))
    }

    // MARK: - Generation and equality

    @Test func generatedKeysAreValidAndDistinct() throws {
        let keys = (0..<20).map { _ in PrivateKey.generate() }
        #expect(Set(keys.map(\.address)).count == keys.count)
        for key in keys {
            #expect(try PrivateKey(bytes: key.bytes) == key)
        }
    }

    @Test func keysCompareBySecret() throws {
        let a = try PrivateKey(hex: Self.hardhat0)
        let b = try PrivateKey(hex: Self.hardhat0.uppercased().replacingOccurrences(of: "0X", with: "0x"))
        #expect(a == b)
        #expect(a != PrivateKey.generate())
    }

    // MARK: - Public keys

    @Test func publicKeyParsesEveryEncodingToTheSameKey() throws {
        let key = try PrivateKey(hex: Self.hardhat0).publicKey
        #expect(try PublicKey(bytes: key.uncompressed) == key)
        #expect(try PublicKey(bytes: key.compressed) == key)
        #expect(try PublicKey(bytes: key.raw) == key)
        #expect(try PublicKey(hex: Hex.encode(key.compressed)) == key)
        #expect(try PublicKey(bytes: key.compressed).address == (try Address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")))
    }

    @Test func seededKeysRoundTripThroughCompressedForm() throws {
        var rng = SplitMix64(seed: 0x6b65_7973)
        var checked = 0
        for _ in 0..<100 {
            guard let key = try? PrivateKey(bytes: rng.bytes(32)) else { continue }
            let publicKey = key.publicKey
            #expect(publicKey.uncompressed.count == 65 && publicKey.compressed.count == 33)
            #expect(try PublicKey(bytes: publicKey.compressed) == publicKey)
            checked += 1
        }
        #expect(checked == 100)
    }

    @Test func publicKeyOfWrongLengthIsRefused() {
        for count in [0, 1, 32, 34, 63, 66] {
            #expect(throws: KeyError.wrongPublicKeyLength(actual: count)) { try PublicKey(bytes: [UInt8](repeating: 2, count: count)) }
        }
    }

    @Test func publicKeyWithAWrongPrefixIsRefused() throws {
        let key = try PrivateKey(hex: Self.hardhat0).publicKey
        var compressed = key.compressed
        compressed[0] = 0x04
        #expect(throws: KeyError.invalidPublicKey("33-byte key starts with 0x04; expected 0x02 or 0x03")) {
            try PublicKey(bytes: compressed)
        }
        var hybrid = key.uncompressed
        hybrid[0] = 0x06
        #expect(throws: KeyError.invalidPublicKey("65-byte key starts with 0x06; expected 0x04")) { try PublicKey(bytes: hybrid) }
    }

    @Test func publicKeyOffTheCurveIsRefused() {
        // x = 5: 5³ + 7 = 132 is not a square mod p, so no point has this x.
        let offCurve = [0x02] + [UInt8](repeating: 0, count: 31) + [5]
        #expect(throws: KeyError.invalidPublicKey("\(Hex.encode(offCurve)) is not a point on secp256k1")) {
            try PublicKey(bytes: offCurve)
        }
        var moved = [UInt8](repeating: 0, count: 64)
        moved[31] = 1
        moved[63] = 1  // (1, 1) is not on y² = x³ + 7
        #expect(throws: KeyError.self) { try PublicKey(bytes: moved) }
    }

    @Test func keyErrorDescriptionsNameTheField() {
        #expect(KeyError.zero.description.hasPrefix("private key:"))
        #expect(KeyError.notBelowGroupOrder.description.contains("group order"))
        #expect(KeyError.wrongPublicKeyLength(actual: 3).description == "public key: 3 bytes; expected 33 (compressed), 64 (x‖y) or 65 (uncompressed)")
    }
}
