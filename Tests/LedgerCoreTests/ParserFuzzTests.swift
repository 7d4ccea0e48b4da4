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

    @Test func hexDecodeNeverCrashesAndRoundTripsWhatItAccepts() {
        var rng = SplitMix64(seed: 1)
        var accepted = 0
        var refused = 0
        for _ in 0..<5000 {
            let text = Self.randomText(&rng, around: Int.random(in: 0...8, using: &rng))
            do {
                let decoded = try Hex.decode(text)
                accepted += 1
                let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
                #expect(Hex.encode(decoded, prefix: false) == digits.lowercased())
            } catch {
                refused += 1
            }
        }
        #expect(accepted > 100 && refused > 100)
    }

    @Test func addressParserNeverCrashesAndAcceptedAddressesRoundTrip() throws {
        var rng = SplitMix64(seed: 2)
        var accepted = 0
        var refused = 0
        for _ in 0..<5000 {
            let text = Self.randomText(&rng, around: 40)
            do {
                let address = try Address(text)
                accepted += 1
                #expect(try Address(address.checksummed) == address)
            } catch {
                refused += 1
            }
        }
        #expect(accepted > 100 && refused > 100)
    }

    @Test func signatureParsersNeverCrashAndAcceptedSignaturesRoundTrip() throws {
        var rng = SplitMix64(seed: 3)
        var accepted = 0
        var refused = 0
        for round in 0..<5000 {
            let signature: Signature
            do {
                if round % 2 == 0 {
                    var wire = Self.randomBytes(&rng, around: 65)
                    if wire.count == 65 { wire[64] = [0, 1, 27, 28, 2, 29].randomElement(using: &rng) ?? 27 }
                    if wire.count == 65 && Bool.random(using: &rng) { wire[32] &= 0x7f }  // often low-s
                    signature = try Signature(bytes: wire)
                } else {
                    signature = try Signature(hex: Self.randomText(&rng, around: 130))
                }
            } catch {
                refused += 1
                continue
            }
            accepted += 1
            #expect(try Signature(bytes: signature.bytes) == signature)
            #expect(Secp256k1Group.isLowHalf(signature.s))
            _ = try? signature.recoverAddress(digest: Keccak256.hash(signature.bytes))
        }
        #expect(accepted > 100 && refused > 100)
    }

    @Test func privateKeyParsersNeverCrashAndAcceptedKeysRoundTrip() throws {
        var rng = SplitMix64(seed: 4)
        var accepted = 0
        var refused = 0
        for round in 0..<5000 {
            let key: PrivateKey
            do {
                if round % 2 == 0 {
                    key = try PrivateKey(bytes: Self.randomBytes(&rng, around: 32, firstByte: [0x00, 0xff]))
                } else {
                    key = try PrivateKey(hex: Self.randomText(&rng, around: 64))
                }
            } catch {
                refused += 1
                continue
            }
            accepted += 1
            #expect(try PrivateKey(bytes: key.bytes) == key)
        }
        #expect(accepted > 100 && refused > 100)
    }

    @Test func publicKeyParserNeverCrashesAndAcceptedKeysRoundTrip() throws {
        var rng = SplitMix64(seed: 5)
        var accepted = 0
        var refused = 0
        for _ in 0..<5000 {
            let around = [33, 64, 65].randomElement(using: &rng) ?? 33
            let bytes = Self.randomBytes(&rng, around: around, firstByte: around == 33 ? [0x02, 0x03] : [0x04, 0x06])
            do {
                let key = try PublicKey(bytes: bytes)
                accepted += 1
                #expect(try PublicKey(bytes: key.compressed) == key)
                #expect(try PublicKey(bytes: key.uncompressed).address == key.address)
            } catch {
                refused += 1
            }
        }
        #expect(accepted > 100 && refused > 100)
    }
}
