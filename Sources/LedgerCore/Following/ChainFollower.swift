public import Foundation

/// A read-only view of a chain that follows its blocks as they are appended, by this process or
/// by others, without ever taking the writers' lock.
///
/// The follower holds the state after the newest block it has applied. ``catchUp()`` applies
/// every block its ``BlockSource`` has now, checking each exactly as ``Chain`` does on reopening
/// (parent hash, roots, signatures, receipts), so a service that calls it before deciding a
/// request decides on the newest block, stale by at most the blocks appended while the request
/// runs. ``state(atLeast:timeout:)`` awaits a height; ``follow(onError:)`` keeps catching up in the
/// background until cancelled.
///
/// ```swift
/// let follower = try ChainFollower.open(folder: home.appendingPathComponent("chain"), modules: [MarketModule.self])
/// try await follower.catchUp()
/// let markets = follower.state.state(of: MarketModule.self).markets
/// let later = try await follower.state(atLeast: receipt.height, timeout: .seconds(5))
/// ```
public final class ChainFollower: @unchecked Sendable {
    // @unchecked: `current` is only read or written while holding `lock`, which is held only to
    // copy or swap the state (never across a read of the source or a replay); the other stored
    // properties are immutable and Sendable.
    private let lock = NSLock()
    private var current: ChainState

    /// The configuration the chain started from.
    public let genesis: GenesisConfig
    /// The hosted modules.
    public let registry: ModuleRegistry
    /// Where new blocks come from.
    public let source: any BlockSource

    /// The chain id.
    public var chainID: UInt64 { genesis.chainID }

    /// A follower that starts at `state` (a state of the chain `genesis` describes, e.g. one
    /// loaded from a snapshot) and applies the blocks `source` gives after it.
    public init(genesis: GenesisConfig, modules: [any ChainModule.Type], source: any BlockSource, state: ChainState) {
        self.genesis = genesis
        self.registry = ModuleRegistry(modules)
        self.source = source
        self.current = state
    }

    /// A follower of `store`: the state at its tip is loaded as ``Chain/open(store:modules:clock:snapshotInterval:)``
    /// does (newest snapshot, then replay); later blocks come from `source` (the store itself by
    /// default, polled every 50 ms while waiting).
    /// - Throws: ``ChainError/notInitialized`` for an empty store, or what loading found wrong.
    public static func open(store: any BlockStore, modules: [any ChainModule.Type], source: (any BlockSource)? = nil) throws -> ChainFollower {
        guard let genesis = try store.genesis() else { throw ChainError.notInitialized }
        let registry = ModuleRegistry(modules)
        let state = try Chain.loadState(store: store, genesis: genesis, registry: registry)
        return ChainFollower(genesis: genesis, modules: modules, source: source ?? StoreBlockSource(store: store), state: state)
    }

    /// A follower that starts at the genesis state of `genesis`, kept in memory, and applies
    /// every block `source` gives after it (a node's blocks, for a service on another machine).
    /// - Throws: what building the genesis state found wrong in `genesis`.
    public static func start(genesis: GenesisConfig, modules: [any ChainModule.Type], source: any BlockSource) throws -> ChainFollower {
        let (state, _) = try genesis.build()
        return ChainFollower(genesis: genesis, modules: modules, source: source, state: state)
    }

    /// A follower of the file-backed chain in `folder`, read through a read-only
    /// ``FileBlockStore`` handle that never takes the writers' lock.
    public static func open(folder: URL, modules: [any ChainModule.Type], pollInterval: Duration = .milliseconds(50)) throws -> ChainFollower {
        let store = try FileBlockStore(readingFolder: folder)
        return try open(store: store, modules: modules, source: StoreBlockSource(store: store, pollInterval: pollInterval))
    }

    // MARK: - Reading

    /// The state after the newest block applied so far (call ``catchUp()`` first for the newest
    /// block of the source).
    public var state: ChainState { lock.withLock { current } }

    /// The height of the newest applied block.
    public var height: UInt64 { state.height }

    // MARK: - Following

    /// Applies every block the source has now; returns the height reached.
    ///
    /// Never waits for a writer. Concurrent callers may both read the new blocks; the state
    /// only ever moves forward.
    /// - Throws: a ``ChainError`` when a block does not follow or does not replay (the state
    ///   stays at the last good block), or the source's error.
    @discardableResult
    public func catchUp() async throws -> UInt64 {
        var state = self.state
        while true {
            let blocks = try await source.blocks(from: state.height + 1)
            guard !blocks.isEmpty else { break }
            for block in blocks where block.height > state.height {
                try Chain.replay(block, on: &state, registry: registry, chainID: chainID)
            }
        }
        let reached = state
        return lock.withLock {
            if reached.height > current.height { current = reached }
            return current.height
        }
    }

    /// The state once the chain has reached `height` (at once if it already has).
    /// - Throws: ``FollowerError/timedOut(waitingFor:reached:after:)`` if `height` is not reached
    ///   within `timeout`; `CancellationError` if the task is cancelled.
    public func state(atLeast height: UInt64, timeout: Duration) async throws -> ChainState {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            try await catchUp()
            let now = self.state
            if now.height >= height { return now }
            let left = clock.now.duration(to: deadline)
            guard left > .zero else { throw FollowerError.timedOut(waitingFor: height, reached: now.height, after: timeout) }
            try await source.waitForBlocks(after: now.height, timeout: left)
        }
    }

    /// Catches up, waits for more blocks and repeats, until the task is cancelled (then it
    /// returns normally). A failing catch-up is reported to `onError` and retried after the
    /// source's wait, so a passing fault (a read error, a node restarting) does not stop following.
    public func follow(onError: @Sendable (any Error) -> Void = { _ in }) async {
        while !Task.isCancelled {
            do {
                try await catchUp()
                try await source.waitForBlocks(after: height, timeout: .seconds(1))
            } catch is CancellationError {
                return
            } catch {
                onError(error)
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}

/// Why a ``ChainFollower`` could not give what was asked.
public enum FollowerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// ``ChainFollower/state(atLeast:timeout:)`` waited `after` and the chain stayed below the height.
    case timedOut(waitingFor: UInt64, reached: UInt64, after: Duration)

    /// What went wrong and what was expected.
    public var description: String {
        switch self {
        case .timedOut(let h, let r, let d): "waited \(d) for block \(h) but the chain reached only block \(r); expected block \(h) to be appended by then"
        }
    }
}
