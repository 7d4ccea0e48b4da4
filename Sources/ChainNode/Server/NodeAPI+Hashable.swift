public import LedgerCore

// The generated operation types are Hashable, so the DataMarket types the document's schemas
// map to (scripts/openapi/ChainNode.yaml) must be too. Each hashes a few identifying fields:
// values that are equal hash equally, which is all Hashable asks; nothing hashes them in bulk.

extension NodeAPI.ErrorBody: Hashable {
    /// Hashes the code and detail.
    public func hash(into hasher: inout Hasher) { hasher.combine(error); hasher.combine(detail) }
}

extension NodeAPI.SubmitRequest: Hashable {
    /// Whether both carry the same transaction text.
    public static func == (a: Self, b: Self) -> Bool { a.transaction == b.transaction }
    /// Hashes the transaction text.
    public func hash(into hasher: inout Hasher) { hasher.combine(transaction) }
}

extension NodeAPI.WarpRequest: Hashable {
    /// Whether both warp by the same seconds.
    public static func == (a: Self, b: Self) -> Bool { a.seconds == b.seconds }
    /// Hashes the seconds.
    public func hash(into hasher: inout Hasher) { hasher.combine(seconds) }
}

extension NodeAPI.TransactionStatusBody: Hashable {
    /// Hashes the transaction hash and its status.
    public func hash(into hasher: inout Hasher) { hasher.combine(hash); hasher.combine(status) }
}

extension NodeAPI.Head: Hashable {
    /// Hashes the height and the block hash.
    public func hash(into hasher: inout Hasher) { hasher.combine(height); hasher.combine(hash) }
}

extension NodeAPI.Account: Hashable {
    /// Hashes the address and nonce.
    public func hash(into hasher: inout Hasher) { hasher.combine(address); hasher.combine(nonce) }
}

extension NodeAPI.BlockBody: Hashable {
    /// Hashes the block hash.
    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}

extension NodeAPI.BlockPage: Hashable {
    /// Hashes the block hashes.
    public func hash(into hasher: inout Hasher) { hasher.combine(blocks); hasher.combine(next) }
}

extension NodeAPI.EventPage: Hashable {
    /// Hashes the events' heights and transactions.
    public func hash(into hasher: inout Hasher) {
        for record in events { hasher.combine(record.height); hasher.combine(record.transactionHash) }
    }
}

extension NodeAPI.MarketSummary: Hashable {
    /// Hashes the market id.
    public func hash(into hasher: inout Hasher) { hasher.combine(market) }
}

extension NodeAPI.MarketList: Hashable {
    /// Hashes the market summaries.
    public func hash(into hasher: inout Hasher) { hasher.combine(markets) }
}

extension NodeAPI.MarketListings: Hashable {
    /// Hashes the tokens and the number of listings.
    public func hash(into hasher: inout Hasher) { hasher.combine(marketToken); hasher.combine(listings.count) }
}

extension NodeAPI.MarketPolls: Hashable {
    /// Hashes the market id and the number of polls.
    public func hash(into hasher: inout Hasher) { hasher.combine(market); hasher.combine(polls.count) }
}

extension NodeAPI.ModelBountyView: Hashable {
    /// Hashes what the escrow holds.
    public func hash(into hasher: inout Hasher) { hasher.combine(escrowHeld) }
}

extension NodeAPI.DataBountyView: Hashable {
    /// Hashes the phase's name.
    public func hash(into hasher: inout Hasher) { hasher.combine("\(phase)") }
}

extension NodeAPI.NFTView: Hashable {
    /// Hashes the token id and content hash.
    public func hash(into hasher: inout Hasher) { hasher.combine(id); hasher.combine(contentHash) }
}

extension NodeAPI.StreamView: Hashable {
    /// Hashes the stream id and the chain time of the view.
    public func hash(into hasher: inout Hasher) { hasher.combine(stream.id); hasher.combine(now) }
}

extension NodeAPI.ModelView: Hashable {
    /// Hashes the model id and its use count.
    public func hash(into hasher: inout Hasher) { hasher.combine(model); hasher.combine(uses) }
}

extension NodeAPI.StateSnapshot: Hashable {
    /// Hashes the height and state hash.
    public func hash(into hasher: inout Hasher) { hasher.combine(height); hasher.combine(stateHash) }
}

extension GenesisConfig: Hashable {
    /// Hashes the chain id, the start time and the token symbols.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(chainID)
        hasher.combine(timestamp)
        for token in tokens { hasher.combine(token.symbol) }
    }
}
