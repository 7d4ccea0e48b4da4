import Foundation
import Testing
import LedgerCore

@Suite struct AddressTests {
    /// The eight examples of EIP-55 (all caps, all lower, normal), each its own checksummed form.
    static let eip55Examples = [
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]

    /// `text` with the case of its first letter digit (after 0x) flipped.
    static func flippingFirstLetterCase(_ text: String) -> String {
        var characters = Array(text)
        guard let index = characters.indices.dropFirst(2).first(where: { characters[$0].isLetter }) else { return text }
        let character = characters[index]
        characters[index] = character.isUppercase ? Character(character.lowercased()) : Character(character.uppercased())
        return String(characters)
    }

    @Test(arguments: eip55Examples)
    func eip55ExampleParsesAndChecksumsToItself(example: String) throws {
        let address = try Address(example)
        #expect(address.checksummed == example)
        #expect(address.description == example)
    }

    @Test(arguments: eip55Examples)
    func allLowercaseAndAllUppercaseFormsAreAccepted(example: String) throws {
        let expected = try Address(example)
        let digits = example.dropFirst(2)
        #expect(try Address("0x" + digits.lowercased()) == expected)
        #expect(try Address("0x" + digits.uppercased()) == expected)
        #expect(try Address(String(digits)) == expected)
    }

    @Test func mixedCaseWithAWrongChecksumIsRefusedWithTheExpectedForm() {
        let given = Self.flippingFirstLetterCase("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        #expect(given == "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        #expect(throws: AddressError.checksumMismatch(given: given, expected: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")) {
            try Address(given)
        }
    }

    @Test(arguments: eip55Examples.suffix(4))
    func flippingAnyOneLetterOfAChecksummedAddressIsRefused(example: String) {
        let characters = Array(example)
        for index in characters.indices.dropFirst(2) where characters[index].isLetter {
            var tampered = characters
            let c = characters[index]
            tampered[index] = c.isUppercase ? Character(c.lowercased()) : Character(c.uppercased())
            let text = String(tampered)
            #expect(throws: AddressError.checksumMismatch(given: text, expected: example)) { try Address(text) }
        }
    }

    @Test func wrongLengthsAreRefused() {
        #expect(throws: AddressError.wrongLength(expected: 20, actual: 19)) {
            try Address("0x" + String(repeating: "ab", count: 19))
        }
        #expect(throws: AddressError.wrongLength(expected: 20, actual: 21)) {
            try Address("0x" + String(repeating: "ab", count: 21))
        }
        #expect(throws: AddressError.wrongLength(expected: 20, actual: 0)) { try Address("0x") }
        #expect(throws: AddressError.wrongLength(expected: 20, actual: 21)) { try Address(bytes: [UInt8](repeating: 1, count: 21)) }
    }

    @Test func malformedHexIsRefusedWithTheHexError() {
        #expect(throws: AddressError.invalidHex(.oddLength(field: "address", digits: 39))) {
            try Address("0x" + String(repeating: "a", count: 39))
        }
        #expect(throws: AddressError.invalidHex(.invalidCharacter(field: "address", character: "g", offset: 2))) {
            try Address("0xg" + String(repeating: "a", count: 39))
        }
    }

    @Test func zeroAddressPrintsFortyZeros() {
        #expect(Address.zero.checksummed == "0x" + String(repeating: "0", count: 40))
    }

    @Test func bytesRoundTripThroughTheChecksummedForm() throws {
        var rng = SplitMix64(seed: 0x6164_6472)
        for _ in 0..<300 {
            let address = try Address(bytes: rng.bytes(20))
            #expect(try Address(address.checksummed) == address)
            #expect(try Address(Hex.encode(address.bytes)) == address)
        }
    }

    @Test func ordersLexicographicallyOnBytes() throws {
        let a = try Address("0x00000000000000000000000000000000000000ff")
        let b = try Address("0x0000000000000000000000000000000000000100")
        #expect(Address.zero < a && a < b)
    }

    @Test func codesAsTheChecksummedStringAndDecodesStrictly() throws {
        try expectCodesAsString(
            try Address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"), "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            refusing: "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")  // one letter's case flipped
    }

    @Test func checksumMismatchDescriptionNamesTheExpectedForm() {
        let text = AddressError.checksumMismatch(given: "0xAB", expected: "0xAb").description
        #expect(text.hasPrefix("address:") && text.contains("expected 0xAb"))
    }
}
