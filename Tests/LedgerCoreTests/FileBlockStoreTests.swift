import DataMarketTesting
import Foundation
import Testing
@testable import LedgerCore

/// Library-level tests of the append-only file store: its files, damage and torn writes, snapshots.
/// What every store promises (reopening, refusing blocks that do not follow, several handles)
/// is checked for this store too, in BlockStoreContractTests.
@Suite struct FileBlockStoreTests {
    /// Builds a chain of `blocks` one-transfer blocks in `folder` and returns its state hash.
    @discardableResult
    static func build(_ folder: URL, blocks: Int, snapshotInterval: UInt64 = 1000) throws -> Hash32 {
        let chain = try Chain.create(
            genesis: Fixture.genesis(), modules: [VaultModule.self], store: try FileBlockStore(folder: folder),
            clock: ManualClock(Fixture.start), snapshotInterval: snapshotInterval)
        for i in 0..<blocks {
            try chain.send(.transfer(token: Fixture.dmt, to: address(UInt8(i % 200 + 1)), amount: UInt256(UInt64(i + 1))), to: LedgerModule.self, from: Fixture.alice)
        }
        return try chain.stateHash()
    }

    static func log(_ folder: URL) -> URL { folder.appendingPathComponent("blocks.log") }

    /// Byte offsets of every record in blocks.log (parsed independently of the store).
    static func recordOffsets(_ folder: URL) throws -> [Int] {
        let bytes = [UInt8](try Data(contentsOf: log(folder)))
        var offsets: [Int] = []
        var p = 0
        while p + 16 <= bytes.count {
            offsets.append(p)
            let length = (0..<4).reduce(0) { $0 | Int(bytes[p + 4 + $1]) << (8 * $1) }
            p += 16 + length
        }
        return offsets
    }

    static func modify(_ url: URL, _ change: (inout [UInt8]) -> Void) throws {
        var bytes = [UInt8](try Data(contentsOf: url))
        change(&bytes)
        try Data(bytes).write(to: url)
    }

    static func open(_ folder: URL) throws -> Chain {
        try Chain.open(store: try FileBlockStore(folder: folder), modules: [VaultModule.self], clock: ManualClock(Fixture.start))
    }

    // MARK: - Damage in the middle

    @Test(arguments: [
        ("record marker", 1), ("length, low byte", 4), ("length, high byte", 7), ("checksum", 10),
        ("payload start", 16), ("payload end", -1),
    ])
    func flippedByteInAMiddleRecordRefusesToOpenNamingItsHeight(region: String, offset: Int) throws {
        let folder = temporaryFolder("fbs-flip")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.build(folder, blocks: 8)
        let offsets = try Self.recordOffsets(folder)
        let h = 4
        let target = offset >= 0 ? offsets[h] + offset : offsets[h + 1] + offset
        try Self.modify(Self.log(folder)) { $0[target] ^= 0x80 }
        let sizeBefore = try FileManager.default.attributesOfItem(atPath: Self.log(folder).path)[.size] as? Int
        expectCorrupt(atHeight: UInt64(h)) { _ = try FileBlockStore(folder: folder) }
        // Nothing was "repaired": the damaged file is left as it was.
        let sizeAfter = try FileManager.default.attributesOfItem(atPath: Self.log(folder).path)[.size] as? Int
        #expect(sizeAfter == sizeBefore)
    }

    @Test func lastRecordWithALengthFieldPointingPastTheEndIsCorruptionNotATornWrite() throws {
        let folder = temporaryFolder("fbs-lastlen")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.build(folder, blocks: 5)
        let offsets = try Self.recordOffsets(folder)
        // The last record is whole (it was acknowledged); only its length field is damaged.
        try Self.modify(Self.log(folder)) { $0[offsets[5] + 6] ^= 0x01 }  // +65,536 bytes
        expectCorrupt(atHeight: 5) { _ = try FileBlockStore(folder: folder) }
    }

    // MARK: - Torn writes

    @Test func truncatedLastRecordIsDroppedWithAWarning() throws {
        let folder = temporaryFolder("fbs-torn")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.build(folder, blocks: 6)
        let offsets = try Self.recordOffsets(folder)
        for cut in [3, 16, 40] {  // inside the record header, just after it, inside the payload
            let copy = temporaryFolder("fbs-torn-copy")
            defer { try? FileManager.default.removeItem(at: copy) }
            try FileManager.default.copyItem(at: folder, to: copy)
            try Self.modify(Self.log(copy)) { $0.removeLast($0.count - (offsets[6] + cut)) }
            let store = try FileBlockStore(folder: copy)
            #expect(store.tipHeight == 5)
            #expect(store.warnings.count == 1)
            #expect(store.warnings.first?.contains("block 6") == true)
            let size = try FileManager.default.attributesOfItem(atPath: Self.log(copy).path)[.size] as? Int
            #expect(size == offsets[6])
            let chain = try Chain.open(store: store, modules: [VaultModule.self], clock: ManualClock(Fixture.start))
            #expect(chain.height == 5)
            // The chain goes on from there.
            try chain.send(.transfer(token: Fixture.dmt, to: address(9), amount: 1), to: LedgerModule.self, from: Fixture.alice)
            #expect(try Self.open(copy).height == 6)
        }
    }

    @Test func tornWriteLeftByAnotherWriterIsDroppedBeforeTheNextAppend() throws {
        let folder = temporaryFolder("fbs-torn-other")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.build(folder, blocks: 3)
        // This chain is open while another process crashes half-way through an append.
        let chain = try Self.open(folder)
        let handle = try FileHandle(forWritingTo: Self.log(folder))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(FileBlockStore.magic + [200, 0, 0, 0, 1, 2, 3]))
        try handle.close()
        try chain.send(.transfer(token: Fixture.dmt, to: address(9), amount: 1), to: LedgerModule.self, from: Fixture.alice)
        let reopened = try Self.open(folder)
        #expect(reopened.height == 4)
        #expect(try reopened.stateHash() == chain.stateHash())
    }

    // MARK: - Reopening and snapshots

    @Test func snapshotsAreTakenEveryNBlocksAndTheNewestTwoKept() throws {
        let folder = temporaryFolder("fbs-snap")
        defer { try? FileManager.default.removeItem(at: folder) }
        let hash = try Self.build(folder, blocks: 17, snapshotInterval: 5)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("snapshots").path).sorted()
        #expect(names == ["state-00000000000000000010.bin", "state-00000000000000000015.bin"])
        #expect(try FileBlockStore(folder: folder).latestSnapshot()?.height == 15)
        #expect(try Self.open(folder).stateHash() == hash)
    }

    @Test func aDamagedSnapshotIsIgnoredWithAWarningAndTheStateRebuilt() throws {
        let folder = temporaryFolder("fbs-badsnap")
        defer { try? FileManager.default.removeItem(at: folder) }
        let hash = try Self.build(folder, blocks: 17, snapshotInterval: 5)
        let snapshots = folder.appendingPathComponent("snapshots")
        try Self.modify(snapshots.appendingPathComponent("state-00000000000000000015.bin")) { $0[60] ^= 0x01 }
        let store = try FileBlockStore(folder: folder)
        #expect(try store.latestSnapshot()?.height == 10)  // falls back to the older one
        #expect(store.warnings.contains { $0.contains("state-00000000000000000015.bin is damaged") })
        // Both damaged: rebuilt from the blocks alone.
        try Self.modify(snapshots.appendingPathComponent("state-00000000000000000010.bin")) { $0.removeLast(3) }
        let again = try FileBlockStore(folder: folder)
        let chain = try Chain.open(store: again, modules: [VaultModule.self], clock: ManualClock(Fixture.start))
        #expect(try chain.stateHash() == hash)
        #expect(again.warnings.count == 2)
    }

    @Test func aWholeSnapshotThatNoLongerDecodesIsPassedOverAndTheBlocksReplayed() throws {
        let folder = temporaryFolder("fbs-oldsnap")
        defer { try? FileManager.default.removeItem(at: folder) }
        let hash = try Self.build(folder, blocks: 17, snapshotInterval: 5)
        // Intact on disk (its checksum is right) but not a state this build can decode, as a
        // snapshot written before a module's state gained a field.
        let store = try FileBlockStore(folder: folder)
        try store.saveSnapshot(height: 16, state: Array("not a state of this build".utf8))
        #expect(try store.latestSnapshot()?.height == 16)
        let chain = try Chain.open(store: store, modules: [VaultModule.self], clock: ManualClock(Fixture.start))
        #expect(chain.state.height == 17)
        #expect(try chain.stateHash() == hash)
    }
}
