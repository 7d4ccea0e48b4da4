/// Why the chain refused a transaction before or around running its call.
///
/// A call that runs and fails throws its module's own error instead (for the ledger,
/// ``LedgerError``). Either way the transaction changes nothing.
public enum TransactionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not a well-formed transaction.
    case malformed(String)
    /// An encoding version this library does not know.
    case unsupportedVersion(found: UInt64, supported: UInt64)
    /// The signature is malformed, high-s, or recovers no key.
    case badSignature(SignatureError)
    /// Signed for another chain.
    case wrongChain(expected: UInt64, found: UInt64)
    /// The nonce is not exactly the sender's next one.
    case wrongNonce(account: Address, expected: UInt64, found: UInt64)
    /// No module of that name is hosted on this chain.
    case unknownModule(String)
    /// The call's JSON does not decode to the module's call type.
    case malformedCall(field: String, reason: String)
    /// The call decodes but is not in canonical form.
    case nonCanonicalCall(field: String)
    /// The module name is not 1–32 characters of a–z, 0–9 and `-`.
    case invalidModuleName(String)
    /// The call payload exceeds the size limit.
    case callTooLarge(bytes: Int, limit: Int)
    /// An EIP-712 transaction whose signature recovers another address than its `from`.
    case signerMismatch(declared: Address, recovered: Address)
    /// Typed data that is not a DataMarket transaction envelope.
    case typedData(TypedDataError)

    /// What was wrong with the transaction and what was expected, as shown to whoever submitted it.
    public var description: String {
        switch self {
        case .malformed(let r): "malformed transaction: \(r)"
        case .unsupportedVersion(let f, let s): "encoding version \(f) is not supported; expected " + (s == 1 ? "1" : "1 to \(s)")
        case .badSignature(let e): "bad signature: \(e)"
        case .wrongChain(let e, let f): "transaction is signed for chain \(f); this chain is \(e)"
        case .wrongNonce(let a, let e, let f): "wrong nonce for \(a): expected \(e), found \(f)"
        case .unknownModule(let m): "no module named '\(m)' is hosted on this chain"
        case .malformedCall(let f, let r): "\(f) is malformed: \(r)"
        case .nonCanonicalCall(let f):
            "\(f) is not in canonical form: expected compact JSON with sorted keys, checksummed addresses and decimal-string amounts"
        case .invalidModuleName(let m): "module name '\(m)' is invalid: expected 1-32 characters a-z, 0-9 or '-'"
        case .callTooLarge(let b, let l): "call payload is \(b) bytes; the limit is \(l)"
        case .signerMismatch(let d, let r):
            "the typed data names \(d) as sender but the signature recovers \(r): a field was changed after signing, or another key signed"
        case .typedData(let e): e.description
        }
    }
}

/// Why a block, a chain or a store was refused.
public enum ChainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A block whose height does not follow its parent's.
    case heightMismatch(expected: UInt64, found: UInt64)
    /// A block whose parent hash is not the hash of the block before it.
    case parentMismatch(height: UInt64, expected: Hash32, found: Hash32)
    /// A block timestamped before its parent.
    case timestampBeforeParent(height: UInt64, parent: UInt64, found: UInt64)
    /// A stored header whose hash, transaction root or receipt root does not match its contents.
    case hashMismatch(height: UInt64, what: String)
    /// A stored transaction that fails when the block is replayed.
    case replayFailed(height: UInt64, index: Int, reason: String)
    /// The genesis block does not match the stored genesis configuration.
    case genesisMismatch(String)
    /// A chain was created in a store that already holds one.
    case alreadyInitialized(height: UInt64)
    /// Opening a store that holds no chain.
    case notInitialized
    /// A damaged store: the record at this height cannot be read.
    case corrupt(height: UInt64, reason: String)
    /// A file or system call failed.
    case storage(String)
    /// The clock cannot move as asked.
    case clock(String)
    /// None of the submitted transactions could be included.
    case noTransactionAccepted(count: Int)

    /// What went wrong with the block, the store or the submission, and what the chain expected.
    public var description: String {
        switch self {
        case .heightMismatch(let e, let f): "block height \(f) does not follow: expected \(e)"
        case .parentMismatch(let h, let e, let f): "block \(h) names parent \(f), expected \(e)"
        case .timestampBeforeParent(let h, let p, let f): "block \(h) has timestamp \(f), before its parent's \(p)"
        case .hashMismatch(let h, let w): "block \(h): \(w) does not match its contents"
        case .replayFailed(let h, let i, let r): "block \(h), transaction \(i) fails on replay: \(r)"
        case .genesisMismatch(let r): "genesis mismatch: \(r)"
        case .alreadyInitialized(let h): "the store already holds a chain (height \(h)); refusing to overwrite it"
        case .notInitialized: "the store holds no chain; create one first (dmctl chain init)"
        case .corrupt(let h, let r): "store is damaged at block \(h): \(r)"
        case .storage(let r): "storage error: \(r)"
        case .clock(let r): "clock: \(r)"
        case .noTransactionAccepted(let n): "none of the \(n) transaction(s) could be included"
        }
    }
}
