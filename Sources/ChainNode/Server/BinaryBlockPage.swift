package import LedgerCore

/// The binary variant of a `GET /blocks` page (asked for with `Accept: application/octet-stream`):
/// for each block in height order, the length of its canonical encoding as a 4-byte big-endian
/// unsigned integer, then those bytes (`Block.encoded`, exactly the JSON variant's `encoded`).
/// Nothing else; an empty page is an empty body.
///
/// A follower needs only these bytes: they carry the header, the transactions and the receipts,
/// and decoding them checks the roots. The JSON page also spells out every transaction and
/// receipt (each address with its EIP-55 checksum, a Keccak each), which the server must encode
/// and a follower would decode only to throw away.
///
/// ```swift
/// let bytes = BinaryBlockPage.encode(blocks)
/// let again = try BinaryBlockPage.decode(bytes, from: blocks[0].height)  // == blocks
/// ```
package enum BinaryBlockPage {
    /// The media type of a binary page.
    package static let contentType = "application/octet-stream"

    /// The framed canonical bytes of `blocks`.
    package static func encode(_ blocks: [Block]) -> [UInt8] {
        var out: [UInt8] = []
        for block in blocks { append(block.encoded, to: &out) }
        return out
    }

    /// Appends one block's canonical bytes `encoded`, framed, to `page`.
    package static func append(_ encoded: [UInt8], to page: inout [UInt8]) {
        let length = UInt32(truncatingIfNeeded: encoded.count)
        page.reserveCapacity(page.count + 4 + encoded.count)
        for shift in stride(from: 24, through: 0, by: -8) { page.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        page += encoded
    }

    /// The blocks of a binary page whose first block is at `height`, decoded from their
    /// canonical bytes (their roots checked) and required to follow one another from `height`.
    ///
    /// - Throws: ``RemoteNodeError/badBlock(height:reason:)`` naming the first block that is cut
    ///   short, does not decode or is not at the height its place in the page gives it.
    package static func decode(_ page: [UInt8], from height: UInt64) throws(RemoteNodeError) -> [Block] {
        var blocks: [Block] = []
        var p = 0
        var expected = height
        while p < page.count {
            guard page.count - p >= 4 else {
                throw .badBlock(
                    height: expected,
                    reason: "the page ends \(page.count - p) bytes into its length prefix at byte \(p); expected a 4-byte big-endian length")
            }
            let length = page[p..<p + 4].reduce(0) { $0 << 8 | Int($1) }
            p += 4
            guard page.count - p >= length else {
                throw .badBlock(
                    height: expected,
                    reason: "the page ends \(page.count - p) bytes into its \(length)-byte encoding; expected the whole encoding its length prefix announces")
            }
            let block: Block
            do { block = try Block(encoded: Array(page[p..<p + length])) } catch {
                throw .badBlock(height: expected, reason: "its canonical bytes do not decode: \(error)")
            }
            guard block.height == expected else {
                throw .badBlock(height: expected, reason: "its bytes hold block \(block.height); expected the blocks of a page in height order from \(height)")
            }
            blocks.append(block)
            p += length
            expected += 1
        }
        return blocks
    }
}
