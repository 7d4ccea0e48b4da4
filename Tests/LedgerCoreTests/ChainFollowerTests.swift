import DataMarketTesting
import Foundation
import Testing
import LedgerCore

/// The follower: a read-only view that applies the blocks other handles (and processes) append,
/// lets callers await a height, and never waits for the writers' lock.
@Suite struct ChainFollowerTests {
    static let modules: [any ChainModule.Type] = [VaultModule.self]

    /// A file-backed chain in a new folder with `blocks` transfer blocks after genesis.
    static func writer(_ folder: URL, blocks: Int = 0) throws -> Chain {
        let chain = try Chain.create(
            genesis: Fixture.genesis(), modules: modules, store: try FileBlockStore(folder: folder),
            clock: ManualClock(Fixture.start), snapshotInterval: 0)
        for i in 0..<blocks { try transfer(chain, i) }
        return chain
    }

    static func transfer(_ chain: Chain, _ i: Int) throws {
        try chain.send(.transfer(token: Fixture.dmt, to: address(UInt8(i % 200 + 1)), amount: UInt256(UInt64(i + 1))), to: LedgerModule.self, from: Fixture.alice)
    }

    @Test func followerAppliesBlocksAnotherHandleAppends() async throws {
        let folder = temporaryFolder("follow")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try Self.writer(folder, blocks: 3)
        let follower = try ChainFollower.open(folder: folder, modules: Self.modules)
        #expect(follower.height == 3)
        #expect(try follower.state.stateHash(registry: follower.registry) == (try writer.stateHash()))

        for i in 3..<10 { try Self.transfer(writer, i) }
        #expect(follower.height == 3)  // nothing applied until asked
        let reached = try await follower.catchUp()
        #expect(reached == 10)
        #expect(follower.height == 10)
        #expect(try follower.state.stateHash(registry: follower.registry) == (try writer.stateHash()))
        #expect(follower.state.ledger.balance(of: address(10), in: Fixture.dmt) == 10)
    }

    @Test func followerOfASnapshottedChainStartsFromTheSnapshotAndKeepsUp() async throws {
        let folder = temporaryFolder("follow-snap")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try Chain.create(
            genesis: Fixture.genesis(), modules: Self.modules, store: try FileBlockStore(folder: folder),
            clock: ManualClock(Fixture.start), snapshotInterval: 4)
        for i in 0..<9 { try Self.transfer(writer, i) }
        let follower = try ChainFollower.open(folder: folder, modules: Self.modules)
        #expect(follower.height == 9)
        for i in 9..<12 { try Self.transfer(writer, i) }
        try await follower.catchUp()
        #expect(try follower.state.stateHash(registry: follower.registry) == (try writer.stateHash()))
    }

    @Test func awaitingAHeightReturnsOnceAnotherTaskAppendsIt() async throws {
        let folder = temporaryFolder("follow-await")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try Self.writer(folder, blocks: 1)
        let follower = try ChainFollower.open(folder: folder, modules: Self.modules, pollInterval: .milliseconds(10))
        // A thread of its own (not the cooperative pool, which other suites may keep busy).
        let appended = Flag()
        let appender = Thread {
            usleep(150_000)
            for i in 1..<4 { try? Self.transfer(writer, i) }
            appended.set()
        }
        appender.start()
        let state = try await follower.state(atLeast: 4, timeout: .seconds(120))
        #expect(state.height >= 4)
        #expect(state.ledger.balance(of: address(4), in: Fixture.dmt) == 4)
        while !appended.isSet { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func followingInTheBackgroundAppliesNewBlocksUntilCancelled() async throws {
        let folder = temporaryFolder("follow-bg")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try Self.writer(folder, blocks: 1)
        let follower = try ChainFollower.open(folder: folder, modules: Self.modules, pollInterval: .milliseconds(10))
        let following = Task { await follower.follow() }
        for i in 1..<3 { try Self.transfer(writer, i) }
        // Nobody calls catchUp here: the background task applies the blocks.
        for _ in 0..<12_000 where follower.height < 3 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(follower.height == 3)
        following.cancel()
        await following.value
    }

    @Test func awaitingAHeightNobodyAppendsTimesOutNamingTheHeightReached() async throws {
        let folder = temporaryFolder("follow-timeout")
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Self.writer(folder, blocks: 2)
        let follower = try ChainFollower.open(folder: folder, modules: Self.modules, pollInterval: .milliseconds(10))
        await #expect(throws: FollowerError.timedOut(waitingFor: 5, reached: 2, after: .milliseconds(100))) {
            _ = try await follower.state(atLeast: 5, timeout: .milliseconds(100))
        }
        // A height already reached returns at once.
        #expect(try await follower.state(atLeast: 2, timeout: .zero).height == 2)
    }

    @Test func aWriterHoldingTheLockDoesNotBlockTheFollower() async throws {
        let folder = temporaryFolder("follow-lock")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try Self.writer(folder, blocks: 2)
        let follower = try ChainFollower.open(folder: folder, modules: Self.modules)
        // Another handle (its own open file description, so flock excludes it like another
        // process) takes the writers' lock and holds it until told to let go.
        let holder = try FileBlockStore(folder: folder)
        let held = Flag()
        let release = Flag()
        let thread = Thread {
            try? holder.exclusively {
                held.set()
                while !release.isSet { usleep(1000) }
            }
        }
        thread.start()
        while !held.isSet { try await Task.sleep(for: .milliseconds(1)) }

        // The follower opens, catches up and reads while the lock is held.
        let second = try ChainFollower.open(folder: folder, modules: Self.modules)
        #expect(second.height == 2)
        #expect(try await follower.catchUp() == 2)
        #expect(!release.isSet)
        release.set()
        while thread.isExecuting { try await Task.sleep(for: .milliseconds(1)) }

        // Once released, writing goes on and the follower sees it.
        try Self.transfer(writer, 2)
        #expect(try await follower.catchUp() == 3)
    }

    @Test func readOnlyHandleRefusesToWriteAndIgnoresARecordStillBeingWritten() async throws {
        let folder = temporaryFolder("follow-ro")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try Self.writer(folder, blocks: 2)
        let reader = try FileBlockStore(readingFolder: folder)
        #expect(reader.isReadOnly)
        let next = try #require(try writer.store.block(at: 2))
        #expect(throws: ChainError.self) { try reader.append(next) }
        #expect(throws: ChainError.self) { try reader.saveSnapshot(height: 2, state: []) }

        // Half of a record at the end of the log (a writer mid-append) is not read yet.
        let follower = try ChainFollower.open(store: reader, modules: Self.modules)
        let scratch = temporaryFolder("follow-ro-scratch")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let other = try Self.writer(scratch, blocks: 3)
        let log = folder.appendingPathComponent("blocks.log")
        let otherLog = [UInt8](try Data(contentsOf: scratch.appendingPathComponent("blocks.log")))
        let mine = [UInt8](try Data(contentsOf: log))
        #expect(Array(otherLog.prefix(mine.count)) == mine)  // same genesis and blocks: same bytes
        let record = Array(otherLog[mine.count...])
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(record.prefix(record.count / 2)))
        #expect(try await follower.catchUp() == 2)
        try handle.write(contentsOf: Data(record.dropFirst(record.count / 2)))
        try handle.close()
        #expect(try await follower.catchUp() == 3)
        #expect(try follower.state.stateHash(registry: follower.registry) == (try other.stateHash()))
    }
}

/// A boolean set once by one thread and read by others.
/// `@unchecked Sendable`: `value` is only read or written under `lock`.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
