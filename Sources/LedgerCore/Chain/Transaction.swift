/// A module call signed by its sender: the only way chain state changes.
///
/// Two envelopes, told apart by the first item of the canonical RLP (the encoding version):
///
/// Version 1, the native envelope:
///
///     body   = [1, chainID, nonce, module, call]        call = canonical JSON bytes
///     digest = keccak256(0x19 ‖ 0x44 ‖ rlp(body))
///     tx     = [1, chainID, nonce, module, call, signature(65 bytes r‖s‖v, v = 27/28)]
///
/// Version 2, the EIP-712 envelope a wallet signs with `eth_signTypedData_v4`
/// (see ``TransactionTypedData``):
///
///     digest = keccak256(0x19 ‖ 0x01 ‖ domainSeparator(chainID) ‖ hashStruct(Transaction{from, module, call, nonce, chainID}))
///     tx     = [2, chainID, nonce, module, call, from(20 bytes), signature]
///
/// and in both `hash = keccak256(rlp(tx))`.
///
/// The `0x19 0x44` prefix keeps a native digest apart from Ethereum transactions (which
/// never start with 0x19), from EIP-191 personal messages (0x19 0x45) and from EIP-712 data
/// (0x19 0x01), so a signature made for one can never be replayed as another. Both envelopes
/// get the same replay protection: the chain id and the per-sender nonce are signed, and only
/// low-s signatures parse. An EIP-712 transaction also names its sender, and is refused unless
/// the signature recovers exactly that address.
public struct SignedTransaction: Sendable, Equatable {
    /// The native envelope's encoding version (the first one; every stored chain uses it).
    public static let version: UInt64 = 1
    /// The newest encoding version this library reads.
    public static let newestVersion: UInt64 = 2

    /// How a transaction was signed; its ``version`` is the first item of the encoding.
    public enum Envelope: Sendable, Equatable, Hashable {
        /// Version 1: the sender signed `keccak256(0x19 ‖ 0x44 ‖ rlp(body))` directly.
        case native
        /// Version 2: the sender signed the EIP-712 typed data of ``TransactionTypedData`` and
        /// names itself as `from`.
        case eip712(from: Address)

        /// The encoding version.
        public var version: UInt64 {
            switch self {
            case .native: 1
            case .eip712: 2
            }
        }
    }
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
    /// How it was signed.
    public let envelope: Envelope

    /// The transaction's canonical bytes.
    public let encoded: [UInt8]
    /// Keccak-256 of ``encoded``.
    public let hash: Hash32

    /// The digest the sender signs.
    public var signingDigest: Hash32 {
        switch envelope {
        case .native: SignedTransaction.digest(chainID: chainID, nonce: nonce, module: module, call: call)
        case .eip712(let from): TransactionTypedData.digest(from: from, chainID: chainID, nonce: nonce, module: module, call: call)
        }
    }

    /// The EIP-712 typed data of this transaction's fields (for either envelope: what a wallet
    /// would have been shown).
    public func typedData(from sender: Address) -> TypedData {
        TransactionTypedData.typedData(from: sender, chainID: chainID, nonce: nonce, module: module, call: call)
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

    /// Signs a call to module `M` with `key` in the EIP-712 envelope, as a wallet would.
    public static func signTyped<M: ChainModule>(
        _ call: M.Call, for module: M.Type, chainID: UInt64, nonce: UInt64, with key: PrivateKey
    ) throws -> SignedTransaction {
        let payload = try CanonicalJSON.encode(call)
        let digest = TransactionTypedData.digest(from: key.address, chainID: chainID, nonce: nonce, module: M.name, call: payload)
        return try SignedTransaction(
            chainID: chainID, nonce: nonce, module: M.name, call: payload, signature: key.sign(digest: digest),
            envelope: .eip712(from: key.address))
    }

    /// A transaction signed elsewhere (a wallet's `eth_signTypedData_v4`) over `typedData`,
    /// which must be exactly the ``TransactionTypedData`` envelope.
    /// - Throws: ``TransactionError/typedData(_:)`` when it is not.
    public init(typedData: TypedData, signature: Signature) throws(TransactionError) {
        let f: (sender: Address, chainID: UInt64, nonce: UInt64, module: String, call: [UInt8])
        do { f = try TransactionTypedData.fields(of: typedData) } catch { throw .typedData(error) }
        try self.init(chainID: f.chainID, nonce: f.nonce, module: f.module, call: f.call, signature: signature, envelope: .eip712(from: f.sender))
    }

    /// Assembles a transaction from its parts (the signature is checked by ``recoverSender()``).
    public init(chainID: UInt64, nonce: UInt64, module: String, call: [UInt8], signature: Signature, envelope: Envelope = .native) throws(TransactionError) {
        guard SignedTransaction.isValidModuleName(module) else { throw .invalidModuleName(module) }
        guard call.count <= SignedTransaction.maxCallBytes else {
            throw .callTooLarge(bytes: call.count, limit: SignedTransaction.maxCallBytes)
        }
        // The EIP-712 envelope signs the call as a string, so it must be text.
        if case .eip712 = envelope, String(validating: call, as: UTF8.self) == nil {
            throw .malformedCall(field: "\(module) call", reason: "not UTF-8 text; the EIP-712 envelope signs the call as a string")
        }
        self.chainID = chainID
        self.nonce = nonce
        self.module = module
        self.call = call
        self.signature = signature
        self.envelope = envelope
        var items: [RLP] = [.uint(envelope.version), .uint(chainID), .uint(nonce), .string(module), .bytes(call)]
        if case .eip712(let from) = envelope { items.append(.bytes(from.bytes)) }
        items.append(.bytes(signature.bytes))
        encoded = RLP.list(items).encoded
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
        let all = try rlp.list("transaction")
        let version = try (all.first ?? .bytes([])).uint64("transaction.version")
        let envelopeItems: Int
        switch version {
        case 1: envelopeItems = 0
        case 2: envelopeItems = 1
        default: throw TransactionError.unsupportedVersion(found: version, supported: SignedTransaction.newestVersion)
        }
        let items = try rlp.list("transaction", count: 6 + envelopeItems)
        let envelope: Envelope
        if envelopeItems == 1 {
            do { envelope = .eip712(from: try Address(bytes: try items[5].bytes("transaction.from"))) } catch let e as AddressError {
                throw TransactionError.malformed("transaction.from: \(e)")
            }
        } else {
            envelope = .native
        }
        let signature: Signature
        do { signature = try Signature(bytes: try items[5 + envelopeItems].bytes("transaction.signature")) } catch let e as SignatureError {
            throw TransactionError.badSignature(e)
        }
        try self.init(
            chainID: try items[1].uint64("transaction.chainID"), nonce: try items[2].uint64("transaction.nonce"),
            module: try items[3].string("transaction.module"), call: try items[4].bytes("transaction.call"),
            signature: signature, envelope: envelope)
    }

    /// The address that signed, or why none can be recovered.
    ///
    /// - Throws: ``TransactionError/badSignature(_:)`` when no key fits, and for the EIP-712
    ///   envelope ``TransactionError/signerMismatch(declared:recovered:)`` when the signature
    ///   recovers another address than the declared sender (a field was changed after signing,
    ///   or another key signed).
    public func recoverSender() throws(TransactionError) -> Address {
        let recovered: Address
        do { recovered = try signature.recoverAddress(digest: signingDigest) } catch { throw .badSignature(error) }
        if case .eip712(let from) = envelope, from != recovered { throw .signerMismatch(declared: from, recovered: recovered) }
        return recovered
    }

    static func isValidModuleName(_ name: String) -> Bool {
        let b = Array(name.utf8)
        return (1...32).contains(b.count) && b.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
    }
}
