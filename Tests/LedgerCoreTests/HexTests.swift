import Foundation
import Testing
import LedgerCore

@Suite struct HexTests {
    // MARK: - Encoding

    @Test func encodesLowercaseWithAndWithoutPrefix() {
        #expect(Hex.encode([0x00, 0xab, 0xCD, 0x10, 0xff]) == "0x00abcd10ff")
        #expect(Hex.encode([0x00, 0xab, 0xCD, 0x10, 0xff], prefix: false) == "00abcd10ff")
        #expect(Hex.encode([UInt8]()) == "0x")
        #expect(Hex.encode([UInt8](), prefix: false) == "")
    }

    @Test func encodesNonContiguousSequences() {
        #expect(Hex.encode((0..<4).lazy.map { UInt8($0 * 0x11) }) == "0x00112233")
        #expect(Hex.encode(Data([0xde, 0xad, 0xbe, 0xef])) == "0xdeadbeef")
    }

    // MARK: - Decoding, accepted forms

    @Test func decodesWithEitherPrefixOrNoneAndEitherCase() throws {
        #expect(try Hex.decode("0xdeadBEEF") == [0xde, 0xad, 0xbe, 0xef])
        #expect(try Hex.decode("0XDEADbeef") == [0xde, 0xad, 0xbe, 0xef])
        #expect(try Hex.decode("deadbeef") == [0xde, 0xad, 0xbe, 0xef])
        #expect(try Hex.decode("0x") == [])
        #expect(try Hex.decode("") == [])
    }

    @Test func acceptsTheExactExpectedByteCount() throws {
        #expect(try Hex.decode("0x0102", expectedByteCount: 2) == [1, 2])
        #expect(try Hex.decode("", expectedByteCount: 0) == [])
    }

    @Test func seededRandomBytesRoundTripThroughEncodeAndDecode() throws {
        var rng = SplitMix64(seed: 0x6865_78)
        for _ in 0..<500 {
            let bytes = rng.bytes(Int.random(in: 0...80, using: &rng))
            #expect(try Hex.decode(Hex.encode(bytes)) == bytes)
            #expect(try Hex.decode(Hex.encode(bytes, prefix: false).uppercased()) == bytes)
        }
    }

    // MARK: - Decoding, rejections

    @Test func rejectsANonHexCharacterWithItsOffset() {
        #expect(throws: HexError.invalidCharacter(field: "hex", character: "g", offset: 4)) {
            try Hex.decode("0x12g4")
        }
        #expect(throws: HexError.invalidCharacter(field: "hex", character: "g", offset: 2)) {
            try Hex.decode("12g4")
        }
    }

    @Test func rejectsWhitespaceAndSeparators() {
        #expect(throws: HexError.invalidCharacter(field: "hex", character: " ", offset: 0)) { try Hex.decode(" 12") }
        #expect(throws: HexError.invalidCharacter(field: "hex", character: "\n", offset: 4)) { try Hex.decode("0x12\n") }
        #expect(throws: HexError.invalidCharacter(field: "hex", character: ":", offset: 2)) { try Hex.decode("12:34") }
    }

    @Test func rejectsADoubledOrMisplacedPrefix() {
        #expect(throws: HexError.invalidCharacter(field: "hex", character: "x", offset: 3)) { try Hex.decode("0x0x12") }
        #expect(throws: HexError.invalidCharacter(field: "hex", character: "x", offset: 3)) { try Hex.decode("120x") }
    }

    @Test func reportsNonASCIICharactersWholeWithCharacterOffsets() {
        #expect(throws: HexError.invalidCharacter(field: "hex", character: "é", offset: 2)) { try Hex.decode("0xé1") }
        #expect(throws: HexError.invalidCharacter(field: "hex", character: "🌍", offset: 3)) { try Hex.decode("0x1🌍") }
        // "a" followed by a combining accent is one character, "á", and not a hex digit.
        #expect(throws: HexError.invalidCharacter(field: "hex", character: "a\u{301}", offset: 2)) {
            try Hex.decode("0xa\u{301}b")
        }
    }

    @Test func rejectsAnOddNumberOfDigits() {
        #expect(throws: HexError.oddLength(field: "hex", digits: 3)) { try Hex.decode("0xabc") }
        #expect(throws: HexError.oddLength(field: "hex", digits: 1)) { try Hex.decode("a") }
    }

    @Test func reportsABadCharacterBeforeAnOddLength() {
        #expect(throws: HexError.invalidCharacter(field: "hex", character: "z", offset: 2)) { try Hex.decode("abz") }
    }

    @Test func rejectsTheWrongByteCount() {
        #expect(throws: HexError.wrongByteCount(field: "hex", expected: 3, actual: 2)) {
            try Hex.decode("0x1234", expectedByteCount: 3)
        }
        #expect(throws: HexError.wrongByteCount(field: "hex", expected: 1, actual: 0)) {
            try Hex.decode("0x", expectedByteCount: 1)
        }
    }

    @Test func namesTheFieldInErrors() {
        #expect(throws: HexError.oddLength(field: "nonce", digits: 1)) { try Hex.decode("1", field: "nonce") }
    }

    @Test func descriptionsSayWhatWasWrongAndWhatWasExpected() {
        let odd = HexError.oddLength(field: "salt", digits: 3).description
        #expect(odd.hasPrefix("salt:") && odd.contains("3") && odd.contains("even"))
        let bad = HexError.invalidCharacter(field: "salt", character: "g", offset: 4).description
        #expect(bad.hasPrefix("salt:") && bad.contains("\"g\"") && bad.contains("offset 4") && bad.contains("0-9"))
        let count = HexError.wrongByteCount(field: "salt", expected: 32, actual: 2).description
        #expect(count.hasPrefix("salt:") && count.contains("2 bytes") && count.contains("exactly 32"))
    }
}

@Suite struct Hash32Tests {
    @Test func parsesAndPrintsLowercaseHex() throws {
        let hash = try Hash32(hex: "0xC5D2460186F7233C927E7DB2DCC703C0E500B653CA82273B7BFAD8045D85A470")
        #expect(hash == Keccak256.hash(""))
        #expect(hash.description == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    }

    @Test func rejectsAnythingButThirtyTwoBytes() {
        #expect(throws: HexError.wrongByteCount(field: "hash", expected: 32, actual: 31)) {
            try Hash32(bytes: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: HexError.wrongByteCount(field: "root", expected: 32, actual: 1)) {
            try Hash32(hex: "0x01", field: "root")
        }
    }

    @Test func zeroIsThirtyTwoZeroBytes() {
        #expect(Hash32.zero.bytes == [UInt8](repeating: 0, count: 32))
    }

    @Test func ordersLexicographicallyOnBytes() throws {
        let low = try Hash32(bytes: [0x00] + [UInt8](repeating: 0xff, count: 31))
        let high = try Hash32(bytes: [0x01] + [UInt8](repeating: 0x00, count: 31))
        #expect(low < high)
        #expect(Hash32.zero < low)
    }

    @Test func codesAsAHexStringAndDecodesStrictly() throws {
        let hash = Keccak256.hash("abc")
        try expectCodesAsString(hash, hash.hex, refusing: "0x12")
    }
}
