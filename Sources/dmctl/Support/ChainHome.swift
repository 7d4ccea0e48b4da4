import Foundation
import LedgerCore
import LedgerPostgres
import MarketKit
import ModelMarketKit

/// Opens the chain kept in `<home>/chain` (or in the PostgreSQL store `--store` names) with
/// every module dmctl knows, on wall time plus the warp offset kept in `<home>/chain/clock-offset`.
enum ChainHome {
    /// The protocol modules every dmctl chain hosts (the ledger module is always there).
    static let modules: [any ChainModule.Type] = [MarketModule.self, ModelBountyModule.self, DataBountyModule.self, RolesModule.self]

    static func clock(_ home: Home) -> WallClock {
        WallClock(offsetFile: home.chain.appendingPathComponent("clock-offset"))
    }

    /// The PostgreSQL store `--store` names, or nil for the home's folder.
    static func postgresStore(_ home: Home) throws -> PostgresBlockStore? {
        guard let text = home.store else { return nil }
        let location: PostgresLocation
        do { location = try PostgresLocation(url: text) } catch { throw CLIError.usage("--store: \(error)") }
        // The warp offset stays in the home folder, which a PostgreSQL-backed home may not have yet.
        try? FileManager.default.createDirectory(at: home.chain, withIntermediateDirectories: true)
        return try PostgresBlockStore(location: location)
    }

    /// The store the home's chain lives in.
    static func store(_ home: Home) throws -> any BlockStore {
        if let postgres = try postgresStore(home) { return postgres }
        return try FileBlockStore(folder: home.chain)
    }

    /// Where the chain lives, for messages.
    static func place(_ home: Home) -> String {
        guard let text = home.store else { return home.chain.path }
        return (try? PostgresLocation(url: text).description) ?? text
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

    /// Opens the chain the home's own store holds (its folder, or `--store`), whatever `--node`
    /// says: for the processes that own a chain (`node serve`).
    static func openFolder(_ home: Home, snapshotInterval: UInt64 = 1000) throws -> Chain {
        let store = try store(home)
        for warning in warnings(of: store) { Output.note("warning: \(warning)") }
        guard try store.genesis() != nil else {
            throw CLIError.usage("no chain in \(place(home)); create one with: dmctl chain init")
        }
        return try Chain.open(store: store, modules: modules, clock: clock(home), snapshotInterval: snapshotInterval)
    }

    /// A follower of the home's chain: over `<home>/chain` it reads through a read-only store
    /// handle that never takes the writers' lock; over PostgreSQL it is woken by `NOTIFY`.
    static func follow(_ home: Home) throws -> ChainFollower {
        if let postgres = try postgresStore(home) {
            guard try postgres.genesis() != nil else {
                throw CLIError.usage("no chain in \(place(home)); create one with: dmctl chain init")
            }
            return try ChainFollower.open(store: postgres, modules: modules, source: PostgresBlockSource(store: postgres))
        }
        guard FileManager.default.fileExists(atPath: home.chain.appendingPathComponent("genesis.json").path) else {
            throw CLIError.usage("no chain in \(home.chain.path); create one with: dmctl chain init")
        }
        return try ChainFollower.open(folder: home.chain, modules: modules)
    }

    /// What the store noticed and handled while opening (a dropped torn write, a skipped snapshot).
    static func warnings(of chain: Chain) -> [String] {
        warnings(of: chain.store)
    }

    static func warnings(of store: any BlockStore) -> [String] {
        (store as? FileBlockStore)?.warnings ?? (store as? PostgresBlockStore)?.warnings ?? []
    }

    /// Creates a new chain from `genesis`.
    static func create(_ home: Home, genesis: GenesisConfig) throws -> Chain {
        try Chain.create(genesis: genesis, modules: modules, store: try store(home), clock: clock(home))
    }
}
