import Foundation

/// EIP-712 typed structured data: the JSON a wallet's `eth_signTypedData_v4` takes, and its
/// hashing.
///
/// The signed digest is
///
///     digest          = keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(primaryType, message))
///     domainSeparator = hashStruct("EIP712Domain", domain)
///     hashStruct(T, v) = keccak256(typeHash(T) ‖ encodeData(T, v))
///     typeHash(T)     = keccak256(encodeType(T))
///
/// `encodeType` is `T(type1 name1,…)` followed by every struct type `T` references (directly,
/// through arrays or through other structs), sorted by name. In `encodeData` every field takes
/// 32 bytes: `uintN`/`intN`/`bool`/`address` left-padded (`intN` in two's complement), `bytesN`
/// right-padded, `string` and `bytes` as the Keccak-256 of their contents, a nested struct as
/// its `hashStruct`, and an array as the Keccak-256 of its encoded elements. This is what
/// MetaMask's `eth_signTypedData_v4` and eth-account's `encode_typed_data(full_message:)` hash.
///
/// ```swift
/// let typed = try TypedData(json: bytes)
/// let signer = try signature.recoverAddress(digest: try typed.signingDigest())
/// ```
public struct TypedData: Sendable, Equatable, Codable {
    /// One member of a struct type: its name and its EIP-712 type (`uint256`, `Person`, `bytes32[]`…).
    public struct Field: Sendable, Equatable, Codable {
        /// The member's name.
        public var name: String
        /// The member's type.
        public var type: String

        /// A member.
        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    /// The struct types by name; `EIP712Domain` describes ``domain``.
    public var types: [String: [Field]]
    /// The type of ``message``.
    public var primaryType: String
    /// The domain values (name, version, chainId, verifyingContract, salt: whichever the domain type lists).
    public var domain: [String: Value]
    /// The message values.
    public var message: [String: Value]

    /// Typed data from its parts.
    public init(types: [String: [Field]], primaryType: String, domain: [String: Value], message: [String: Value]) {
        self.types = types
        self.primaryType = primaryType
        self.domain = domain
        self.message = message
    }

    /// Parses the `eth_signTypedData_v4` JSON object.
    /// - Throws: ``TypedDataError/malformedJSON(_:)`` when it is not that shape.
    public init(json bytes: [UInt8]) throws(TypedDataError) {
        do {
            self = try JSONDecoder().decode(TypedData.self, from: Data(bytes))
        } catch {
            throw .malformedJSON(CanonicalJSON.describe(error))
        }
    }

    /// The `eth_signTypedData_v4` JSON, keys sorted, optionally indented.
    public func json(pretty: Bool = true) throws(TypedDataError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        do { return Array(try encoder.encode(self)) } catch { throw .malformedJSON("\(error)") }
    }

    // MARK: - Hashing

    /// The fields of the domain type: `types["EIP712Domain"]`, or, when absent, the standard
    /// fields (name, version, chainId, verifyingContract, salt) that ``domain`` has, as eth-account infers them.
    public var domainFields: [Field] {
        if let declared = types["EIP712Domain"] { return declared }
        let standard = [("name", "string"), ("version", "string"), ("chainId", "uint256"),
                        ("verifyingContract", "address"), ("salt", "bytes32")]
        return standard.filter { domain[$0.0] != nil }.map { Field(name: $0.0, type: $0.1) }
    }

    private var allTypes: [String: [Field]] {
        var all = types
        all["EIP712Domain"] = domainFields
        return all
    }

    /// `hashStruct("EIP712Domain", domain)`.
    public func domainSeparator() throws(TypedDataError) -> Hash32 {
        try hashStruct("EIP712Domain", domain, path: "domain")
    }

    /// `hashStruct(primaryType, message)`.
    public func messageHash() throws(TypedDataError) -> Hash32 {
        try hashStruct(primaryType, message, path: "message")
    }

    /// `keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ messageHash)`: what the wallet signs.
    public func signingDigest() throws(TypedDataError) -> Hash32 {
        TypedData.digest(domainSeparator: try domainSeparator(), messageHash: try messageHash())
    }

    /// The EIP-712 digest of a domain separator and a struct hash.
    public static func digest(domainSeparator: Hash32, messageHash: Hash32) -> Hash32 {
        var hasher = Keccak256()
        hasher.update([0x19, 0x01])
        hasher.update(domainSeparator.bytes)
        hasher.update(messageHash.bytes)
        return hasher.finalize()
    }

    /// `encodeType(name)`: the struct's signature followed by those of every struct it references, sorted.
    public func encodeType(_ name: String) throws(TypedDataError) -> String {
        let all = allTypes
        guard let fields = all[name] else { throw .unknownType(name) }
        var seen: Set<String> = [name]
        var pending = fields.map { TypedData.baseType($0.type) }
        while let next = pending.popLast() {
            guard let members = all[next], !seen.contains(next) else { continue }
            seen.insert(next)
            pending += members.map { TypedData.baseType($0.type) }
        }
        func signature(_ type: String, _ members: [Field]) -> String {
            type + "(" + members.map { "\($0.type) \($0.name)" }.joined(separator: ",") + ")"
        }
        return ([signature(name, fields)] + seen.subtracting([name]).sorted().compactMap { t in all[t].map { signature(t, $0) } })
            .joined()
    }

    /// `keccak256(encodeType(name))`.
    public func typeHash(_ name: String) throws(TypedDataError) -> Hash32 {
        Keccak256.hash(try encodeType(name))
    }

    /// `keccak256(typeHash(type) ‖ encodeData(type, value))`.
    public func hashStruct(_ type: String, _ value: [String: Value]) throws(TypedDataError) -> Hash32 {
        try hashStruct(type, value, path: type)
    }

    private func hashStruct(_ type: String, _ value: [String: Value], path: String) throws(TypedDataError) -> Hash32 {
        let all = allTypes
        guard let fields = all[type] else { throw .unknownType(type) }
        var out = try typeHash(type).bytes
        for field in fields {
            guard let member = value[field.name] else { throw .missingField(path: "\(path).\(field.name)", type: field.type) }
            out += try encodeField(field.type, member, path: "\(path).\(field.name)", types: all)
        }
        let known = Set(fields.map(\.name))
        if let extra = value.keys.sorted().first(where: { !known.contains($0) }) {
            throw .unexpectedField(path: "\(path).\(extra)", type: type)
        }
        return Keccak256.hash(out)
    }

    /// The 32-byte encoding of one value of `type`.
    private func encodeField(_ type: String, _ value: Value, path: String, types all: [String: [Field]]) throws(TypedDataError) -> [UInt8] {
        if type.hasSuffix("]"), let open = type.lastIndex(of: "[") {
            let element = String(type[..<open])
            let lengthText = type[type.index(after: open)..<type.index(before: type.endIndex)]
            guard case .array(let items) = value else { throw .invalidValue(path: path, type: type, reason: "expected a JSON array") }
            if !lengthText.isEmpty {
                guard let length = Int(lengthText), length == items.count else {
                    throw .invalidValue(path: path, type: type, reason: "expected \(lengthText) elements, found \(items.count)")
                }
            }
            var out: [UInt8] = []
            for (i, item) in items.enumerated() {
                out += try encodeField(element, item, path: "\(path)[\(i)]", types: all)
            }
            return Keccak256.hash(out).bytes
        }
        if all[type] != nil {
            guard case .object(let members) = value else { throw .invalidValue(path: path, type: type, reason: "expected a JSON object") }
            return try hashStruct(type, members, path: path).bytes
        }
        return try TypedData.encodeAtomic(type, value, path: path)
    }

    static func baseType(_ type: String) -> String {
        guard let open = type.firstIndex(of: "[") else { return type }
        return String(type[..<open])
    }
}
