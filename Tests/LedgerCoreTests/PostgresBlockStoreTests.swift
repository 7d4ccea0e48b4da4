import Foundation
import Testing
@testable import LedgerCore
@testable import LedgerPostgres

/// What only the PostgreSQL store does: refuse damaged rows naming the height, wake followers by
/// `NOTIFY` instead of a timer, and read its location from a URL.
@Suite(.enabled(if: TestPostgres.isEnabled, "DATAMARKET_POSTGRES_URL is not set"))
struct PostgresBlockStoreTests {
    static let modules: [any ChainModule.Type] = [VaultModule.self]

    @Test(arguments: [
        ("block bytes", "UPDATE %@.dm_blocks SET block = overlay(block placing '\\xff'::bytea from 40 for 1) WHERE height = 4"),
        ("hash column", "UPDATE %@.dm_blocks SET hash = decode(repeat('00', 32), 'hex') WHERE height = 4"),
        ("missing row", "DELETE FROM %@.dm_blocks WHERE height = 4"),
    ])
    func aDamagedRowRefusesToOpenNamingItsHeight(what: String, sql: String) throws {
        let place = try StorePlace(.postgres)
        defer { place.remove() }
        try BlockStoreContractTests.build(place, blocks: 8)
        let location = try place.postgresLocation()
        try BlockingConnection(location: location).execute(sql: sql.replacingOccurrences(of: "%@", with: "\"\(location.schema)\""))
        expectCorrupt(atHeight: 4) { _ = try PostgresBlockStore(location: location) }
    }

    @Test func aDamagedSnapshotIsPassedOverWithAWarning() throws {
        let place = try StorePlace(.postgres)
        defer { place.remove() }
        let hash = try BlockStoreContractTests.build(place, blocks: 12, snapshotInterval: 5)
        let location = try place.postgresLocation()
        try BlockingConnection(location: location).execute(
            sql: "UPDATE \"\(location.schema)\".dm_snapshots SET state = state || '\\x00'::bytea WHERE height = 10")
        let store = try PostgresBlockStore(location: location)
        #expect(try store.latestSnapshot()?.height == 5)
        #expect(store.warnings.contains { $0.contains("height 10 is damaged") })
        #expect(try Chain.open(store: store, modules: Self.modules, clock: ManualClock(Fixture.start)).stateHash() == hash)
    }

    @Test func aFollowerIsWokenByTheAppendNotByATimer() async throws {
        let place = try StorePlace(.postgres)
        defer { place.remove() }
        let writer = try Chain.create(
            genesis: Fixture.genesis(), modules: Self.modules, store: try place.open(), clock: ManualClock(Fixture.start), snapshotInterval: 0)
        let readStore = try PostgresBlockStore(location: try place.postgresLocation())
        // A fallback timer far longer than the test may take: only a notification ends a wait.
        let source = PostgresBlockSource(store: readStore, fallbackInterval: .seconds(600))
        let follower = try ChainFollower.open(store: readStore, modules: Self.modules, source: source)
        let clock = ContinuousClock()
        let listenDeadline = clock.now.advanced(by: .seconds(120))
        while !source.isListening, clock.now < listenDeadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(source.isListening)
        let appended = Flag()
        Thread {
            usleep(300_000)
            try? BlockStoreContractTests.transfer(writer, 0)
            appended.set()
        }.start()
        #expect(source.announcedHeight ?? 0 == 0, "the tip read when the LISTEN went in place")
        // Height 1 can only be announced by the append's NOTIFY (the fallback timer is 600 s and
        // announces nothing). The notification is handled on the connection's event loop, so a
        // cooperative pool kept busy by other tests cannot hold it up; how fast it arrives is a
        // benchmark's business, not this test's.
        let deadline = clock.now.advanced(by: .seconds(300))
        while source.announcedHeight ?? 0 < 1, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(source.announcedHeight == 1, "the append's NOTIFY never arrived")
        let state = try await follower.state(atLeast: 1, timeout: .seconds(120))
        #expect(state.height == 1)
        while !appended.isSet { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func aWaitEndsAtOnceWhenTheBlockWasAnnouncedBeforeIt() async throws {
        let place = try StorePlace(.postgres)
        defer { place.remove() }
        let writer = try Chain.create(
            genesis: Fixture.genesis(), modules: Self.modules, store: try place.open(), clock: ManualClock(Fixture.start), snapshotInterval: 0)
        let source = PostgresBlockSource(store: try PostgresBlockStore(location: try place.postgresLocation()), fallbackInterval: .seconds(600))
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(120))
        while !source.isListening, clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try BlockStoreContractTests.transfer(writer, 0)
        try BlockStoreContractTests.transfer(writer, 1)
        // Once both notifications are in (handled on the event loop), a wait for a lower height
        // returns without waiting for a notification or a timer.
        let notified = clock.now.advanced(by: .seconds(300))
        while source.announcedHeight ?? 0 < 2, clock.now < notified { try await Task.sleep(for: .milliseconds(10)) }
        #expect(source.announcedHeight == 2)
        let started = clock.now
        try await source.waitForBlocks(after: 0, timeout: .seconds(600))
        try await source.waitForBlocks(after: 1, timeout: .seconds(600))
        #expect(clock.now - started < .seconds(300), "the waits ran into their 600 s timeout")
        #expect(try await source.blocks(from: 1).map(\.height) == [1, 2])
    }
}

/// Reading a store's location from a URL (no server needed).
@Suite struct PostgresLocationTests {
    @Test func aURLGivesServerDatabaseAndSchema() throws {
        let l = try PostgresLocation(url: "postgres://dm:s%40cret@db.internal:6543/markets?schema=market_a")
        #expect(l.username == "dm" && l.password == "s@cret" && l.host == "db.internal" && l.port == 6543)
        #expect(l.database == "markets" && l.schema == "market_a")
        #expect(l.description == "postgres://dm@db.internal:6543/markets?schema=market_a")
        let local = try PostgresLocation(url: "postgresql://dm@/markets?host=/run/postgresql")
        #expect(local.socketFolder == "/run/postgresql" && local.schema == PostgresLocation.defaultSchema)
    }

    @Test(arguments: [
        ("http://dm@h/db", PostgresLocationError.wrongScheme("http")),
        ("postgres://h/db", .missingUser("postgres://h/db")),
        ("postgres://dm@h", .missingDatabase("postgres://dm@h")),
        ("postgres://dm@h/db?schema=Robert%27);DROP", .badSchema("Robert');DROP")),
        ("postgres://dm@/db", .missingHost("postgres://dm@/db")),
    ])
    func aMalformedURLIsRefusedSayingWhatIsMissing(url: String, expected: PostgresLocationError) {
        #expect(throws: expected) { _ = try PostgresLocation(url: url) }
    }
}
