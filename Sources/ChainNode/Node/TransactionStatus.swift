public import LedgerCore

/// Where a submitted transaction stands.
public enum TransactionStatus: Sendable, Equatable {
    /// Waiting in the pool for a block.
    case pending
    /// In the block at `height`, at position `index`, with its receipt.
    case included(height: UInt64, blockHash: Hash32, index: Int, receipt: Receipt)
    /// Left out for good; `code` and `reason` come from the typed error.
    case refused(code: String, reason: String)

    /// Whether the transaction's fate is settled.
    public var isFinal: Bool {
        if case .pending = self { return false }
        return true
    }
}
