public import LedgerCore

/// A market's id: a short slug (`cancer-data`), 1–20 characters `a`–`z`, `0`–`9`, `-`,
/// starting with a letter. Its MarketToken's symbol is `MKT-` plus the slug in capitals.
public struct MarketID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The slug.
    public let slug: String

    /// Validates a slug.
    public init(_ slug: String) throws(MarketError) {
        let bytes = Array(slug.utf8)
        guard (1...20).contains(bytes.count), let first = bytes.first, (97...122).contains(first),
            bytes.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 45 })
        else { throw .invalidMarketID(slug) }
        self.slug = slug
    }

    /// The symbol of the market's MarketToken, e.g. `MKT-CANCER-DATA`.
    public var tokenSymbol: TokenID { TokenID(unchecked: "MKT-" + slug.uppercased()) }

    /// The bare slug, e.g. `cancer-data`.
    public var description: String { slug }
    /// Orders market ids alphabetically by slug.
    public static func < (l: MarketID, r: MarketID) -> Bool { l.slug < r.slug }

    /// Decodes the bare slug string, throwing `DecodingError.dataCorrupted` for one that is not a valid slug.
    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(s) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes the id as its bare slug string, e.g. `"cancer-data"`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(slug)
    }
}
