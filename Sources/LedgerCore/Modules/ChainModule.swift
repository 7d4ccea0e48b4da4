/// A protocol state machine hosted on the chain: a market, a bounty, the ledger itself.
///
/// LedgerCore knows no module but its own: other kits define their call and state types and
/// register the module when they open a chain. A transaction names the module and carries one
/// canonical-JSON call; the chain decodes it, hands the module its state and an
/// ``ExecutionContext`` (the signer, the block time, token/escrow/NFT operations), and keeps
/// the result only if `execute` returns. If it throws, nothing the transaction did remains —
/// token moves included — because the whole chain state is a value copied for the transaction.
///
/// ```swift
/// enum Counter: ChainModule {
///     struct State: ModuleState { var count: UInt64 = 0 }
///     enum Call: Codable, Sendable { case increment }
///     static let name = "counter"
///     static func makeInitialState() -> State { State() }
///     static func execute(_ call: Call, state: inout State, context: inout ExecutionContext) throws {
///         state.count += 1
///         context.emit("Incremented", fields: [.init("count", "\(state.count)")])
///     }
/// }
/// ```
public protocol ChainModule: Sendable {
    /// The module's persistent state.
    associatedtype State: ModuleState
    /// The calls a transaction can make to it.
    associatedtype Call: Codable & Sendable

    /// Its unique name on the chain, e.g. `market`: lowercase letters, digits and `-`.
    static var name: String { get }

    /// The state before any call.
    static func makeInitialState() -> State

    /// Runs one call; throwing refuses the transaction and reverts everything it did.
    static func execute(_ call: Call, state: inout State, context: inout ExecutionContext) throws
}

/// The state of a hosted module: a value that can be saved in snapshots and hashed.
///
/// Use ``StateMap`` rather than `Dictionary` for maps, so copies stay cheap and the encoding
/// is in key order.
public protocol ModuleState: Codable, Sendable, Equatable {}

/// The type-erased form of a module the chain dispatches to.
struct AnyChainModule: Sendable {
    let name: String
    let makeInitialState: @Sendable () -> any ModuleState
    let decodeState: @Sendable ([UInt8]) throws -> any ModuleState
    let encodeState: @Sendable (any ModuleState) throws -> [UInt8]
    /// Decodes a call payload (pure: safe to run ahead of execution, in parallel).
    let decodeCall: @Sendable ([UInt8]) throws -> any Sendable
    /// Runs a call `decodeCall` produced.
    let run: @Sendable (any Sendable, inout ExecutionContext) throws -> Void

    init<M: ChainModule>(_ module: M.Type) {
        name = M.name
        makeInitialState = { M.makeInitialState() }
        decodeState = { bytes in try CanonicalJSON.decode(M.State.self, from: bytes, field: "\(M.name) state") }
        encodeState = { state in
            guard let typed = state as? M.State else { throw TransactionError.unknownModule(M.name) }
            return try CanonicalJSON.encode(typed)
        }
        decodeCall = { payload in try CanonicalJSON.decode(M.Call.self, from: payload, field: "\(M.name) call") }
        run = { decoded, context in
            guard let call = decoded as? M.Call else {
                throw TransactionError.malformedCall(field: "\(M.name) call", reason: "decoded for another module")
            }
            var state = context.world.moduleStates.removeValue(forKey: M.name) as? M.State ?? M.makeInitialState()
            try M.execute(call, state: &state, context: &context)
            context.world.moduleStates[M.name] = state
        }
    }
}

/// The modules a chain hosts, by name. The built-in ``LedgerModule`` is always present.
public struct ModuleRegistry: Sendable {
    var modules: [String: AnyChainModule]

    /// A registry of `modules` plus the ledger module.
    public init(_ modules: [any ChainModule.Type] = []) {
        var all: [String: AnyChainModule] = [LedgerModule.name: AnyChainModule(LedgerModule.self)]
        for m in modules { all[m.name] = AnyChainModule(m) }
        self.modules = all
    }

    /// The names of the registered modules, sorted.
    public var names: [String] { modules.keys.sorted() }

    subscript(name: String) -> AnyChainModule? { modules[name] }
}
