public import Foundation
public import LedgerCore

extension TestChain {
    /// A builder for a chain `dmctl` will read by wall-clock time: its genesis is `ago` seconds
    /// before now, so blocks appended from now on have later timestamps.
    public static func startedAgo(_ ago: UInt64 = 3600, chainID: UInt64 = 1337) -> TestChain {
        TestChain(chainID: chainID, start: UInt64(Date().timeIntervalSince1970) - ago)
    }

    /// A new chain from ``genesis()`` hosting `modules`, kept in `folder` as `dmctl chain init`
    /// leaves it in a home's `chain` folder: a file store, read by wall-clock time shifted by the
    /// folder's `clock-offset` file (what `dmctl chain warp` moves).
    public func build(inFolder folder: URL, modules: [any ChainModule.Type] = [], snapshotInterval: UInt64 = 1000) throws -> Chain {
        try Chain.create(
            genesis: genesis(), modules: modules, store: try FileBlockStore(folder: folder),
            clock: WallClock(offsetFile: folder.appendingPathComponent("clock-offset")), snapshotInterval: snapshotInterval)
    }

    /// ``build(inFolder:modules:snapshotInterval:)`` in `home`'s `chain` folder, where `dmctl`
    /// run on that home finds it.
    public func build(in home: TestHome, modules: [any ChainModule.Type] = [], snapshotInterval: UInt64 = 1000) throws -> Chain {
        try build(inFolder: home.url.appendingPathComponent("chain"), modules: modules, snapshotInterval: snapshotInterval)
    }
}
