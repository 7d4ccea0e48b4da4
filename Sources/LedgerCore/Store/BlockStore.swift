import Foundation

/// Where a chain keeps its blocks and snapshots.
///
/// Contract: ``append(_:)`` returns only once the block is durable; appends happen only
/// inside ``exclusively(_:)``, which serialises writers (across processes, for a file store);
/// ``blocks(from:)`` returns every block from a height on, including those other writers
/// appended since.
public protocol BlockStore: AnyObject, Sendable {
    /// The stored genesis configuration, or nil if the store is empty.
    func genesis() throws(ChainError) -> GenesisConfig?
    /// Stores the genesis configuration and block of a new chain; refuses a non-empty store.
    func initialize(genesis: GenesisConfig, block: Block) throws(ChainError)
    /// Runs `body` while holding the exclusive right to append.
    func exclusively<T>(_ body: () throws -> T) throws -> T
    /// Durably appends `block`; its height must be one above the stored tip.
    func append(_ block: Block) throws(ChainError)
    /// Durably appends `blocks`, consecutive heights starting one above the stored tip; a
    /// store may make them durable together (one sync for the lot), so a replica catching up
    /// a page at a time does not wait on the disk once per block. On a throw, the blocks
    /// before the refused one may have been stored.
    func append(contentsOf blocks: [Block]) throws(ChainError)
    /// The stored blocks with height `height` and above, in order (empty past the tip).
    func blocks(from height: UInt64) throws(ChainError) -> [Block]
    /// The stored block at `height`, or nil past the tip; reads only that block.
    func block(at height: UInt64) throws(ChainError) -> Block?
    /// The newest snapshot: the height it was taken at and the canonical state bytes.
    func latestSnapshot() throws(ChainError) -> (height: UInt64, state: [UInt8])?
    /// Saves a snapshot of the state at `height`.
    func saveSnapshot(height: UInt64, state: [UInt8]) throws(ChainError)
}

extension BlockStore {
    /// Appends the blocks one at a time (stores that can sync once for several override this).
    public func append(contentsOf blocks: [Block]) throws(ChainError) {
        for block in blocks { try append(block) }
    }

    /// The block at `height`, found through ``blocks(from:)`` (stores override this to read
    /// one block only).
    public func block(at height: UInt64) throws(ChainError) -> Block? {
        try blocks(from: height).first
    }
}

/// A store that keeps everything in memory: for tests, simulations and the demo.
public final class InMemoryBlockStore: BlockStore, @unchecked Sendable {
    // @unchecked: every stored property is read and written under `lock`; `writer` serialises
    // `exclusively` bodies (it is held for their whole duration, `lock` only briefly).
    private let lock = NSLock()
    private let writer = NSRecursiveLock()
    private var storedGenesis: GenesisConfig?
    private var stored: [Block] = []
    private var snapshot: (height: UInt64, state: [UInt8])?

    /// An empty store.
    public init() {}

    /// The genesis configuration, or nil before ``initialize(genesis:block:)``.
    public func genesis() throws(ChainError) -> GenesisConfig? { lock.withLock { storedGenesis } }

    /// Stores the genesis configuration and block; refuses a store that already holds blocks.
    public func initialize(genesis: GenesisConfig, block: Block) throws(ChainError) {
        lock.lock()
        defer { lock.unlock() }
        guard stored.isEmpty else { throw ChainError.alreadyInitialized(height: UInt64(stored.count - 1)) }
        storedGenesis = genesis
        stored = [block]
    }

    /// Runs `body` while no other writer of this store runs.
    public func exclusively<T>(_ body: () throws -> T) throws -> T {
        writer.lock()
        defer { writer.unlock() }
        return try body()
    }

    /// Appends `block`, which must be the next height and name the tip as its parent.
    public func append(_ block: Block) throws(ChainError) {
        lock.lock()
        defer { lock.unlock() }
        guard block.height == UInt64(stored.count) else {
            throw ChainError.heightMismatch(expected: UInt64(stored.count), found: block.height)
        }
        if let tip = stored.last, block.header.parentHash != tip.hash {
            throw ChainError.parentMismatch(height: block.height, expected: tip.hash, found: block.header.parentHash)
        }
        stored.append(block)
    }

    /// The stored blocks from `height` on.
    public func blocks(from height: UInt64) throws(ChainError) -> [Block] {
        lock.withLock {
            let start = Int(min(height, UInt64(stored.count)))
            return Array(stored[start...])
        }
    }

    /// The block at `height`, or nil past the tip.
    public func block(at height: UInt64) throws(ChainError) -> Block? {
        lock.withLock { height < UInt64(stored.count) ? stored[Int(height)] : nil }
    }

    /// The snapshot saved last, if any.
    public func latestSnapshot() throws(ChainError) -> (height: UInt64, state: [UInt8])? { lock.withLock { snapshot } }

    /// Keeps `state` as the snapshot at `height`, replacing the previous one.
    public func saveSnapshot(height: UInt64, state: [UInt8]) throws(ChainError) {
        lock.withLock { snapshot = (height, state) }
    }
}
