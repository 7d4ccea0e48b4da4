import Foundation
import LedgerCore
import MarketKit
import ModelMarketKit

/// Opens the chain kept in `<home>/chain` with every module dmctl knows, on wall time plus
/// the warp offset kept in `<home>/chain/clock-offset`.
enum ChainHome {
    /// The protocol modules every dmctl chain hosts (the ledger module is always there).
    static let modules: [any ChainModule.Type] = [MarketModule.self, ModelBountyModule.self, DataBountyModule.self, RolesModule.self]

    static func clock(_ home: Home) -> WallClock {
        WallClock(offsetFile: home.chain.appendingPathComponent("clock-offset"))
    }

    /// Opens the existing chain, or explains how to create one. With `--node` (or
    /// `$DMCTL_NODE`) the chain is the node's, read through ``NodeReplicaStore`` on the node's
    /// chain time; the home needs no chain folder, only the keys that sign.
    static func open(_ home: Home, snapshotInterval: UInt64 = 1000) throws -> Chain {
        if let node = try home.node.get() {
            let store = try NodeReplicaStore(node: node)
            return try Chain.open(store: store, modules: modules, clock: ManualClock(store.now), snapshotInterval: 0)
        }
        return try openFolder(home, snapshotInterval: snapshotInterval)
    }

    /// Opens the chain in `<home>/chain` itself, whatever `--node` says: for the processes that
    /// own a folder's chain (`node serve`).
    static func openFolder(_ home: Home, snapshotInterval: UInt64 = 1000) throws -> Chain {
        let store = try FileBlockStore(folder: home.chain)
        for warning in store.warnings { Output.note("warning: \(warning)") }
        guard try store.genesis() != nil else {
            throw CLIError.usage("no chain in \(home.chain.path); create one with: dmctl chain init")
        }
        return try Chain.open(store: store, modules: modules, clock: clock(home), snapshotInterval: snapshotInterval)
    }

    /// A follower of the chain in `<home>/chain`: reads through a read-only store handle that
    /// never takes the writers' lock, and catches up with the blocks other processes append.
    static func follow(_ home: Home) throws -> ChainFollower {
        guard FileManager.default.fileExists(atPath: home.chain.appendingPathComponent("genesis.json").path) else {
            throw CLIError.usage("no chain in \(home.chain.path); create one with: dmctl chain init")
        }
        return try ChainFollower.open(folder: home.chain, modules: modules)
    }

    /// What the store noticed and handled while opening (a dropped torn write, a skipped snapshot).
    static func warnings(of chain: Chain) -> [String] {
        (chain.store as? FileBlockStore)?.warnings ?? []
    }

    /// Creates a new chain from `genesis`.
    static func create(_ home: Home, genesis: GenesisConfig) throws -> Chain {
        let store = try FileBlockStore(folder: home.chain)
        return try Chain.create(genesis: genesis, modules: modules, store: store, clock: clock(home))
    }
}
