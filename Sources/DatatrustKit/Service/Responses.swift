public import LedgerCore
public import MarketKit

/// The answer to `POST /auth/nonce`: what to sign.
public struct NonceChallenge: Sendable, Hashable, Codable {
    /// The nonce, 0x + 64 hex digits.
    public var nonce: String
    /// The datatrust's name as it appears in the message.
    public var datatrust: String
    /// Unix seconds after which the nonce is refused.
    public var expires: Int64
    /// The exact EIP-191 message text to sign.
    public var message: String
}

/// The body of `POST /auth/token`.
public struct TokenRequest: Sendable, Hashable, Codable {
    /// The signer's address (EIP-55 or lower case).
    public var address: String
    /// The nonce from the challenge.
    public var nonce: String
    /// The 65-byte signature, hex: EIP-191 personal_sign of the message, or EIP-712
    /// eth_signTypedData_v4 of ``Datatrust/loginTypedData(datatrust:nonce:expires:)``.
    public var signature: String
    /// A request.
    public init(address: String, nonce: String, signature: String) {
        self.address = address
        self.nonce = nonce
        self.signature = signature
    }
}

/// A bearer token.
public struct TokenGrant: Sendable, Hashable, Codable {
    /// The token, 0x + 64 hex digits; send as `Authorization: Bearer <token>`.
    public var token: String
    /// Who it authenticates.
    public var address: Address
    /// Unix seconds after which it is refused.
    public var expires: Int64
}

/// One entry of MARKETS_SUPPORTED.
public struct MarketSummary: Sendable, Hashable, Codable {
    /// The market.
    public var market: MarketID
    /// Datapoint byte format.
    public var format: MarketSchema.Format
    /// Whether raw SQL is allowed.
    public var allowRawSQL: Bool
    /// Per-user epsilon budget, decimal.
    public var epsilonBudget: String
    /// Datapoints held.
    public var datapoints: Int
    /// Rows held.
    public var rows: Int
}

/// The answer to ADD_DATAPOINT.
public struct AddResult: Sendable, Hashable, Codable {
    /// The market.
    public var market: MarketID
    /// Keccak-256 of the data.
    public var dataHash: Hash32
    /// Bytes stored.
    public var size: Int64
    /// Rows parsed.
    public var rows: Int
    /// The on-chain attestation's transaction hash, or nil while it is queued in the outbox
    /// (the chain was unavailable; the outbox service submits it until it is included).
    public var attestation: String?
}

/// The answer to REMOVE_DATAPOINT.
public struct RemoveResult: Sendable, Hashable, Codable {
    /// The market.
    public var market: MarketID
    /// The removed dataHash.
    public var dataHash: Hash32
    /// Unix seconds of removal.
    public var removed: Int64
}

/// The JSON error body: `{"error": code, "detail": text}`.
package struct ErrorBody: Sendable, Hashable, Codable {
    /// Machine-readable code (see ``DatatrustError/code``).
    package var error: String
    /// What was wrong and what was expected.
    package var detail: String
}
