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
/// A chunk that nobody will write again (an `ArraySlice` a transport handed over) can be queued
/// by reference instead (``submit(_:)-(ArraySlice<UInt8>)``): the hash holds it until it is
/// hashed, so the bytes are not copied at all.
///
/// `@unchecked Sendable`: `used`, `head`, `lengths`, `held`, `claimed`, `finished`, `digest`
/// and the two waiting flags are only touched with `condition` locked. A slot's bytes are
/// written by the submitting thread only while the slot is free (not counted in `used`) and
/// read by the hashing thread only while it is counted, so no slot is ever read and written at
/// once; `hasher` is only used by the hashing thread until it publishes `digest`.
final class PipelinedHasher: @unchecked Sendable {
    /// Slots in the ring.
    static let depth = 16
    /// Bytes per slot: the vault's chunk.
    static let slotBytes = VaultFileFormat.chunkBytes
    private let condition = NSCondition()
    private let ring: UnsafeMutableRawPointer
    private var lengths = [Int](repeating: 0, count: PipelinedHasher.depth)
    /// A slot's chunk when it was queued by reference (its ring bytes are then unused).
    private var held = [ArraySlice<UInt8>?](repeating: nil, count: PipelinedHasher.depth)
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
        while offset < bytes.count, let slot = claimSlot(), let base = bytes.baseAddress {
            let take = min(bytes.count - offset, Self.slotBytes)
            slot.baseAddress?.copyMemory(from: base + offset, byteCount: take)
            queueClaimedSlot(length: take)
            offset += take
        }
    }

    /// Queues `chunk` for hashing without copying it: the hashing thread keeps a reference
    /// until it has hashed the bytes (an array is immutable once shared, so nobody changes
    /// them meanwhile); waits while every slot is full.
    func submit(_ chunk: ArraySlice<UInt8>) {
        guard !chunk.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        if let slot = freeSlot() { queue(slot, length: chunk.count, holding: chunk) }
    }

    /// The slot handed out by ``claimSlot()`` and not yet queued.
    private var claimed: Int?

    /// A free slot for the caller to fill in place (waits while every slot is queued), or nil
    /// once the hash was finished or cancelled: the caller writes its plaintext there instead
    /// of into a buffer of its own, so ``queueClaimedSlot(length:)`` needs no copy at all.
    /// Claiming again before queueing hands out the same slot. One producer thread only.
    func claimSlot() -> UnsafeMutableRawBufferPointer? {
        condition.lock()
        defer { condition.unlock() }
        if claimed == nil { claimed = freeSlot() }
        return claimed.map { UnsafeMutableRawBufferPointer(start: ring + $0 * Self.slotBytes, count: Self.slotBytes) }
    }

    /// Queues the first `length` bytes of the slot from ``claimSlot()`` for hashing. The caller
    /// may go on reading them (to encrypt them, say), never writing, until it claims the next
    /// slot: the hashing thread only reads them too, and the slot is not handed out again
    /// before both are done.
    func queueClaimedSlot(length: Int) {
        condition.lock()
        defer { condition.unlock() }
        guard let slot = claimed else { return }
        claimed = nil
        if !finished { queue(slot, length: min(length, Self.slotBytes), holding: nil) }
    }

    /// With `condition` locked: the next free slot, waiting while every slot is queued; nil
    /// once the hash was finished or cancelled.
    private func freeSlot() -> Int? {
        while used == Self.depth && !finished {
            producerWaits = true
            condition.wait()
        }
        return finished ? nil : (head + used) % Self.depth
    }

    /// With `condition` locked: counts `slot` as queued (its ring bytes, or `chunk` when the
    /// chunk is held by reference) and wakes the hashing thread if it waits.
    private func queue(_ slot: Int, length: Int, holding chunk: ArraySlice<UInt8>?) {
        lengths[slot] = length
        held[slot] = chunk
        used += 1
        if consumerWaits {
            consumerWaits = false
            condition.broadcast()
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
            let chunk = held[slot]
            held[slot] = nil
            condition.unlock()
            // The slot is counted in `used`: the submitting thread does not write it until it is released below.
            if let chunk {
                chunk.withUnsafeBytes { hasher.update($0) }
            } else {
                hasher.update(UnsafeRawBufferPointer(start: ring + slot * Self.slotBytes, count: length))
            }
            condition.lock()
            head = (head + 1) % Self.depth
            used -= 1
            // A waiting submitter is woken once half the ring is free, not per slot: each wake-up
            // tends to queue it on this thread's core, behind the hash (a 1 GiB upload's hash
            // thread went from about 1,400 time slices to 700 with this).
            if producerWaits && used <= Self.depth / 2 {
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
