import Testing
@testable import LedgerCore

/// Thousands of seeded random inputs into every parser. Each must either refuse the input with
/// its typed error or return a value that survives a round trip; none may crash. The counts of
/// accepted and refused inputs are checked so that the generators really reach both outcomes.
@Suite struct ParserFuzzTests {
    /// Characters that matter to the parsers: digits of both cases, prefix letters, near misses,
    /// whitespace, control and multi-byte characters, a combining mark.
    static let alphabet: [Character] = Array("0123456789abcdefABCDEFxXgG \n\t:-_é🌍\u{0}\u{301}")

    /// A random string: mostly hex of a length near `around` digits, sometimes prefixed, sometimes
    /// with one character replaced by anything from the alphabet.
    static func randomText(_ rng: inout SplitMix64, around: Int) -> String {
        let hexDigits = Array("0123456789abcdefABCDEF")
        let length = max(0, around + Int.random(in: -2...2, using: &rng))
        var characters: [Character] = (0..<length).map { _ in hexDigits.randomElement(using: &rng) ?? "0" }
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: characters = (0..<length).map { _ in alphabet.randomElement(using: &rng) ?? "0" }
        case 1 where !characters.isEmpty:
            characters[Int.random(in: 0..<characters.count, using: &rng)] = alphabet.randomElement(using: &rng) ?? "0"
        case 2: characters = (0..<length).map { _ in Character(String(hexDigits.randomElement(using: &rng) ?? "0").lowercased()) }
        default: break
        }
        let prefix = ["0x", "0x", "0X", "", "0x0x"].randomElement(using: &rng) ?? ""
        return prefix + String(characters)
    }

    /// Random bytes of a length near `around`, sometimes with a chosen first byte.
    static func randomBytes(_ rng: inout SplitMix64, around: Int, firstByte: [UInt8] = []) -> [UInt8] {
        var bytes = rng.bytes(max(0, around + Int.random(in: -1...1, using: &rng)))
        if !bytes.isEmpty, let first = firstByte.randomElement(using: &rng), Bool.random(using: &rng) {
            bytes[0] = first
        }
        return bytes
    }

    /// Feeds `parse` 5,000 inputs drawn from a generator seeded with `seed` (it also gets the
    /// round's number). An input it refuses by throwing is counted as refused; a value it returns
    /// goes through `roundTrip`, whose checks must hold. Both outcomes must be reached often.
    static func fuzz<Value>(
        seed: UInt64, sourceLocation: SourceLocation = #_sourceLocation,
        parse: (inout SplitMix64, Int) throws -> Value, roundTrip: (Value) throws -> Void
    ) throws {
        var rng = SplitMix64(seed: seed)
        var accepted = 0
        var refused = 0
        for round in 0..<5000 {
            let value: Value
            do {
                value = try parse(&rng, round)
            } catch {
                refused += 1
                continue
            }
            accepted += 1
            try roundTrip(value)
        }
        #expect(accepted > 100 && refused > 100, "accepted \(accepted), refused \(refused)", sourceLocation: sourceLocation)
    }

    @Test func hexDecodeNeverCrashesAndRoundTripsWhatItAccepts() throws {
        try Self.fuzz(seed: 1) { rng, _ in
            let text = Self.randomText(&rng, around: Int.random(in: 0...8, using: &rng))
            return (text, try Hex.decode(text))
        } roundTrip: { text, decoded throws in
            let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
            #expect(Hex.encode(decoded, prefix: false) == digits.lowercased())
        }
    }

    @Test func addressParserNeverCrashesAndAcceptedAddressesRoundTrip() throws {
        try Self.fuzz(seed: 2) { rng, _ in
            try Address(Self.randomText(&rng, around: 40))
        } roundTrip: { address throws in
            #expect(try Address(address.checksummed) == address)
        }
    }

    @Test func signatureParsersNeverCrashAndAcceptedSignaturesRoundTrip() throws {
        try Self.fuzz(seed: 3) { rng, round in
            if round % 2 == 0 {
                var wire = Self.randomBytes(&rng, around: 65)
                if wire.count == 65 { wire[64] = [0, 1, 27, 28, 2, 29].randomElement(using: &rng) ?? 27 }
                if wire.count == 65 && Bool.random(using: &rng) { wire[32] &= 0x7f }  // often low-s
                return try Signature(bytes: wire)
            }
            return try Signature(hex: Self.randomText(&rng, around: 130))
        } roundTrip: { signature throws in
            #expect(try Signature(bytes: signature.bytes) == signature)
            #expect(Secp256k1Group.isLowHalf(signature.s))
            _ = try? signature.recoverAddress(digest: Keccak256.hash(signature.bytes))
        }
    }

    @Test func privateKeyParsersNeverCrashAndAcceptedKeysRoundTrip() throws {
        try Self.fuzz(seed: 4) { rng, round in
            if round % 2 == 0 { return try PrivateKey(bytes: Self.randomBytes(&rng, around: 32, firstByte: [0x00, 0xff])) }
            return try PrivateKey(hex: Self.randomText(&rng, around: 64))
        } roundTrip: { key throws in
            #expect(try PrivateKey(bytes: key.bytes) == key)
        }
    }

    @Test func publicKeyParserNeverCrashesAndAcceptedKeysRoundTrip() throws {
        try Self.fuzz(seed: 5) { rng, _ in
            let around = [33, 64, 65].randomElement(using: &rng) ?? 33
            return try PublicKey(bytes: Self.randomBytes(&rng, around: around, firstByte: around == 33 ? [0x02, 0x03] : [0x04, 0x06]))
        } roundTrip: { key throws in
            #expect(try PublicKey(bytes: key.compressed) == key)
            #expect(try PublicKey(bytes: key.uncompressed).address == key.address)
        }
    }
}
