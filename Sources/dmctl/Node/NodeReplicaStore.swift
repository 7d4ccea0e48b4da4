import ChainNode
import Foundation
import LedgerCore

/// The chain of a node, as a read-only ``BlockStore`` for `dmctl --node` in a home without a
/// chain folder: the genesis, the state at the head (`GET /state`, the canonical encoding
/// snapshots use) and the blocks come from the node, so every command reads the modules
/// through their own code exactly as it does over a local folder.
///
/// `Chain.open` checks what it is given: the genesis block must rebuild from the genesis
/// configuration, the state's last block hash must be the hash of the node's block at that
/// height, and any later block is replayed and checked against its header. Writing is refused:
/// a command's transaction goes through the node (``LedgerCLI/submit(_:to:key:chain:)``).
final class NodeReplicaStore: BlockStore, @unchecked Sendable {
    // @unchecked: every stored property is immutable after init, and NodeClient is a value
    // holding the base URL and a RemoteNode (Sendable).
    let client: NodeClient
    private let storedGenesis: GenesisConfig
    private let snapshot: NodeAPI.StateSnapshot
    private let snapshotBytes: [UInt8]

    /// The node's chain time when the state was read.
    var now: UInt64 { snapshot.now }

    /// Reads the genesis and the state at the head from the node at `base`.
    init(node base: URL) throws {
        client = NodeClient(base: base)
        storedGenesis = try client.genesis()
        snapshot = try client.state()
        do { snapshotBytes = try Hex.decode(String(snapshot.state.dropFirst(2)), field: "state") } catch {
            throw CLIError.storage("node \(base): GET /state: the state is not 0x hex (\(error))")
        }
        guard Keccak256.hash(snapshotBytes) == snapshot.stateHash else {
            throw CLIError.storage("node \(base): GET /state: the state bytes do not hash to the state hash it names (\(snapshot.stateHash))")
        }
    }

    func genesis() throws(ChainError) -> GenesisConfig? { storedGenesis }

    func initialize(genesis: GenesisConfig, block: Block) throws(ChainError) {
        throw .storage("\(client.base) is a node: its chain exists already; dmctl chain init makes a local chain (without --node)")
    }

    func exclusively<T>(_ body: () throws -> T) throws -> T { try body() }

    func append(_ block: Block) throws(ChainError) {
        throw .storage("a chain read from node \(client.base) is read-only here; transactions go through the node")
    }

    func blocks(from height: UInt64) throws(ChainError) -> [Block] {
        do { return try client.blocks(from: height) } catch { throw .storage("\(error)") }
    }

    func block(at height: UInt64) throws(ChainError) -> Block? {
        do { return try client.blockIfAny(at: height) } catch { throw .storage("\(error)") }
    }

    func latestSnapshot() throws(ChainError) -> (height: UInt64, state: [UInt8])? { (snapshot.height, snapshotBytes) }

    func saveSnapshot(height: UInt64, state: [UInt8]) throws(ChainError) {}
}
