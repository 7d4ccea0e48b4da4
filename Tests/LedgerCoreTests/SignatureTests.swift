import Foundation
import Testing
@testable import LedgerCore

@Suite struct SignatureTests {
    /// EIP-191 signature of "DataMarket login nonce 42" by Hardhat account #0, produced with
    /// eth-account 0.14.0 (eth-keys 0.8.0, native backend):
    /// `Account.sign_message(encode_defunct(text=...), private_key=...)`.
    static let walletSignature =
        "0x15dcbabb51b695a0d3a884bf4f19d8ff681d256e74b2daa9b17920947474746d"
        + "783e1e131d4237d76cb0139cac2de45ab5509c98475fa7e23cc48bfc5bf44a2f1b"
    static let signer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

    static func walletBytes() -> [UInt8] { bytes(walletSignature) }

    /// The wire bytes with byte `index` replaced.
    static func replacing(_ index: Int, with value: UInt8, in wire: [UInt8]) -> [UInt8] {
        var copy = wire
        copy[index] = value
        return copy
    }

    /// 65 wire bytes from parts.
    static func wire(r: [UInt8], s: [UInt8], v: UInt8) -> [UInt8] { r + s + [v] }

    // MARK: - Parsing and the wire form

    @Test func parsesAWalletSignatureAndPrintsItBack() throws {
        let signature = try Signature(hex: Self.walletSignature)
        #expect(signature.recoveryID == 0)
        #expect(signature.r == Array(Self.walletBytes()[0..<32]))
        #expect(signature.s == Array(Self.walletBytes()[32..<64]))
        #expect(signature.hex == Self.walletSignature)
        #expect(signature.description == Self.walletSignature)
        #expect(signature.bytes.count == 65)
    }

    @Test func acceptsRecoveryIDFormOfVAndWritesTwentySevenOrTwentyEight() throws {
        let wire = Self.walletBytes()
        let fromZero = try Signature(bytes: Self.replacing(64, with: 0, in: wire))
        #expect(fromZero == (try Signature(bytes: wire)))
        #expect(fromZero.bytes[64] == 27)
        let fromOne = try Signature(bytes: Self.replacing(64, with: 1, in: wire))
        #expect(fromOne == (try Signature(bytes: Self.replacing(64, with: 28, in: wire))))
        #expect(fromOne.recoveryID == 1 && fromOne.bytes[64] == 28)
    }

    @Test func partsInitialiserAgreesWithTheWireForm() throws {
        let signature = try Signature(hex: Self.walletSignature)
        #expect(try Signature(r: signature.r, s: signature.s, recoveryID: 0) == signature)
    }

    @Test func codesAsTheHexWireForm() throws {
        let signature = try Signature(hex: Self.walletSignature)
        let highS = Hex.encode(Self.wire(r: signature.r, s: subtract(groupOrder, signature.s), v: 28))
        try expectCodesAsString(signature, Self.walletSignature, refusing: highS)
    }

    // MARK: - Rejections

    @Test func wrongLengthsAreRefused() {
        let wire = Self.walletBytes()
        #expect(throws: SignatureError.wrongLength(expected: 65, actual: 64)) { try Signature(bytes: Array(wire.prefix(64))) }
        #expect(throws: SignatureError.wrongLength(expected: 65, actual: 66)) { try Signature(bytes: wire + [0]) }
        #expect(throws: SignatureError.wrongLength(expected: 65, actual: 0)) { try Signature(hex: "0x") }
        #expect(throws: SignatureError.wrongLength(expected: 32, actual: 31)) {
            try Signature(r: Array(wire[0..<31]), s: Array(wire[32..<64]), recoveryID: 0)
        }
        #expect(throws: SignatureError.wrongLength(expected: 32, actual: 33)) {
            try Signature(r: Array(wire[0..<32]), s: Array(wire[31..<64]), recoveryID: 0)
        }
    }

    @Test(arguments: [2, 3, 26, 29, 35, 255] as [UInt8])
    func vOutsideZeroOneTwentySevenTwentyEightIsRefused(v: UInt8) {
        #expect(throws: SignatureError.recoveryIDOutOfRange(v)) {
            try Signature(bytes: Self.replacing(64, with: v, in: Self.walletBytes()))
        }
    }

    @Test func recoveryIDAboveOneIsRefusedByThePartsInitialiser() {
        let wire = Self.walletBytes()
        #expect(throws: SignatureError.recoveryIDOutOfRange(2)) {
            try Signature(r: Array(wire[0..<32]), s: Array(wire[32..<64]), recoveryID: 2)
        }
    }

    @Test func malformedHexIsRefusedWithTheHexError() {
        #expect(throws: SignatureError.invalidHex(.oddLength(field: "signature", digits: 129))) {
            try Signature(hex: String(Self.walletSignature.dropLast()))
        }
        #expect(throws: SignatureError.invalidHex(.invalidCharacter(field: "signature", character: "q", offset: 2))) {
            try Signature(hex: "0xq" + Self.walletSignature.dropFirst(3))
        }
    }

    @Test func zeroROrZeroSIsRefused() {
        let wire = Self.walletBytes()
        let zero = [UInt8](repeating: 0, count: 32)
        #expect(throws: SignatureError.zeroR) { try Signature(bytes: Self.wire(r: zero, s: Array(wire[32..<64]), v: 27)) }
        #expect(throws: SignatureError.zeroS) { try Signature(bytes: Self.wire(r: Array(wire[0..<32]), s: zero, v: 27)) }
    }

    @Test func rOrSAtOrAboveTheGroupOrderIsRefused() {
        let wire = Self.walletBytes()
        let r = Array(wire[0..<32])
        let s = Array(wire[32..<64])
        #expect(throws: SignatureError.rNotBelowOrder) { try Signature(bytes: Self.wire(r: groupOrder, s: s, v: 27)) }
        #expect(throws: SignatureError.rNotBelowOrder) { try Signature(bytes: Self.wire(r: add(groupOrder, 1), s: s, v: 27)) }
        #expect(throws: SignatureError.sNotBelowOrder) { try Signature(bytes: Self.wire(r: r, s: groupOrder, v: 27)) }
        #expect(throws: SignatureError.sNotBelowOrder) {
            try Signature(bytes: Self.wire(r: r, s: [UInt8](repeating: 0xff, count: 32), v: 27))
        }
    }

    @Test func highSTwinOfAValidSignatureIsRefused() throws {
        // The malleable twin: s → n − s with the recovery id flipped recovers the same key in
        // plain ECDSA; Ethereum (and this library) accept only the low-s form.
        let wire = Self.walletBytes()
        let r = Array(wire[0..<32])
        let highS = subtract(groupOrder, Array(wire[32..<64]))
        #expect(throws: SignatureError.highS) { try Signature(bytes: Self.wire(r: r, s: highS, v: 28)) }
        #expect(throws: SignatureError.highS) { try Signature(r: r, s: highS, recoveryID: 1) }
    }

    @Test func sOfExactlyHalfTheOrderIsTheLargestAccepted() throws {
        let half = bytes("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
        let r = Array(Self.walletBytes()[0..<32])
        #expect(try Signature(bytes: Self.wire(r: r, s: half, v: 27)).s == half)
        #expect(throws: SignatureError.highS) { try Signature(bytes: Self.wire(r: r, s: add(half, 1), v: 27)) }
    }

    @Test func signatureWhoseRIsNoCurvePointFailsRecovery() throws {
        // r = 5 is in range, but x = 5 is not on the curve (5³ + 7 is not a square mod p).
        let r = [UInt8](repeating: 0, count: 31) + [5]
        let s = [UInt8](repeating: 0, count: 31) + [1]
        let signature = try Signature(bytes: Self.wire(r: r, s: s, v: 27))
        #expect(throws: SignatureError.recoveryFailed) { try signature.recoverAddress(digest: Keccak256.hash("x")) }
        #expect(throws: SignatureError.recoveryFailed) { try signature.recoverPublicKey(digest: Keccak256.hash("x")) }
        #expect(!signature.isValid(for: .zero, digest: Keccak256.hash("x")))
    }

    // MARK: - Signing and recovery

    @Test func signAndRecoverRoundTripForSeededKeysAndDigests() throws {
        var rng = SplitMix64(seed: 0x7369_676e)
        for _ in 0..<100 {
            let key = try PrivateKey(bytes: rng.bytes(32))
            let digest = try Hash32(bytes: rng.bytes(32))
            let signature = key.sign(digest: digest)
            #expect(try signature.recoverAddress(digest: digest) == key.address)
            #expect(try signature.recoverPublicKey(digest: digest) == key.publicKey)
            #expect(signature.isValid(for: key.address, digest: digest))
            #expect(try Signature(bytes: signature.bytes) == signature, "wire round trip")
        }
    }

    @Test func signingIsDeterministicAndLowS() throws {
        let key = try PrivateKey(hex: KeyTests.hardhat0)
        var rng = SplitMix64(seed: 0x6c6f_7773)
        for _ in 0..<50 {
            let digest = try Hash32(bytes: rng.bytes(32))
            let signature = key.sign(digest: digest)
            #expect(key.sign(digest: digest) == signature)
            #expect(Secp256k1Group.isLowHalf(signature.s))
        }
    }

    @Test func signatureIsNotValidForAnotherSignerOrAnotherDigest() throws {
        let key = try PrivateKey(hex: KeyTests.hardhat0)
        let digest = Keccak256.hash("transfer 10")
        let signature = key.sign(digest: digest)
        #expect(signature.isValid(for: key.address, digest: digest))
        #expect(!signature.isValid(for: PrivateKey.generate().address, digest: digest))
        #expect(!signature.isValid(for: key.address, digest: Keccak256.hash("transfer 11")))
    }

    @Test func sharedContextSignsAndRecoversCorrectlyFromManyTasksAtOnce() async throws {
        let key = try PrivateKey(hex: KeyTests.hardhat0)
        let results = await withTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    (0..<25).allSatisfy { index in
                        let digest = Keccak256.hash("task \(task) message \(index)")
                        let signature = key.sign(digest: digest)
                        return (try? signature.recoverAddress(digest: digest)) == key.address
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
    }

    @Test func errorDescriptionsSayWhatWasExpected() {
        #expect(SignatureError.recoveryIDOutOfRange(29).description == "signature: v is 29; expected 27 or 28 (or a recovery id 0 or 1)")
        #expect(SignatureError.highS.description.contains("low-s"))
        #expect(SignatureError.wrongLength(expected: 65, actual: 64).description.contains("expected exactly 65"))
    }
}
