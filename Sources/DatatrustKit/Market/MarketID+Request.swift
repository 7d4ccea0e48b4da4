import MarketKit

extension MarketID {
    /// The market id named in a request.
    ///
    /// DatatrustKit serves markets under MarketKit's own ``MarketKit/MarketID`` (the chain's
    /// rule: 1–20 of `a–z`, `0–9`, `-`, starting with a letter); the id is also the name of the
    /// market's table in SQL queries (quote ids with `-`: `SELECT … FROM "heart-1"`).
    /// - Throws: ``DatatrustError/badRequest(_:)`` naming the rule when `text` breaks it.
    static func requested(_ text: String) throws(DatatrustError) -> MarketID {
        do { return try MarketID(text) } catch {
            throw .badRequest("market: \"\(text.prefix(80))\" is not a market id; expected 1–20 of a–z, 0–9, - starting with a letter, as on chain")
        }
    }
}
