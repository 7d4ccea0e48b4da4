public import LedgerCore

/// One EIP-712 test vector as the fixture scripts record it from eth-account: the typed data,
/// who signed it and with what signature, and the three hashes the signature stands on.
public struct EIP712Vector: Decodable, Sendable {
    /// The vector's name in its file (`mail`, `rich`, …); nil where a file holds one vector.
    public let name: String?
    /// The typed data that was signed.
    public let typedData: TypedData
    /// The signer's address.
    public let signer: String
    /// The signature, 65 bytes as hex.
    public let signature: String
    /// The domain separator, as hex.
    public let domainSeparator: String
    /// The hash of the message, as hex.
    public let messageHash: String
    /// The digest signed (`0x1901 ‖ domain separator ‖ message hash`, hashed), as hex.
    public let digest: String
}
