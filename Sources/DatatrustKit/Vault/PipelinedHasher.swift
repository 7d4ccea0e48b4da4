import Foundation
import LedgerCore
internal import SodiumSupport

/// Keccak-256 on a thread of its own, so a vault write or read hashes on one core while it
/// encrypts or decrypts on another: the caller hands over its plaintext chunks (``submit(_:)``)
/// and collects the digest at the end (``finish()``).
///
/// The chunks are copied into a ring of ``depth`` slots of ``slotBytes``, allocated at the
/// first copy and reused, so a submit costs one copy into memory that is already mapped: no
/// allocation per chunk (a fresh 64 KiB array per chunk cost page faults and page clearing
/// that showed in profiles at about a tenth of the hashing itself). ``submit(_:)`` blocks
/// while the ring is full, so the caller never runs ahead of the hash by more than the ring,
/// and the side that waits is woken only when it actually waits. An async caller asks for room
/// first (``room(copies:held:)``) and is suspended instead, so no thread of the cooperative
/// pool is held while the hash catches up.
///
/// A chunk that nobody will write again (an `ArraySlice` a transport handed over) can be queued
/// by reference instead (``submit(_:)-(ArraySlice<UInt8>)``): the hash holds it until it is
/// hashed, so the bytes are not copied at all; up to ``heldBytesLimit`` bytes are held so.
///
/// The queue is deep (4 MiB of copies and 4 MiB held, each about 9 ms of Keccak here): the
/// hash keeps its core busy only while its feeder, sharing the other core with a transport's
/// threads, never falls further behind than the queue holds, and a 1 MiB queue (16 slots)
/// covered only 3 ms. Deeper still (8 MiB held) measured no better within the noise, and
/// held chunks are heap memory that glibc hands back and faults in again.
///
/// `@unchecked Sendable`: the queue (`entries`, `first`, `count`), the ring's bookkeeping
/// (`slotsUsed`, `nextSlot`, `ring`), `heldBytes`, `claimed`, `finished`, `cancelled`, `digest`,
/// `roomWaiter`, the two waiting flags and the two wait counts are only touched with `condition`
/// locked (tests read the counts after ``finish()``, which locks it). A slot's bytes are written by
/// the submitting thread only while the slot is free (not counted in `slotsUsed`) and read by
/// the hashing thread only while it is counted, so no slot is ever read and written at once;
/// `hasher` is only used by the hashing thread until it publishes `digest`.
final class PipelinedHasher: @unchecked Sendable {
    /// Slots in the ring of copies.
    static let depth = 64
    /// Bytes per slot: the vault's chunk.
    static let slotBytes = VaultFileFormat.chunkBytes
    /// The most bytes queued by reference at once (more wait, unless nothing is held).
    static let heldBytesLimit = 4 << 20
    /// The most chunks queued at once, copies and references together.
    static let queueLimit = 256

    /// A queued chunk: the first `length` bytes of a ring slot, or a chunk held by reference.
    private enum Entry {
        case slot(index: Int, length: Int)
        case held(ArraySlice<UInt8>)
    }

    private let condition = NSCondition()
    /// The ring of copies, allocated at the first copy or claim.
    private var ring: UnsafeMutableRawPointer?
    private var entries = [Entry?](repeating: nil, count: PipelinedHasher.queueLimit)
    private var first = 0
    private var count = 0
    /// Ring slots counted by queued entries (slots are taken and freed in queue order).
    private var slotsUsed = 0
    private var nextSlot = 0
    private var heldBytes = 0
    private var producerWaits = false
    private var consumerWaits = false
    private var finished = false
    private var cancelled = false
    private var digest: Hash32?
    private var hasher = Keccak256()
    /// The task suspended in ``room(copies:held:)``, resumed once half the queue is free.
    private var roomWaiter: CheckedContinuation<Void, Never>?
    /// Times a submit or claim blocked its thread, and times ``room(copies:held:)`` suspended
    /// (for tests: a caller that asks for room first never blocks).
    private(set) var blockedWaits = 0
    private(set) var suspendedWaits = 0

    /// Starts the hashing thread.
    init() {
        let thread = Thread { [self] in run() }
        thread.start()
    }

    deinit {
        guard let ring else { return }
        // Plaintext passed through the ring.
        SecureRandom.wipe(UnsafeMutableRawBufferPointer(start: ring, count: Self.depth * Self.slotBytes))
        ring.deallocate()
    }

    /// Queues a copy of `bytes` (at most ``slotBytes``; larger pieces are split) for hashing;
    /// waits while the ring is full.
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
    /// them meanwhile); waits while ``heldBytesLimit`` bytes are held already.
    func submit(_ chunk: ArraySlice<UInt8>) {
        guard !chunk.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        while !finished && !fits(copies: 0, held: chunk.count) { waitForRoom() }
        guard !finished else { return }
        heldBytes += chunk.count
        enqueue(.held(chunk))
    }

    /// The slot handed out by ``claimSlot()`` and not yet queued.
    private var claimed: Int?

    /// A free slot for the caller to fill in place (waits while the ring is full), or nil
    /// once the hash was finished or cancelled: the caller writes its plaintext there instead
    /// of into a buffer of its own, so ``queueClaimedSlot(length:)`` needs no copy at all.
    /// Claiming again before queueing hands out the same slot. One producer thread only.
    func claimSlot() -> UnsafeMutableRawBufferPointer? {
        condition.lock()
        defer { condition.unlock() }
        if claimed == nil {
            while !finished && !fits(copies: 1, held: 0) { waitForRoom() }
            guard !finished else { return nil }
            if ring == nil {
                let fresh = UnsafeMutableRawPointer.allocate(byteCount: Self.depth * Self.slotBytes, alignment: 64)
                fresh.initializeMemory(as: UInt8.self, repeating: 0, count: Self.depth * Self.slotBytes)
                ring = fresh
            }
            claimed = nextSlot
        }
        guard let ring, let claimed else { return nil }
        return UnsafeMutableRawBufferPointer(start: ring + claimed * Self.slotBytes, count: Self.slotBytes)
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
        guard !finished else { return }
        nextSlot = (slot + 1) % Self.depth
        slotsUsed += 1
        enqueue(.slot(index: slot, length: min(length, Self.slotBytes)))
    }

    /// With `condition` locked: waits until the hashing thread has made room.
    private func waitForRoom() {
        producerWaits = true
        blockedWaits += 1
        condition.wait()
    }

    /// Suspends, without holding a thread, until `copies` more copy slots and `held` more bytes
    /// held by reference fit in the queue (each counted up to about half of its limit), so that the
    /// submits or claims that follow do not block: an async caller (a request handler, a
    /// download loop on the cooperative pool) asks for room here first, and the pool's threads
    /// stay free for other tasks while the hash catches up. Returns at once when the room is
    /// there or the hash was finished or cancelled. One producer only, as for submits.
    func room(copies: Int = 0, held: Int = 0) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            // At most what is free once the hash wakes a waiting producer (half of each limit).
            guard !fits(copies: min(copies, Self.depth / 2 - 1), held: min(held, Self.heldBytesLimit / 2)) && !finished else {
                condition.unlock()
                continuation.resume()
                return
            }
            roomWaiter = continuation
            producerWaits = true
            suspendedWaits += 1
            condition.unlock()
        }
    }

    /// With `condition` locked: whether `copies` more ring slots (one queue entry each, or one
    /// entry when none) and `held` more bytes held by reference fit (a slot claimed and not yet
    /// queued counts as taken; a chunk of any size is held when nothing else is).
    private func fits(copies: Int, held: Int) -> Bool {
        count + max(copies, 1) <= Self.queueLimit && slotsUsed + (claimed == nil ? 0 : 1) + copies <= Self.depth
            && (held == 0 || heldBytes == 0 || heldBytes + held <= Self.heldBytesLimit)
    }

    /// With `condition` locked: wakes a blocked submitter and takes the suspended one, whom the
    /// caller resumes once it has unlocked.
    private func wakeProducer() -> CheckedContinuation<Void, Never>? {
        producerWaits = false
        condition.broadcast()
        defer { roomWaiter = nil }
        return roomWaiter
    }

    /// With `condition` locked: appends `entry` to the queue (the caller checked there is
    /// room) and wakes the hashing thread if it waits.
    private func enqueue(_ entry: Entry) {
        entries[(first + count) % Self.queueLimit] = entry
        count += 1
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
        let waiter = wakeProducer()
        condition.unlock()
        waiter?.resume()
    }

    private func run() {
        // Named from inside: Linux shows a thread's name only when the thread sets it itself.
        Thread.current.name = "datatrust.hash"
        while true {
            condition.lock()
            while count == 0 && !finished {
                consumerWaits = true
                condition.wait()
            }
            if cancelled {
                condition.unlock()
                return
            }
            guard count > 0, let entry = entries[first] else {
                digest = hasher.finalize()
                condition.broadcast()
                condition.unlock()
                return
            }
            entries[first] = nil
            condition.unlock()
            // A slot stays counted in `slotsUsed` until it is released below, so the submitting
            // thread does not write it meanwhile.
            switch entry {
            case .slot(let index, let length):
                if let ring { hasher.update(UnsafeRawBufferPointer(start: ring + index * Self.slotBytes, count: length)) }
            case .held(let chunk):
                chunk.withUnsafeBytes { hasher.update($0) }
            }
            condition.lock()
            first = (first + 1) % Self.queueLimit
            count -= 1
            switch entry {
            case .slot: slotsUsed -= 1
            case .held(let chunk): heldBytes -= chunk.count
            }
            // A waiting submitter is woken once half of every limit is free, not per chunk: each
            // wake-up tends to queue it on this thread's core, behind the hash (a 1 GiB upload's
            // hash thread went from about 1,400 time slices to 700 with this).
            var waiter: CheckedContinuation<Void, Never>?
            if producerWaits && count <= Self.queueLimit / 2 && slotsUsed <= Self.depth / 2 && heldBytes <= Self.heldBytesLimit / 2 {
                waiter = wakeProducer()
            }
            condition.unlock()
            waiter?.resume()
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
