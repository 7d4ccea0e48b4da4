import Foundation
import LedgerCore
import MarketKit

/// The datatrust's off-chain state (placeholder until DatatrustKit is merged).
struct DemoDatatrust {}

extension DemoScenario {
    mutating func openDatatrust() throws {}
    func storeAndAttest(_ listing: DemoListing) async throws {
        try marketCall(.attest(market: market, listing: listing.id), from: people.datatrust)
    }
    mutating func playQueries() async throws {}
}
