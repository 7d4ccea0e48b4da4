import Foundation

/// The whole state of a chain after a block: the ledger, every account's nonce and the state
/// of each hosted module.
///
/// A value: copying it costs O(1) and a change to a copy costs O(log n) (see ``StateMap``),
/// which is what lets every transaction run against its own copy.
public struct ChainState: Sendable {
    /// Tokens, NFTs, escrows and streams.
    public internal(set) var ledger = LedgerState()
    /// The next nonce each account must use; absent means 0.
    public internal(set) var nonces: StateMap<Address, UInt64> = [:]
    /// Each hosted module's state, by module name.
    var moduleStates: [String: any ModuleState] = [:]
    /// The height of the last applied block.
    public internal(set) var height: UInt64 = 0
    /// The hash of the last applied block.
    public internal(set) var lastBlockHash: Hash32 = .zero
    /// The timestamp of the last applied block (protocol time).
    public internal(set) var timestamp: UInt64 = 0

    /// The next nonce `account` must use.
    public func nonce(of account: Address) -> UInt64 { nonces[account] ?? 0 }

    /// The state of module `M`, or its initial state if it has never been called.
    public func state<M: ChainModule>(of module: M.Type) -> M.State {
        moduleStates[M.name] as? M.State ?? M.makeInitialState()
    }

    /// A Keccak-256 commitment to the entire state, identical on every machine that applied
    /// the same blocks.
    public func stateHash(registry: ModuleRegistry) throws -> Hash32 {
        Keccak256.hash(try canonicalEncoding(registry: registry))
    }

    /// The canonical bytes of the state, used by ``stateHash(registry:)`` and snapshots.
    package func canonicalEncoding(registry: ModuleRegistry) throws -> [UInt8] {
        var modules: [RLP] = []
        for name in moduleStates.keys.sorted() {
            guard let module = registry[name], let state = moduleStates[name] else {
                throw TransactionError.unknownModule(name)
            }
            modules.append(.list([.string(name), .bytes(try module.encodeState(state))]))
        }
        return RLP.list([
            .uint(1), .uint(height), .bytes(lastBlockHash.bytes), .uint(timestamp),
            .bytes(try CanonicalJSON.encode(ledger)), .bytes(try CanonicalJSON.encode(nonces)), .list(modules),
        ]).encoded
    }

    /// Rebuilds a state from ``canonicalEncoding(registry:)``.
    static func decode(canonical bytes: [UInt8], registry: ModuleRegistry) throws -> ChainState {
        let items = try RLP.decode(bytes).list("state", count: 7)
        guard try items[0].uint64("state.version") == 1 else {
            throw RLPError.nonCanonical(offset: 0, reason: "unsupported state version")
        }
        var state = ChainState()
        state.height = try items[1].uint64("state.height")
        state.lastBlockHash = try Hash32(bytes: try items[2].bytes("state.lastBlockHash"))
        state.timestamp = try items[3].uint64("state.timestamp")
        state.ledger = try JSONDecoder().decode(LedgerState.self, from: Data(try items[4].bytes("state.ledger")))
        state.nonces = try JSONDecoder().decode(StateMap<Address, UInt64>.self, from: Data(try items[5].bytes("state.nonces")))
        for entry in try items[6].list("state.modules") {
            let pair = try entry.list("state.module", count: 2)
            let name = try pair[0].string("state.module.name")
            guard let module = registry[name] else { throw TransactionError.unknownModule(name) }
            state.moduleStates[name] = try module.decodeState(try pair[1].bytes("state.module.state"))
        }
        return state
    }
}
