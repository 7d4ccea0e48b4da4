/// LedgerCore: keys, signed transactions, tokens, NFTs, escrow, streams, blocks and a
/// crash-safe file store. See the `LedgerCore.docc` catalogue for an overview.
public enum LedgerCoreInfo {
    /// The version of the canonical encodings this library writes.
    public static let encodingVersion: UInt8 = 1
}
