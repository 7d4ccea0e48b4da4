public import Foundation

/// Where block timestamps come from. Injected: wall time in `dmctl`, a controlled clock in
/// tests; `warp` moves time forward as a local Ethereum dev chain's time increase does.
public protocol ChainClock: Sendable {
    /// The current time, in seconds since 1970.
    func now() -> UInt64
    /// Moves this clock's time forward by `seconds`.
    func warp(by seconds: UInt64) throws(ChainError)
}

/// A clock fully controlled by the caller: time stands still until warped or set.
public final class ManualClock: ChainClock, @unchecked Sendable {
    // @unchecked: `time` is only read and written under `lock`.
    private let lock = NSLock()
    private var time: UInt64

    /// A clock reading `time`.
    public init(_ time: UInt64 = 1_700_000_000) { self.time = time }

    /// The time the clock was set or warped to, in seconds.
    public func now() -> UInt64 { lock.withLock { time } }

    /// Moves the clock forward by `seconds`; refuses a warp past `UInt64.max`.
    public func warp(by seconds: UInt64) throws(ChainError) {
        lock.lock()
        defer { lock.unlock() }
        let (t, overflow) = time.addingReportingOverflow(seconds)
        guard !overflow else { throw ChainError.clock("warp of \(seconds) s overflows the clock") }
        time = t
    }
}

/// Wall time plus a warp offset; the offset can be persisted in a file so that every process
/// using the same state folder sees the same warped time.
public final class WallClock: ChainClock, @unchecked Sendable {
    // @unchecked: `offset` is only read and written under `lock`; the file is rewritten
    // atomically (write to a temporary file, then rename).
    private let lock = NSLock()
    private let offsetFile: URL?

    /// A wall clock; with `offsetFile`, warps are read from and saved to that file.
    public init(offsetFile: URL? = nil) { self.offsetFile = offsetFile }

    /// The current warp offset in seconds.
    public var offset: UInt64 {
        lock.withLock { readOffset() }
    }

    private var memoryOffset: UInt64 = 0

    private func readOffset() -> UInt64 {
        guard let offsetFile else { return memoryOffset }
        guard let text = try? String(contentsOf: offsetFile, encoding: .utf8) else { return 0 }
        return UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// Wall time in seconds since 1970 plus the warp offset.
    public func now() -> UInt64 {
        let wall = UInt64(max(0, Date().timeIntervalSince1970))
        return wall &+ offset
    }

    /// Adds `seconds` to the warp offset (saved to the offset file when there is one).
    public func warp(by seconds: UInt64) throws(ChainError) {
        lock.lock()
        defer { lock.unlock() }
        let (o, overflow) = readOffset().addingReportingOverflow(seconds)
        guard !overflow else { throw ChainError.clock("warp of \(seconds) s overflows the clock") }
        guard let offsetFile else {
            memoryOffset = o
            return
        }
        do {
            try Data("\(o)\n".utf8).write(to: offsetFile, options: .atomic)
        } catch {
            throw ChainError.storage("cannot save the warp offset to \(offsetFile.path): \(error.localizedDescription)")
        }
    }
}
