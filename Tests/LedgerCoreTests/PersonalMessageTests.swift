import Testing
import LedgerCore

/// Vectors produced with eth-account 0.14.0 (eth-keys 0.8.0, native backend) and Hardhat
/// account #0: `Account.sign_message(encode_defunct(...), private_key=...)`, whose
/// `message_hash` is the EIP-191 digest and whose `signature` is r‖s‖v.
@Suite struct PersonalMessageTests {
    static let key = KeyTests.hardhat0
    static let signer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

    struct Vector: Sendable, CustomStringConvertible {
        let message: [UInt8]
        let digest: String
        let signature: String
        var description: String { "\(message.count)-byte message" }
    }

    static let vectors: [Vector] = [
        Vector(
            message: Array("DataMarket login nonce 42".utf8),
            digest: "0x12e7a550672d28555783b782de48f4b0dcd22ddc2e161d89c22833411e72f62c",
            signature: "0x15dcbabb51b695a0d3a884bf4f19d8ff681d256e74b2daa9b17920947474746d"
                + "783e1e131d4237d76cb0139cac2de45ab5509c98475fa7e23cc48bfc5bf44a2f1b"),
        Vector(
            message: [],
            digest: "0x5f35dce98ba4fba25530a026ed80b2cecdaa31091ba4958b99b52ea1d068adad",
            signature: "0xc1977b761f1dd36c29795783460d241885c8e7f9d962dbe7bba2753fd94e89b4"
                + "44a1cd9ed855dd09afa3b73f7c2bd097ec9abc2d2775d737505a02d3f0cafa591b"),
        // 200 bytes 0, 1, …, 199: a three-digit length and non-UTF-8 content.
        Vector(
            message: (0..<200).map { UInt8($0) },
            digest: "0xed1031587d62758f5833eec2d79c4b107392423cff2f31ecc3dc4848e4557001",
            signature: "0xea922e35bd46a0a67797f6feaa33b0ec4b3d544666424f00ba81a45c9d41f854"
                + "3077d122035cd2dde8f78676046a88ba0ebb5c91c0c3c5e2792f187a709a94a51c"),
        // "héllo 🌍": 7 characters, 11 UTF-8 bytes; the length prefix counts bytes.
        Vector(
            message: Array("héllo 🌍".utf8),
            digest: "0x44aae92ef16fd77e11aed40e86430ef042025783367937585e5aba5b8853584d",
            signature: "0x399e1c7f46105d8213dab1caf4f9909fd0076730deec8350777037ec05794ab1"
                + "431efff2eb03fe9302f3ff6a2f399c7112b0f7d4986440d6073f608fd7c8ed7f1b"),
    ]

    @Test(arguments: vectors)
    func digestMatchesEthAccount(vector: Vector) {
        #expect(PersonalMessage.digest(vector.message).hex == vector.digest)
    }

    @Test(arguments: vectors)
    func walletSignatureRecoversTheSigner(vector: Vector) throws {
        let signature = try Signature(hex: vector.signature)
        #expect(try PersonalMessage.recoverSigner(of: vector.message, signature: signature).checksummed == Self.signer)
    }

    @Test(arguments: vectors)
    func signingReproducesTheWalletSignatureByteForByte(vector: Vector) throws {
        // Both sides use RFC 6979 nonces and low-s, so the signatures are identical.
        let key = try PrivateKey(hex: Self.key)
        #expect(key.signPersonalMessage(vector.message).hex == vector.signature)
    }

    @Test func stringAndByteFormsAgree() throws {
        let key = try PrivateKey(hex: Self.key)
        let text = "héllo 🌍"
        #expect(PersonalMessage.digest(text) == PersonalMessage.digest(Array(text.utf8)))
        #expect(key.signPersonalMessage(text) == key.signPersonalMessage(Array(text.utf8)))
        #expect(try PersonalMessage.recoverSigner(of: text, signature: key.signPersonalMessage(text)) == key.address)
    }

    @Test func digestIsNotThePlainHashOfTheMessage() {
        #expect(PersonalMessage.digest("abc") != Keccak256.hash("abc"))
        #expect(PersonalMessage.digest("abc") == Keccak256.hash("\u{19}Ethereum Signed Message:\n3abc"))
    }

    @Test func signatureOverAnotherMessageRecoversSomeoneElse() throws {
        let signature = try Signature(hex: Self.vectors[0].signature)
        let other = try PersonalMessage.recoverSigner(of: Array("DataMarket login nonce 43".utf8), signature: signature)
        #expect(other.checksummed != Self.signer)
    }

    @Test func seededMessagesRoundTripThroughSignAndRecover() throws {
        var rng = SplitMix64(seed: 0x6569_7031_3931)
        for _ in 0..<50 {
            let key = try PrivateKey(bytes: rng.bytes(32))
            let message = rng.bytes(Int.random(in: 0...300, using: &rng))
            let signature = key.signPersonalMessage(message)
            #expect(try PersonalMessage.recoverSigner(of: message, signature: signature) == key.address)
        }
    }
}
