/// A module call signed by its sender: the only way chain state changes.
///
/// Encoding (version 1), canonical RLP:
///
///     body   = [1, chainID, nonce, module, call]        call = canonical JSON bytes
///     digest = keccak256(0x19 ‖ 0x44 ‖ rlp(body))
///     tx     = [1, chainID, nonce, module, call, signature(65 bytes r‖s‖v, v = 27/28)]
///     hash   = keccak256(rlp(tx))
///
/// The `0x19 0x44` prefix keeps a transaction digest apart from Ethereum transactions (which
/// never start with 0x19) and from EIP-191 personal messages (0x19 0x45), so a signature made
/// for one can never be replayed as the other. The chain id and the per-sender nonce stop
/// cross-chain and same-chain replay.
public struct SignedTransaction: Sendable, Equatable {
    /// The encoding version this library writes and accepts.
    public static let version: UInt64 = 1
    /// The largest call payload accepted.
    public static let maxCallBytes = 64 * 1024

    /// The chain it is signed for.
    public let chainID: UInt64
    /// The sender's nonce: exactly its count of earlier transactions.
    public let nonce: UInt64
    /// The module called.
    public let module: String
    /// The call, as canonical JSON.
    public let call: [UInt8]
    /// The sender's recoverable signature over ``signingDigest``.
    public let signature: Signature

    /// The transaction's canonical bytes.
    public let encoded: [UInt8]
    /// Keccak-256 of ``encoded``.
    public let hash: Hash32

    /// The digest the sender signs.
    public var signingDigest: Hash32 {
        SignedTransaction.digest(chainID: chainID, nonce: nonce, module: module, call: call)
    }

    static func digest(chainID: UInt64, nonce: UInt64, module: String, call: [UInt8]) -> Hash32 {
        var bytes: [UInt8] = [0x19, 0x44]
        RLP.list([.uint(version), .uint(chainID), .uint(nonce), .string(module), .bytes(call)]).append(to: &bytes)
        return Keccak256.hash(bytes)
    }

    /// Signs a call to module `M` with `key`.
    public static func sign<M: ChainModule>(
        _ call: M.Call, for module: M.Type, chainID: UInt64, nonce: UInt64, with key: PrivateKey
    ) throws -> SignedTransaction {
        let payload = try CanonicalJSON.encode(call)
        let signature = key.sign(digest: digest(chainID: chainID, nonce: nonce, module: M.name, call: payload))
        return try SignedTransaction(chainID: chainID, nonce: nonce, module: M.name, call: payload, signature: signature)
    }

    /// Assembles a transaction from its parts (the signature is checked by ``recoverSender()``).
    public init(chainID: UInt64, nonce: UInt64, module: String, call: [UInt8], signature: Signature) throws(TransactionError) {
        guard SignedTransaction.isValidModuleName(module) else { throw .invalidModuleName(module) }
        guard call.count <= SignedTransaction.maxCallBytes else {
            throw .callTooLarge(bytes: call.count, limit: SignedTransaction.maxCallBytes)
        }
        self.chainID = chainID
        self.nonce = nonce
        self.module = module
        self.call = call
        self.signature = signature
        encoded = RLP.list([
            .uint(SignedTransaction.version), .uint(chainID), .uint(nonce), .string(module), .bytes(call),
            .bytes(signature.bytes),
        ]).encoded
        hash = Keccak256.hash(encoded)
    }

    /// Decodes a transaction from its canonical bytes.
    public init(encoded bytes: [UInt8]) throws(TransactionError) {
        do {
            try self.init(rlp: try RLP.decode(bytes))
        } catch let e as TransactionError {
            throw e
        } catch {
            throw .malformed("\(error)")
        }
    }

    init(rlp: RLP) throws {
        let items = try rlp.list("transaction", count: 6)
        let version = try items[0].uint64("transaction.version")
        guard version == SignedTransaction.version else {
            throw TransactionError.unsupportedVersion(found: version, supported: SignedTransaction.version)
        }
        let signature: Signature
        do { signature = try Signature(bytes: try items[5].bytes("transaction.signature")) } catch let e as SignatureError {
            throw TransactionError.badSignature(e)
        }
        try self.init(
            chainID: try items[1].uint64("transaction.chainID"), nonce: try items[2].uint64("transaction.nonce"),
            module: try items[3].string("transaction.module"), call: try items[4].bytes("transaction.call"),
            signature: signature)
    }

    /// The address that signed, or why none can be recovered.
    public func recoverSender() throws(TransactionError) -> Address {
        do { return try signature.recoverAddress(digest: signingDigest) } catch { throw .badSignature(error) }
    }

    static func isValidModuleName(_ name: String) -> Bool {
        let b = Array(name.utf8)
        return (1...32).contains(b.count) && b.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
    }
}
