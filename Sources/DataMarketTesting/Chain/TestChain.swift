public import LedgerCore

/// Builds an in-memory chain for tests: a genesis with funded accounts, the protocol modules
/// under test, and a `ManualClock` the test moves forward.
///
/// ```swift
/// var builder = TestChain(chainID: 5)
/// builder.fund(try TokenID("DMT"), minter: alice.address, [(alice.address, 1_000), (bob.address, 10)])
/// let chain = try builder.build(modules: [MarketModule.self])
/// try builder.clock.warp(by: 600)
/// ```
public struct TestChain {
    /// The genesis timestamp every builder starts at unless told otherwise (14 November 2023).
    public static let defaultStart: UInt64 = 1_700_000_000

    /// The chain id written into the genesis (and so into every signature).
    public var chainID: UInt64
    /// The genesis timestamp, in seconds.
    public var start: UInt64
    /// The tokens of the genesis, in the order they were funded.
    public private(set) var tokens: [GenesisConfig.TokenAllocation] = []
    /// The clock the built chain reads; its `warp(by:)` moves it.
    public let clock: ManualClock

    /// A builder for a chain with id `chainID` whose clock starts at `start`.
    public init(chainID: UInt64 = 7, start: UInt64 = TestChain.defaultStart) {
        self.chainID = chainID
        self.start = start
        clock = ManualClock(start)
    }

    /// Adds `token` (display name `name`, "DataMarket Token" unless given) to the genesis with
    /// `balances`; `minter` may mint more later.
    public mutating func fund(
        _ token: TokenID, name: String = "DataMarket Token", minter: Address? = nil, _ balances: [(Address, UInt256)]
    ) {
        tokens.append(.init(
            symbol: token, name: name, minter: minter,
            balances: balances.map { .init(account: $0.0, amount: $0.1) }))
    }

    /// The genesis these settings describe.
    public func genesis() -> GenesisConfig {
        GenesisConfig(chainID: chainID, timestamp: start, tokens: tokens)
    }

    /// A new chain from ``genesis()`` hosting `modules`, in `store` (memory unless given), reading
    /// ``clock``.
    public func build(
        modules: [any ChainModule.Type] = [], store: any BlockStore = InMemoryBlockStore(), snapshotInterval: UInt64 = 1000
    ) throws -> Chain {
        try Chain.create(genesis: genesis(), modules: modules, store: store, clock: clock, snapshotInterval: snapshotInterval)
    }
}
