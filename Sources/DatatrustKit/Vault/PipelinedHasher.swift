import Foundation
import LedgerCore

/// Keccak-256 on a thread of its own, so a vault write or read hashes on one core while it
/// encrypts or decrypts on another: the caller hands over copies of its plaintext chunks
/// (``submit(_:)``) and collects the digest at the end (``finish()``).
///
/// At most ``depth`` chunks wait in the queue; ``submit(_:)`` blocks while it is full, so memory
/// stays at `depth` chunks whatever the data's size, and the caller never runs ahead of the
/// hash by more than that.
///
/// `@unchecked Sendable`: `queue`, `finished` and `digest` are only touched with `condition`
/// locked; `hasher` only by the hashing thread until it publishes `digest`.
final class PipelinedHasher: @unchecked Sendable {
    /// Chunks allowed to wait for the hashing thread.
    static let depth = 8
    private let condition = NSCondition()
    private var queue: [[UInt8]] = []
    private var head = 0
    private var finished = false
    private var digest: Hash32?
    private var hasher = Keccak256()

    /// Starts the hashing thread.
    init() {
        let thread = Thread { [self] in run() }
        thread.name = "datatrust.keccak"
        thread.start()
    }

    /// Queues a copy of `bytes` for hashing; waits while ``depth`` chunks are queued.
    func submit(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        let chunk = [UInt8](bytes)
        condition.lock()
        while queue.count - head >= Self.depth { condition.wait() }
        queue.append(chunk)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for every queued chunk to be hashed; the digest of everything submitted.
    func finish() -> Hash32 {
        condition.lock()
        defer { condition.unlock() }
        finished = true
        condition.broadcast()
        while digest == nil { condition.wait() }
        return digest ?? Keccak256().finalize()
    }

    /// Ends the thread without a digest (an abandoned write or read).
    func cancel() {
        condition.lock()
        finished = true
        queue.removeAll()
        head = 0
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while head == queue.count && !finished { condition.wait() }
            if head == queue.count {
                digest = hasher.finalize()
                condition.broadcast()
                condition.unlock()
                return
            }
            let chunk = queue[head]
            head += 1
            if head >= 64 {
                queue.removeFirst(head)
                head = 0
            }
            condition.broadcast()
            condition.unlock()
            chunk.withUnsafeBytes { hasher.update($0) }
        }
    }
}

/// Keccak-256 of a stream of chunks: the first chunk that is not the last starts a
/// ``PipelinedHasher``, so a datapoint of one chunk is hashed inline (no thread) and a larger
/// one on a second core.
struct ChunkHasher {
    private var inline = Keccak256()
    private var pipeline: PipelinedHasher?

    /// Adds the next chunk; `final` when no chunk follows.
    mutating func add(_ bytes: UnsafeRawBufferPointer, final: Bool) {
        if pipeline == nil, !final { pipeline = PipelinedHasher() }
        if let pipeline { pipeline.submit(bytes) } else { inline.update(bytes) }
    }

    /// The digest of every chunk added.
    mutating func finish() -> Hash32 {
        if let pipeline {
            self.pipeline = nil
            return pipeline.finish()
        }
        return inline.finalize()
    }

    /// Stops the hashing thread of an abandoned stream.
    func cancel() { pipeline?.cancel() }
}
