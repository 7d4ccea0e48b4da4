// Helpers shared by the LedgerCore test files (one copy, used by every suite in this target).

import Foundation
import LedgerCore
import Testing

/// Decodes hex known to be valid in a test vector; a malformed vector fails the test that uses
/// it (through an empty result) instead of crashing the run.
func bytes(_ hex: String) -> [UInt8] {
    (try? Hex.decode(hex)) ?? []
}

/// The secp256k1 group order n, big-endian.
let groupOrder = bytes("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")

/// `a − b` for 32-byte big-endian numbers with a ≥ b (used to build n − s).
func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
    var result = [UInt8](repeating: 0, count: 32)
    var borrow = 0
    for index in stride(from: 31, through: 0, by: -1) {
        var digit = Int(a[index]) - Int(b[index]) - borrow
        borrow = digit < 0 ? 1 : 0
        if digit < 0 { digit += 256 }
        result[index] = UInt8(digit)
    }
    return result
}

/// `value + delta` for a 32-byte big-endian number (wrapping at 2^256).
func add(_ value: [UInt8], _ delta: UInt8) -> [UInt8] {
    var result = value
    var carry = Int(delta)
    for index in stride(from: 31, through: 0, by: -1) where carry > 0 {
        let sum = Int(result[index]) + carry
        result[index] = UInt8(sum & 0xff)
        carry = sum >> 8
    }
    return result
}

/// Expects `value` to encode (inside a JSON array) as the one string `text`, to decode back
/// from it, and the string `refused` to fail decoding.
func expectCodesAsString<T: Codable & Equatable>(
    _ value: T, _ text: String, refusing refused: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let json = try JSONEncoder().encode([value])
    #expect(String(decoding: json, as: UTF8.self) == "[\"\(text)\"]", sourceLocation: sourceLocation)
    #expect(try JSONDecoder().decode([T].self, from: json) == [value], sourceLocation: sourceLocation)
    #expect(throws: DecodingError.self, sourceLocation: sourceLocation) {
        try JSONDecoder().decode([T].self, from: Data("[\"\(refused)\"]".utf8))
    }
}

/// Expects `open` to refuse with `ChainError.corrupt` naming block `height`.
func expectCorrupt(atHeight height: UInt64, sourceLocation: SourceLocation = #_sourceLocation, _ open: () throws -> Void) {
    #expect(sourceLocation: sourceLocation) {
        try open()
    } throws: { error in
        guard case .corrupt(let found, _) = error as? ChainError else { return false }
        return found == height
    }
}
