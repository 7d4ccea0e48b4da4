/// What one transaction did: who sent it to which module, and the events it emitted.
public struct Receipt: Sendable, Equatable, Codable {
    /// The transaction's hash.
    public let transactionHash: Hash32
    /// The recovered signer.
    public let sender: Address
    /// The module called.
    public let module: String
    /// The events, in order.
    public let events: [Event]

    /// A receipt.
    public init(transactionHash: Hash32, sender: Address, module: String, events: [Event]) {
        self.transactionHash = transactionHash
        self.sender = sender
        self.module = module
        self.events = events
    }

    var rlp: RLP {
        .list([.bytes(transactionHash.bytes), .bytes(sender.bytes), .string(module), .list(events.map(\.rlp))])
    }

    init(rlp: RLP) throws {
        let items = try rlp.list("receipt", count: 4)
        transactionHash = try Hash32(bytes: try items[0].bytes("receipt.transactionHash"))
        sender = try Address(bytes: try items[1].bytes("receipt.sender"))
        module = try items[2].string("receipt.module")
        events = try items[3].list("receipt.events").map { item throws in try Event(rlp: item) }
    }
}

/// A block header; its Keccak-256 over the canonical RLP is the block hash.
///
///     header = [1, height, parentHash, timestamp, transactionsRoot, receiptsRoot, extra]
///     transactionsRoot = keccak256(rlp([txHash, ...]))
///     receiptsRoot     = keccak256(rlp([receipt, ...]))
///
/// `extra` is empty except in the genesis block, where it is the Keccak-256 of the canonical
/// genesis configuration.
public struct BlockHeader: Sendable, Equatable, Codable {
    /// The header encoding version.
    public static let version: UInt64 = 1

    /// 0 for genesis, then +1 per block.
    public let height: UInt64
    /// The previous block's hash (zero for genesis).
    public let parentHash: Hash32
    /// Protocol time, seconds; never earlier than the parent's.
    public let timestamp: UInt64
    /// Commitment to the ordered transactions.
    public let transactionsRoot: Hash32
    /// Commitment to the ordered receipts (and so every event).
    public let receiptsRoot: Hash32
    /// Genesis: the configuration hash; otherwise empty.
    public let extra: [UInt8]

    /// A header.
    public init(height: UInt64, parentHash: Hash32, timestamp: UInt64, transactionsRoot: Hash32, receiptsRoot: Hash32, extra: [UInt8] = []) {
        self.height = height
        self.parentHash = parentHash
        self.timestamp = timestamp
        self.transactionsRoot = transactionsRoot
        self.receiptsRoot = receiptsRoot
        self.extra = extra
    }

    var rlp: RLP {
        .list([
            .uint(BlockHeader.version), .uint(height), .bytes(parentHash.bytes), .uint(timestamp),
            .bytes(transactionsRoot.bytes), .bytes(receiptsRoot.bytes), .bytes(extra),
        ])
    }

    /// The block hash.
    public var hash: Hash32 { Keccak256.hash(rlp.encoded) }

    init(rlp: RLP) throws {
        let items = try rlp.list("header", count: 7)
        let version = try items[0].uint64("header.version")
        guard version == BlockHeader.version else {
            throw TransactionError.unsupportedVersion(found: version, supported: BlockHeader.version)
        }
        height = try items[1].uint64("header.height")
        parentHash = try Hash32(bytes: try items[2].bytes("header.parentHash"))
        timestamp = try items[3].uint64("header.timestamp")
        transactionsRoot = try Hash32(bytes: try items[4].bytes("header.transactionsRoot"))
        receiptsRoot = try Hash32(bytes: try items[5].bytes("header.receiptsRoot"))
        extra = try items[6].bytes("header.extra")
    }
}

/// A block: its header, its transactions and their receipts.
public struct Block: Sendable, Equatable {
    /// The header.
    public let header: BlockHeader
    /// The transactions, in execution order.
    public let transactions: [SignedTransaction]
    /// One receipt per transaction.
    public let receipts: [Receipt]

    /// The block hash.
    public var hash: Hash32 { header.hash }
    /// The height.
    public var height: UInt64 { header.height }

    /// A block; the roots in `header` must match the contents (see ``verifyRoots()``).
    public init(header: BlockHeader, transactions: [SignedTransaction], receipts: [Receipt]) {
        self.header = header
        self.transactions = transactions
        self.receipts = receipts
    }

    static func transactionsRoot(_ txs: [SignedTransaction]) -> Hash32 {
        Keccak256.hash(RLP.list(txs.map { .bytes($0.hash.bytes) }).encoded)
    }

    static func receiptsRoot(_ receipts: [Receipt]) -> Hash32 {
        Keccak256.hash(RLP.list(receipts.map(\.rlp)).encoded)
    }

    /// Checks that the header's roots commit to these transactions and receipts.
    public func verifyRoots() throws(ChainError) {
        guard Block.transactionsRoot(transactions) == header.transactionsRoot else {
            throw .hashMismatch(height: height, what: "transactions root")
        }
        guard Block.receiptsRoot(receipts) == header.receiptsRoot else {
            throw .hashMismatch(height: height, what: "receipts root")
        }
        let expected = height == 0 ? 1 : transactions.count  // genesis: one pseudo-receipt
        guard receipts.count == expected, height > 0 || transactions.isEmpty else {
            throw .hashMismatch(height: height, what: "receipt count (\(receipts.count) for \(transactions.count) transactions)")
        }
    }

    /// The canonical bytes a store writes: `[header, [tx, ...], [receipt, ...]]`.
    public var encoded: [UInt8] {
        RLP.list([header.rlp, .list(transactions.map { .bytes($0.encoded) }), .list(receipts.map(\.rlp))]).encoded
    }

    /// Decodes a block from ``encoded`` bytes and checks its roots.
    public init(encoded bytes: [UInt8]) throws {
        let items = try RLP.decode(bytes).list("block", count: 3)
        header = try BlockHeader(rlp: items[0])
        transactions = try items[1].list("block.transactions").map { item throws in
            try SignedTransaction(encoded: try item.bytes("block.transaction"))
        }
        receipts = try items[2].list("block.receipts").map { item throws in try Receipt(rlp: item) }
        try verifyRoots()
    }
}
