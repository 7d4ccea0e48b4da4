import DataMarketTesting
import Foundation
import Testing
@testable import DatatrustKit
import LedgerCore
import HummingbirdTesting

/// Housekeeping: expired logins are purged, unindexed vault objects and stale `.part` files
/// are swept, and what an add in flight may still need is left alone.
@Suite struct HousekeepingTests {
    static func age(_ file: String, by seconds: TimeInterval) throws {
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-seconds)], ofItemAtPath: file)
    }

    @Test func expiredNoncesAndTokensArePurgedAndLiveOnesKept() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        for _ in 0..<5 { _ = try await f.datatrust.makeNonce() }
        try await f.app.test(.router) { client in _ = try await client.login(f.owner) }  // one nonce used, one token
        #expect(try await f.datatrust.purgeExpiredLogins() == 0)
        f.clock.advance(f.datatrust.configuration.nonceLifetime)
        let fresh = try await f.datatrust.makeNonce()
        #expect(try await f.datatrust.purgeExpiredLogins() == 5)
        f.clock.advance(f.datatrust.configuration.tokenLifetime)
        #expect(try await f.datatrust.purgeExpiredLogins() == 2)  // the token and the fresh nonce
        await #expect(throws: DatatrustError.self) {
            try await f.datatrust.issueToken(TokenRequest(address: f.owner.address.checksummed, nonce: fresh.nonce, signature: f.owner.signPersonalMessage(fresh.message).hex))
        }
    }

    @Test func theSweepRemovesOldOrphansAndPartFilesOnly() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let vault = f.datatrust.vault
        let indexed = Fixture.csv(rows: 1, seed: 71), oldOrphan = Fixture.csv(rows: 1, seed: 72), youngOrphan = Fixture.csv(rows: 1, seed: 73)
        for data in [indexed, oldOrphan, youngOrphan] { try vault.put(data) }
        try await f.datatrust.store.insert(DatapointRecord(market: Fixture.heartMarket, dataHash: Keccak256.hash(indexed), owner: f.owner.address, size: 1, rowCount: 1, created: 0))
        try Self.age(vault.path(for: Keccak256.hash(indexed)).file, by: 7200)
        try Self.age(vault.path(for: Keccak256.hash(oldOrphan)).file, by: 7200)
        let oldPart = vault.tempPath + "/crashed.part", youngPart = vault.tempPath + "/inflight.part"
        for file in [oldPart, youngPart] { #expect(FileManager.default.createFile(atPath: file, contents: Data([1, 2, 3]))) }
        try Self.age(oldPart, by: 7200)

        let swept = try await f.datatrust.sweepVault(gracePeriod: 3600)
        #expect(swept.orphans == [Keccak256.hash(oldOrphan)])
        #expect(swept.partFiles == 1)
        #expect(vault.contains(Keccak256.hash(indexed)))
        #expect(vault.contains(Keccak256.hash(youngOrphan)))
        #expect(vault.partFiles() == ["inflight.part"])
        #expect(try vault.get(Keccak256.hash(indexed)) == indexed)

        // With no add in flight (server stopped), a zero grace period clears everything left over.
        let all = try await f.datatrust.sweepVault(gracePeriod: 0)
        #expect(all.orphans == [Keccak256.hash(youngOrphan)] && all.partFiles == 1)
        #expect(try vault.storedHashes() == [Keccak256.hash(indexed)])
        #expect(vault.partFiles().isEmpty)
    }

    @Test func removedDatapointsDoNotKeepTheirObjects() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 1, seed: 74)
        await f.list(data, by: f.owner)
        _ = try await f.datatrust.addDatapoint(data, market: "heart", caller: f.owner.address)
        // A remove that crashed after marking the row removed but before deleting the object.
        try await f.datatrust.store.markRemoved(market: Fixture.heartMarket, dataHash: Keccak256.hash(data), at: f.clock.now)
        #expect(try await f.datatrust.sweepVault(gracePeriod: 0).orphans == [Keccak256.hash(data)])
    }

    @Test func removingDataFromOneMarketKeepsTheObjectAnotherMarketHolds() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 2, seed: 75)
        let hash = Keccak256.hash(data)
        await f.list(data, by: f.owner)
        _ = try await f.datatrust.addDatapoint(data, market: "heart", caller: f.owner.address)
        await f.list(data, market: Fixture.openMarket, by: f.owner)
        _ = try await f.datatrust.addDatapoint(data, market: "open", caller: f.owner.address)
        // The listing in heart is removed on chain (the fake keeps one listing per dataHash).
        await f.list(data, by: f.owner, state: .removed)
        _ = try await f.datatrust.removeDatapoint(market: "heart", dataHash: hash, caller: f.owner.address)
        #expect(f.datatrust.vault.contains(hash))
        #expect(try await f.datatrust.getDatapoint(market: "open", dataHash: hash, caller: f.owner.address) == data)
        #expect(try await f.datatrust.sweepVault(gracePeriod: 0).orphans.isEmpty)
        // Once no market holds it, the object goes with the last removal.
        await f.list(data, market: Fixture.openMarket, by: f.owner, state: .removed)
        _ = try await f.datatrust.removeDatapoint(market: "open", dataHash: hash, caller: f.owner.address)
        #expect(!f.datatrust.vault.contains(hash))
    }
}
