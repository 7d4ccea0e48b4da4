import DataMarketTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing
@testable import DatatrustKit
import LedgerCore

/// The outbox: attestations and usage reports are committed with the fact they report and
/// submitted until the chain has them, exactly once, across failures and restarts.
@Suite struct OutboxTests {
    /// Lists and adds a datapoint of `rows` rows (from `seed`) by the owner while the chain
    /// refuses attestations, so its attestation waits in the outbox; the chain still refuses
    /// after. Returns the datapoint.
    @discardableResult
    static func addWhileAttestationsFail(_ f: Fixture, rows: Int, seed: UInt64) async throws -> [UInt8] {
        await f.chain.setFailAttestations(true)
        let data = Fixture.csv(rows: rows, seed: seed)
        await f.list(data, by: f.owner)
        _ = try await f.datatrust.addDatapoint(data, market: "heart", caller: f.owner.address)
        return data
    }

    @Test func addWithTheChainDownStoresTheDatapointAndQueuesItsAttestation() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 4, seed: 41)
        let hash = Keccak256.hash(data)
        await f.list(data, by: f.owner)
        await f.chain.setFailAttestations(true)
        let added = try await f.datatrust.addDatapoint(data, market: "heart", caller: f.owner.address)
        #expect(added.attestation == nil)
        #expect(try await f.datatrust.store.datapoint(market: Fixture.heartMarket, dataHash: hash) != nil)
        #expect(f.datatrust.vault.contains(hash))
        let pending = try await f.datatrust.store.pendingOutbox(dueAt: nil)
        #expect(pending.map(\.action) == [.attest(dataHash: hash)])
        #expect(pending.first?.attempts == 1)
        #expect(pending.first?.lastError?.isEmpty == false)
        // Adding it again while the attestation is owed is not an error: it tries again now.
        await f.chain.setFailAttestations(false)
        let again = try await f.datatrust.addDatapoint(data, market: "heart", caller: f.owner.address)
        #expect(again.attestation == "0xattest1")
        #expect(again.rows == 4)
        #expect(try await f.datatrust.store.pendingOutbox(dueAt: nil).isEmpty)
        // Once attested, a third add is the usual conflict, and nothing is submitted twice.
        await #expect(throws: DatatrustError.self) { try await f.datatrust.addDatapoint(data, market: "heart", caller: f.owner.address) }
        f.clock.advance(1000)
        #expect(await f.datatrust.flushOutbox() == Datatrust.OutboxPass())
        #expect(await f.chain.attestations == [hash])
    }

    @Test func aDatapointStoredButNotAttestedBeforeACrashIsAttestedAfterRestart() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 3, seed: 42)
        let hash = Keccak256.hash(data)
        await f.list(data, by: f.owner)
        // The state a crash between the index commit and the submission leaves: row and entry, no attestation.
        let vault = f.datatrust.vault
        try vault.put(data)
        try await f.datatrust.store.insert(DatapointRecord(market: Fixture.heartMarket, dataHash: hash, owner: f.owner.address, size: Int64(data.count), rowCount: 3, created: f.clock.now))
        #expect(await f.chain.attestations.isEmpty)
        // A new process on the same folder: its outbox pass attests it.
        let reopened = Datatrust(configuration: f.datatrust.configuration, vault: vault,
                                 store: try SQLiteStore(path: f.folder.url.appendingPathComponent("index.sqlite").path),
                                 chain: f.chain, clock: { f.clock.now })
        #expect(await reopened.flushOutbox() == Datatrust.OutboxPass(included: 1, alreadyDone: 0, postponed: 0, pending: 0))
        #expect(await f.chain.attestations == [hash])
        #expect(try await reopened.store.attestationEntry(market: Fixture.heartMarket, dataHash: hash)?.transaction == "0xattest1")
    }

    @Test func aSubmissionTheChainAlreadyHasIsSettledNotRepeated() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 2, seed: 43)
        let hash = Keccak256.hash(data)
        // Crash after the chain included the attestation but before the entry was settled.
        try f.datatrust.vault.put(data)
        try await f.datatrust.store.insert(DatapointRecord(market: Fixture.heartMarket, dataHash: hash, owner: f.owner.address, size: 1, rowCount: 2, created: f.clock.now))
        _ = try await f.chain.attestHolding(market: Fixture.heartMarket, dataHash: hash)
        // Same for a usage report.
        await f.chain.setJob(market: Fixture.heartMarket, id: 7, buyer: f.buyer.address, amount: 1000)
        try await f.datatrust.store.charge([QueryCharge(market: Fixture.heartMarket, job: 7, milliEpsilon: 0, budgetMilliEpsilon: 0, listings: [hash])],
                                     buyer: f.buyer.address, now: f.clock.now)
        _ = try await f.chain.reportUsage(market: Fixture.heartMarket, job: 7, listings: [hash])
        #expect(await f.datatrust.flushOutbox() == Datatrust.OutboxPass(included: 0, alreadyDone: 2, postponed: 0, pending: 0))
        #expect(await f.chain.attestations == [hash])
        #expect(await f.chain.usage.count == 1)
        #expect(try await f.datatrust.store.pendingOutbox(dueAt: nil).isEmpty)
    }

    @Test func failingEntriesBackOffExponentiallyUpToTheCap() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        try await Self.addWhileAttestationsFail(f, rows: 1, seed: 44)
        var waits: [Int64] = []
        for _ in 0..<12 {
            let entry = try #require(try await f.datatrust.store.pendingOutbox(dueAt: nil).first)
            waits.append(entry.notBefore - f.clock.now)
            f.clock.advance(entry.notBefore - f.clock.now)
            #expect(await f.datatrust.flushOutbox().postponed == 1)
        }
        #expect(waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300])
        await f.chain.setFailAttestations(false)
        f.clock.advance(300)
        #expect(await f.datatrust.flushOutbox().included == 1)
    }

    @Test func theBackgroundJobsAttestWhatAFailedRequestLeftAndStopOnShutdown() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = try await Self.addWhileAttestationsFail(f, rows: 2, seed: 45)
        await f.chain.setFailAttestations(false)
        f.clock.advance(5)
        let group = ServiceGroup(services: f.datatrust.backgroundJobs().map { $0 as any Service }, gracefulShutdownSignals: [],
                                 logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        var attested = false
        for _ in 0..<100 where !attested {
            try await Task.sleep(for: .milliseconds(20))
            attested = await f.chain.attestations == [Keccak256.hash(data)]
        }
        #expect(attested)
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
