import Testing
import LedgerCore

/// RLP: Ethereum's published vectors, round trips and strict decoding.
@Suite struct RLPTests {
    static let lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit"

    /// The vectors of the Ethereum wiki's RLP page (and the yellow paper, appendix B).
    static let vectors: [(String, RLP, String)] = [
        ("dog", .string("dog"), "83646f67"),
        ("[cat, dog]", .list([.string("cat"), .string("dog")]), "c88363617483646f67"),
        ("empty string", .string(""), "80"),
        ("empty list", .list([]), "c0"),
        ("integer 0", .uint(0), "80"),
        ("byte 0x00", .bytes([0]), "00"),
        ("byte 0x0f", .bytes([0x0f]), "0f"),
        ("integer 15", .uint(15), "0f"),
        ("integer 1024", .uint(1024), "820400"),
        ("set-theoretic three", .list([.list([]), .list([.list([])]), .list([.list([]), .list([.list([])])])]), "c7c0c1c0c3c0c1c0"),
        ("56-byte string", .string(lorem), "b838" + Hex.encode(Array(lorem.utf8)).dropFirst(2)),
    ]

    @Test(arguments: vectors.indices)
    func publishedVectorsEncodeAndDecode(index: Int) throws {
        let (name, item, hex) = Self.vectors[index]
        #expect(Hex.encode(item.encoded) == "0x" + hex, "\(name)")
        #expect(try RLP.decode(bytes(hex)) == item, "\(name)")
    }

    @Test func longListsAndStringsUseTheLongForm() throws {
        let list = RLP.list(Array(repeating: .string("abcdef"), count: 10))  // 70-byte payload
        #expect(Array(list.encoded.prefix(2)) == [0xF8, 70])
        let big = RLP.bytes([UInt8](repeating: 0xAA, count: 1024))
        #expect(Array(big.encoded.prefix(3)) == [0xB9, 0x04, 0x00])
        #expect(try RLP.decode(list.encoded) == list)
        #expect(try RLP.decode(big.encoded) == big)
    }

    @Test(arguments: [
        ("single byte under 0x80 with a prefix", "8105", RLPError.nonCanonical(offset: 0, reason: "single byte below 0x80 must not carry a prefix")),
        ("long string form for 5 bytes", "b8050102030405", .nonCanonical(offset: 0, reason: "long form used for a payload under 56 bytes")),
        ("long list form for 1 byte", "f80180", .nonCanonical(offset: 0, reason: "long form used for a payload under 56 bytes")),
        ("length with a leading zero", "b90038" + String(repeating: "61", count: 56), .nonCanonical(offset: 0, reason: "length has a leading zero byte")),
        ("five-byte length", "bc0100000000", .tooLong(offset: 0)),
        ("non-canonical inside a list", "c28105", .nonCanonical(offset: 1, reason: "single byte below 0x80 must not carry a prefix")),
        ("empty input", "", .truncated(offset: 0)),
        ("string cut short", "83646f", .truncated(offset: 0)),
        ("length of length cut short", "b9", .truncated(offset: 0)),
        ("long string cut short", "b838616263", .truncated(offset: 0)),
        ("list cut short", "c88363617483646f", .truncated(offset: 0)),
        ("item overrunning its list", "c28363", .truncated(offset: 1)),
        ("trailing byte", "8080", .trailingBytes(count: 1)),
        ("trailing list", "c0c0c0", .trailingBytes(count: 2)),
    ])
    func nonCanonicalAndTruncatedFormsAreRefused(name: String, hex: String, error: RLPError) {
        #expect(throws: error, "\(name)") { try RLP.decode(bytes(hex)) }
    }

    func nested(_ depth: Int) -> RLP {
        var item = RLP.list([])
        for _ in 0..<depth { item = .list([item]) }
        return item
    }

    @Test func nestingDepthIsLimited() throws {
        // The top-level list is at depth 0, so `maximumDepth` lists may sit inside it.
        let deepest = nested(RLP.maximumDepth)
        #expect(try RLP.decode(deepest.encoded) == deepest)
        #expect(throws: RLPError.tooDeep(limit: RLP.maximumDepth)) { try RLP.decode(nested(RLP.maximumDepth + 1).encoded) }
        // Hostile input: a hundred thousand list openings never reach the stack's end.
        #expect(throws: RLPError.tooDeep(limit: RLP.maximumDepth)) { try RLP.decode([UInt8](repeating: 0xC1, count: 100_000)) }
        #expect(throws: RLPError.tooDeep(limit: RLP.maximumDepth)) { try RLP.decode([UInt8](repeating: 0xF7, count: 100_000)) }
    }

    static func randomItem(_ rng: inout SplitMix64, depth: Int = 0) -> RLP {
        if depth < 4, Bool.random(using: &rng) {
            return .list((0..<Int.random(in: 0...5, using: &rng)).map { _ in randomItem(&rng, depth: depth + 1) })
        }
        let lengths = [0, 1, 1, 2, 55, 56, 57, 300]
        return .bytes(rng.bytes(lengths[Int.random(in: 0..<lengths.count, using: &rng)]))
    }

    @Test func randomItemsRoundTrip() throws {
        var rng = SplitMix64(seed: 0x51B)
        for _ in 0..<2000 {
            let item = Self.randomItem(&rng)
            #expect(try RLP.decode(item.encoded) == item)
        }
    }

    @Test func randomBytesNeverCrashAndWhateverDecodesIsCanonical() {
        var rng = SplitMix64(seed: 0xBAD)
        var decoded = 0
        for _ in 0..<20_000 {
            var input = rng.bytes(Int.random(in: 0...40, using: &rng))
            // Bias towards plausible prefixes so the decoder's deeper paths are reached.
            if let first = input.first, Bool.random(using: &rng) { input[0] = 0xC0 | (first & 0x3F) }
            if let item = try? RLP.decode(input) {
                decoded += 1
                #expect(item.encoded == input, "a non-canonical encoding decoded: \(Hex.encode(input))")
            }
        }
        #expect(decoded > 100)
    }

    @Test func typedAccessorsRefuseTheWrongShape() throws {
        #expect(throws: RLPError.expectedBytes(field: "f")) { try RLP.list([]).bytes("f") }
        #expect(throws: RLPError.expectedList(field: "f")) { try RLP.bytes([]).list("f") }
        #expect(throws: RLPError.wrongItemCount(field: "f", expected: 2, actual: 1)) { try RLP.list([.bytes([])]).list("f", count: 2) }
        #expect(throws: RLPError.integerTooLarge(field: "n")) { try RLP.bytes([UInt8](repeating: 1, count: 9)).uint64("n") }
        #expect(throws: RLPError.nonCanonical(offset: 0, reason: "n: integer has a leading zero byte")) { try RLP.bytes([0, 1]).uint64("n") }
        #expect(throws: RLPError.invalidUTF8(field: "s")) { try RLP.bytes([0xFF, 0xFE]).string("s") }
        #expect(try RLP.uint(.max).uint64("n") == .max)
        #expect(try RLP.uint(0).uint64("n") == 0)
        #expect(try RLP.string("héllo").string("s") == "héllo")
    }

    @Test func errorsSayWhatWasWrongAndWhatWasExpected() {
        #expect(RLPError.trailingBytes(count: 2).description == "RLP: 2 unexpected byte(s) after the item; expected exactly one item")
        #expect(RLPError.wrongItemCount(field: "transaction", expected: 6, actual: 5).description == "RLP: transaction: expected 6 items, found 5")
    }
}
