/// The identifier of a fungible token on a chain: its symbol, unique per chain.
///
/// Symbols are 1 to 24 characters of `A`–`Z`, `0`–`9`, `-`, `_` and `.`, starting with a
/// letter, so a person can type them and no two tokens look alike.
public struct TokenID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The symbol, e.g. `DMT`.
    public let symbol: String

    /// Validates and wraps a symbol.
    public init(_ symbol: String) throws(LedgerError) {
        guard TokenID.isValid(symbol) else { throw .invalidSymbol(symbol) }
        self.symbol = symbol
    }

    /// Wraps a symbol the caller has already validated (module-derived symbols).
    package init(unchecked symbol: String) { self.symbol = symbol }

    /// Whether `symbol` is a well-formed token symbol.
    public static func isValid(_ symbol: String) -> Bool {
        let bytes = Array(symbol.utf8)
        guard (1...24).contains(bytes.count), let first = bytes.first, (65...90).contains(first) else { return false }
        return bytes.allSatisfy { (65...90).contains($0) || (48...57).contains($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    /// The bare symbol, e.g. `DMT`.
    public var description: String { symbol }
    /// Orders token ids alphabetically by symbol.
    public static func < (l: TokenID, r: TokenID) -> Bool { l.symbol < r.symbol }

    /// Decodes the bare symbol string, throwing `DecodingError.dataCorrupted` for one that is not a valid symbol.
    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard TokenID.isValid(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: LedgerError.invalidSymbol(s).description))
        }
        symbol = s
    }

    /// Encodes the id as its bare symbol string, e.g. `"DMT"`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(symbol)
    }
}

/// Who may perform a privileged ledger operation: a person's account or a protocol module.
public enum Authority: Hashable, Sendable, Codable, CustomStringConvertible {
    /// An externally owned account (a key holder).
    case account(Address)
    /// A protocol module hosted on the chain, by name (e.g. `market`).
    case module(String)

    /// The account's EIP-55 checksummed address, or `module:` followed by the module's name.
    public var description: String {
        switch self {
        case .account(let a): a.checksummed
        case .module(let m): "module:\(m)"
        }
    }
}

/// A fungible token's definition and supply (ERC-20 semantics).
public struct Token: Sendable, Codable, Equatable {
    /// Its symbol and identifier.
    public let id: TokenID
    /// Its human-readable name.
    public let name: String
    /// Decimal places for display; amounts are always integers in the smallest unit.
    public let decimals: UInt8
    /// Who may mint and burn it.
    public let minter: Authority
    /// Units in existence: balances + escrowed + locked in streams.
    public internal(set) var totalSupply: UInt256
    /// True when only the minting module may move the token (no ledger transfer, allowance,
    /// stream or other module's escrow); nil or false for an ordinary token. Optional so the
    /// encoding of ordinary tokens, and so every existing state hash, is unchanged.
    public internal(set) var moduleBound: Bool? = nil

    /// Whether the token moves only through its minting module.
    public var isModuleBound: Bool { moduleBound == true }
}
