/// The EIP-712 envelope of a DataMarket transaction: the typed data a wallet shows and signs.
///
/// Domain (no `verifyingContract` and no `salt`: there is no contract address on this chain,
/// and the chain id already separates chains):
///
///     EIP712Domain(string name,string version,uint256 chainId)
///     name = "DataMarket", version = "1", chainId = the chain's id
///
/// Message:
///
///     Transaction(address from,string module,string call,uint256 nonce,uint256 chainId)
///
/// `call` is the call's canonical JSON as text (sorted keys, decimal-string amounts,
/// checksummed addresses), so a wallet's confirmation screen shows exactly what runs. `from`
/// is the sender the signature must recover to; `nonce` and `chainId` are those of the
/// transaction. The chain recomputes this digest from the transaction's own fields, so nothing
/// in a JSON file can change what was signed.
public enum TransactionTypedData {
    /// The domain name.
    public static let domainName = "DataMarket"
    /// The domain version; a new one would be a new envelope.
    public static let domainVersion = "1"
    /// The primary type's name.
    public static let primaryType = "Transaction"

    /// The domain type's fields.
    public static let domainFields: [TypedData.Field] = [
        .init(name: "name", type: "string"), .init(name: "version", type: "string"), .init(name: "chainId", type: "uint256"),
    ]
    /// The transaction type's fields.
    public static let transactionFields: [TypedData.Field] = [
        .init(name: "from", type: "address"), .init(name: "module", type: "string"), .init(name: "call", type: "string"),
        .init(name: "nonce", type: "uint256"), .init(name: "chainId", type: "uint256"),
    ]

    static let domainTypeHash = Keccak256.hash("EIP712Domain(string name,string version,uint256 chainId)")
    static let transactionTypeHash = Keccak256.hash("Transaction(address from,string module,string call,uint256 nonce,uint256 chainId)")
    static let domainNameHash = Keccak256.hash(domainName)
    static let domainVersionHash = Keccak256.hash(domainVersion)

    /// The typed data for a call, ready for `eth_signTypedData_v4`.
    public static func typedData(from sender: Address, chainID: UInt64, nonce: UInt64, module: String, call: [UInt8]) -> TypedData {
        TypedData(
            types: ["EIP712Domain": domainFields, primaryType: transactionFields],
            primaryType: primaryType,
            domain: ["name": .string(domainName), "version": .string(domainVersion), "chainId": .integer(chainID)],
            message: [
                "from": .string(sender.checksummed), "module": .string(module), "call": .string(String(decoding: call, as: UTF8.self)),
                "nonce": .integer(nonce), "chainId": .integer(chainID),
            ])
    }

    /// The domain separator for `chainID`.
    public static func domainSeparator(chainID: UInt64) -> Hash32 {
        var bytes = domainTypeHash.bytes
        bytes += domainNameHash.bytes
        bytes += domainVersionHash.bytes
        bytes += UInt256(chainID).bigEndianBytes
        return Keccak256.hash(bytes)
    }

    /// `hashStruct(Transaction, message)`.
    public static func messageHash(from sender: Address, chainID: UInt64, nonce: UInt64, module: String, call: [UInt8]) -> Hash32 {
        var bytes = transactionTypeHash.bytes
        bytes += [UInt8](repeating: 0, count: 12) + sender.bytes
        bytes += Keccak256.hash(Array(module.utf8)).bytes
        bytes += Keccak256.hash(call).bytes
        bytes += UInt256(nonce).bigEndianBytes
        bytes += UInt256(chainID).bigEndianBytes
        return Keccak256.hash(bytes)
    }

    /// The digest a wallet signs for this transaction.
    public static func digest(from sender: Address, chainID: UInt64, nonce: UInt64, module: String, call: [UInt8]) -> Hash32 {
        TypedData.digest(
            domainSeparator: domainSeparator(chainID: chainID),
            messageHash: messageHash(from: sender, chainID: chainID, nonce: nonce, module: module, call: call))
    }

    /// The transaction fields of typed data, checked to be exactly this envelope: the same
    /// types, primary type and domain (name, version), no other members, and one chain id in
    /// domain and message.
    public static func fields(of typed: TypedData) throws(TypedDataError) -> (sender: Address, chainID: UInt64, nonce: UInt64, module: String, call: [UInt8]) {
        guard typed.primaryType == primaryType else { throw .notATransaction("primaryType is '\(typed.primaryType)'; expected '\(primaryType)'") }
        guard typed.types == ["EIP712Domain": domainFields, primaryType: transactionFields] else {
            throw .notATransaction("types differ from the DataMarket envelope (EIP712Domain(string name,string version,uint256 chainId), "
                + "Transaction(address from,string module,string call,uint256 nonce,uint256 chainId))")
        }
        guard typed.domain.keys.sorted() == ["chainId", "name", "version"],
              typed.domain["name"] == .string(domainName), typed.domain["version"] == .string(domainVersion) else {
            throw .notATransaction("domain must be exactly name \"\(domainName)\", version \"\(domainVersion)\" and chainId")
        }
        guard let domainChain = typed.domain["chainId"]?.uint64Value else {
            throw .invalidValue(path: "domain.chainId", type: "uint256", reason: "expected a chain id below 2^64")
        }
        let m = typed.message
        guard m.keys.sorted() == ["call", "chainId", "from", "module", "nonce"] else {
            throw .notATransaction("message members are \(m.keys.sorted()); expected call, chainId, from, module, nonce")
        }
        guard let chainID = m["chainId"]?.uint64Value else { throw .invalidValue(path: "message.chainId", type: "uint256", reason: "expected a chain id below 2^64") }
        guard chainID == domainChain else { throw .notATransaction("message.chainId \(chainID) differs from domain.chainId \(domainChain)") }
        guard let nonce = m["nonce"]?.uint64Value else { throw .invalidValue(path: "message.nonce", type: "uint256", reason: "expected a nonce below 2^64") }
        guard let fromText = m["from"]?.stringValue else { throw .invalidValue(path: "message.from", type: "address", reason: "expected a 0x address string") }
        let sender: Address
        do { sender = try Address(fromText) } catch { throw .invalidValue(path: "message.from", type: "address", reason: error.description) }
        guard let module = m["module"]?.stringValue else { throw .invalidValue(path: "message.module", type: "string", reason: "expected a JSON string") }
        guard let call = m["call"]?.stringValue else { throw .invalidValue(path: "message.call", type: "string", reason: "expected a JSON string") }
        return (sender, chainID, nonce, module, Array(call.utf8))
    }
}
