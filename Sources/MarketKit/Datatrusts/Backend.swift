public import LedgerCore

/// A datatrust backend the council authorised for a market.
public struct Backend: Codable, Sendable, Equatable {
    /// The operator's address, which signs attestations and reports.
    public let address: Address
    /// Its external URL.
    public internal(set) var url: String
    /// Its standard compute cost per job, in NetworkToken wei (set by the backend).
    public internal(set) var computeCost: UInt256
    /// When the council authorised it.
    public internal(set) var authorisedAt: UInt64
}
