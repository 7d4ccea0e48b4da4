import LedgerCore

// MARK: - Datatrust backends, decided by council poll

extension Market {
    /// Proposes authorising `address` (operated at `url`) as a backend.
    mutating func proposeBackend(url: String, address: Address, context: inout ExecutionContext) throws(MarketError) {
        guard (1...256).contains(url.utf8.count) else { throw .invalidText(field: "url", length: url.utf8.count, max: 256) }
        _ = try openPoll(.backendAddition(address: address, url: url), stake: .zero, context: &context)
    }

    /// Proposes revoking `address`'s authorisation.
    mutating func proposeBackendRemoval(_ address: Address, context: inout ExecutionContext) throws(MarketError) {
        guard backends[address] != nil else { throw .notAuthorisedBackend(address: address) }
        _ = try openPoll(.backendRemoval(address: address), stake: .zero, context: &context)
    }
}
