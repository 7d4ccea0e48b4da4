import Foundation
import LedgerCore
internal import SodiumSupport

/// Keccak-256 on a thread of its own, so a vault write or read hashes on one core while it
/// encrypts or decrypts on another: the caller hands over its plaintext chunks (``submit(_:)``)
/// and collects the digest at the end (``finish()``).
///
/// The chunks are copied into a ring of ``depth`` slots of ``slotBytes`` allocated once, so a
/// submit costs one copy into memory that is already mapped: no allocation per chunk (a fresh
/// 64 KiB array per chunk cost page faults and page clearing that showed in profiles at about a
/// tenth of the hashing itself). ``submit(_:)`` blocks while every slot is full, so the caller
/// never runs ahead of the hash by more than the ring, and the side that waits is woken only
/// when it actually waits.
///
/// `@unchecked Sendable`: `used`, `head`, `lengths`, `finished`, `digest` and the two waiting
/// flags are only touched with `condition` locked. A slot's bytes are written by the submitting
/// thread only while the slot is free (not counted in `used`) and read by the hashing thread
/// only while it is counted, so no slot is ever read and written at once; `hasher` is only used
/// by the hashing thread until it publishes `digest`.
final class PipelinedHasher: @unchecked Sendable {
    /// Slots in the ring.
    static let depth = 16
    /// Bytes per slot: the vault's chunk.
    static let slotBytes = VaultFileFormat.chunkBytes
    private let condition = NSCondition()
    private let ring: UnsafeMutableRawPointer
    private var lengths = [Int](repeating: 0, count: PipelinedHasher.depth)
    private var head = 0
    private var used = 0
    private var producerWaits = false
    private var consumerWaits = false
    private var finished = false
    private var cancelled = false
    private var digest: Hash32?
    private var hasher = Keccak256()

    /// Starts the hashing thread.
    init() {
        ring = .allocate(byteCount: Self.depth * Self.slotBytes, alignment: 64)
        ring.initializeMemory(as: UInt8.self, repeating: 0, count: Self.depth * Self.slotBytes)
        let thread = Thread { [self] in run() }
        thread.name = "datatrust.keccak"
        thread.start()
    }

    deinit {
        // Plaintext passed through the ring.
        SecureRandom.wipe(UnsafeMutableRawBufferPointer(start: ring, count: Self.depth * Self.slotBytes))
        ring.deallocate()
    }

    /// Queues a copy of `bytes` (at most ``slotBytes``; larger pieces are split) for hashing;
    /// waits while every slot is full.
    func submit(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let take = min(bytes.count - offset, Self.slotBytes)
            condition.lock()
            while used == Self.depth && !finished {
                producerWaits = true
                condition.wait()
            }
            if finished {
                condition.unlock()
                return
            }
            let slot = (head + used) % Self.depth
            condition.unlock()
            // The slot is free: only this thread writes it until it is counted below.
            if let base = bytes.baseAddress {
                (ring + slot * Self.slotBytes).copyMemory(from: base + offset, byteCount: take)
            }
            condition.lock()
            lengths[slot] = take
            used += 1
            if consumerWaits {
                consumerWaits = false
                condition.broadcast()
            }
            condition.unlock()
            offset += take
        }
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
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while used == 0 && !finished {
                consumerWaits = true
                condition.wait()
            }
            if cancelled {
                condition.unlock()
                return
            }
            if used == 0 {
                digest = hasher.finalize()
                condition.broadcast()
                condition.unlock()
                return
            }
            let slot = head
            let length = lengths[slot]
            condition.unlock()
            // The slot is counted in `used`: the submitting thread does not write it until it is released below.
            hasher.update(UnsafeRawBufferPointer(start: ring + slot * Self.slotBytes, count: length))
            condition.lock()
            head = (head + 1) % Self.depth
            used -= 1
            if producerWaits {
                producerWaits = false
                condition.broadcast()
            }
            condition.unlock()
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
