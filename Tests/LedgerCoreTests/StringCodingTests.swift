import Foundation
import LedgerCore
import Testing

/// Hash32, Address and Signature are Codable as one string through a single shared path: each
/// round-trips through JSON as its text form, and a refused text is a `dataCorrupted` error
/// whose description is the type's own parser message, not a generic one.
struct StringCodingTests {
    /// Decodes `text` as a one-element JSON array of `T`.
    private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let data = try JSONEncoder().encode([text])
        return try JSONDecoder().decode([T].self, from: data)[0]
    }

    /// The debug description of the `dataCorrupted` error decoding `text` as `T` throws.
    private func refusal<T: Decodable>(_ type: T.Type, _ text: String) -> String? {
        do {
            _ = try decode(type, text)
            return nil
        } catch DecodingError.dataCorrupted(let context) {
            return context.debugDescription
        } catch {
            return "not dataCorrupted: \(error)"
        }
    }

    @Test func stringCodedValuesRoundTripAsTheirTextForm() throws {
        let key = PrivateKey.derived(seed: 7, label: "string-coding")
        let hash = Keccak256.hash(Array("string coding".utf8))
        let signature = key.sign(digest: hash)
        let address = key.address
        #expect(try JSONEncoder().encode([hash]) == JSONEncoder().encode([hash.hex]))
        #expect(try JSONEncoder().encode([address]) == JSONEncoder().encode([address.checksummed]))
        #expect(try JSONEncoder().encode([signature]) == JSONEncoder().encode([signature.hex]))
        #expect(try decode(Hash32.self, hash.hex) == hash)
        #expect(try decode(Address.self, address.checksummed) == address)
        #expect(try decode(Signature.self, signature.hex) == signature)
    }

    @Test func refusedTextIsDataCorruptedCarryingTheParsersOwnMessage() throws {
        let address = PrivateKey.derived(seed: 7, label: "string-coding").address.checksummed
        // One letter's case flipped: a wrong EIP-55 checksum.
        let firstLetter = address.dropFirst(2).firstIndex { $0.isLetter }
        let index = try #require(firstLetter)
        let flipped = address.replacingCharacters(
            in: index...index, with: address[index].isUppercase ? address[index].lowercased() : address[index].uppercased())
        for text in ["0x12", "not hex", flipped] {
            var expected: String?
            do { _ = try Hash32(hex: text) } catch { expected = error.description }
            #expect(expected != nil && refusal(Hash32.self, text) == expected, "Hash32 \(text)")
            expected = nil
            do { _ = try Address(text) } catch { expected = error.description }
            #expect(expected != nil && refusal(Address.self, text) == expected, "Address \(text)")
            expected = nil
            do { _ = try Signature(hex: text) } catch { expected = error.description }
            #expect(expected != nil && refusal(Signature.self, text) == expected, "Signature \(text)")
        }
        // A value of the wrong JSON type is still a type mismatch, not a parser refusal.
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Hash32].self, from: Data("[12]".utf8)) }
    }
}
