import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Large files read and written in aligned 1 MiB blocks, with Linux's `O_DIRECT` where the file
/// system takes it (ext4 and XFS do; so does tmpfs on this machine's kernel; a file system that
/// refuses it at open, or refuses a write, gets ordinary I/O): the blocks go between the
/// process's buffer and the device without a copy through the page cache.
///
/// A datapoint of gigabytes written or read once then neither evicts the machine's cache nor
/// allocates a page-cache page per 4 KiB. On virtual machines that hand free memory back to the
/// host (virtio free page reporting, as on this project's build machines) each such fresh page
/// costs a host fault: there, writing 4 GiB in 64 KiB writes into fresh page cache took 7.4 s of
/// system time, against 1.1 s into pages freed a moment before (`scripts/measure-write-costs.sh`),
/// and the page-cache copy was a quarter of the datatrust's CPU during a 1 GiB upload
/// (`scripts/profile-large-add.sh`).
enum BlockFile {
    /// Bytes per block: a multiple of every alignment `O_DIRECT` asks for.
    static let blockBytes = 1 << 20
    /// The alignment of the buffers, of every direct transfer's length and of its file offset.
    static let alignment = 4096

    /// Linux's `O_DIRECT`, which Swift's Glibc module does not export (its value differs by
    /// architecture, <asm/fcntl.h>); nil elsewhere, where files go through the page cache.
    static var directFlag: Int32? {
        #if os(Linux) && arch(x86_64)
        0o40000
        #elseif os(Linux) && (arch(arm64) || arch(arm))
        0o200000
        #else
        nil
        #endif
    }

    /// Opens `path` with `flags` plus `O_DIRECT` when `direct` is asked and the file system takes
    /// it, else with `flags` alone: the descriptor (-1 with errno set on failure) and whether it is direct.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600, direct: Bool = true) -> (descriptor: Int32, direct: Bool) {
        if direct, let flag = directFlag {
            let fd = systemOpen(path, flags | flag, mode)
            if fd >= 0 { return (fd, true) }
            if errno != EINVAL { return (fd, false) }
            // EINVAL: the file system does not take O_DIRECT. Linux checks that after creating
            // the file, so with O_CREAT | O_EXCL the file is this call's own by now: open it
            // without O_EXCL (a file that existed before would have failed with EEXIST).
            return (systemOpen(path, flags & ~O_EXCL, mode), false)
        }
        return (systemOpen(path, flags, mode), false)
    }

    /// Sets `O_DIRECT` on `descriptor` if the file system takes it: whether it is set now.
    static func enterDirect(_ descriptor: Int32) -> Bool {
        guard let flag = directFlag else { return false }
        let flags = fcntl(descriptor, F_GETFL)
        return flags >= 0 && fcntl(descriptor, F_SETFL, flags | flag) == 0
    }

    /// Clears `O_DIRECT` on `descriptor`; errno's value on failure, else 0.
    static func leaveDirect(_ descriptor: Int32) -> Int32 {
        guard let flag = directFlag else { return 0 }
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags & ~flag) == 0 else { return errno }
        return 0
    }
}

/// Writes a file front to back: bytes are gathered into aligned 1 MiB blocks and each full
/// block is written in one call. With `O_DIRECT` a thread of its own writes the blocks behind
/// the caller (up to ``BlockRing/depth`` of them), since a direct write waits for the device:
/// done inline, those waits cost a 1 GiB upload 0.8 s of its receiving thread's time.
/// ``finish()`` writes the rest and leaves the descriptor without `O_DIRECT` (for a header
/// rewritten in place, `fsync`, `close`). Does not own the descriptor: an owner that closes it
/// without ``finish()`` calls ``abandon()`` first.
final class BlockWriter {
    let descriptor: Int32
    /// Whether the descriptor may still have `O_DIRECT` (false after ``finish()``).
    private(set) var direct: Bool
    /// The blocks written behind the caller (direct), started by the first full block.
    private var ring: BlockRing?
    /// The block being gathered: a claimed slot of `ring`, or `own`.
    private var current: UnsafeMutableRawBufferPointer
    private var slot: Int?
    private let own: UnsafeMutableRawBufferPointer
    private var filled = 0

    init(descriptor: Int32, direct: Bool) {
        self.descriptor = descriptor
        self.direct = direct
        own = .allocate(byteCount: BlockFile.blockBytes, alignment: BlockFile.alignment)
        current = own
    }

    deinit {
        abandon()
        own.deallocate()
    }

    /// Stops writing behind without writing what is left, and waits until the thread no longer
    /// uses the descriptor: for an owner that closes the descriptor of an abandoned file.
    func abandon() { ring?.stopAndAwaitThread() }

    /// Gathers all of `bytes`, handing on each block as it fills; errno's value on failure
    /// (of this write or of an earlier block written behind), else 0.
    func write(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let take = Swift.min(bytes.count - offset, BlockFile.blockBytes - filled)
            UnsafeMutableRawBufferPointer(rebasing: current[filled..<(filled + take)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
            filled += take
            offset += take
            if filled == BlockFile.blockBytes {
                let failure = handOn()
                guard failure == 0 else { return failure }
            }
        }
        return 0
    }

    /// Writes the full block gathered: behind the caller when direct, else now.
    private func handOn() -> Int32 {
        guard direct else {
            let failure = writeOut(descriptor, UnsafeRawBufferPointer(current), direct: &direct)
            filled = 0
            return failure
        }
        let ring = self.ring ?? startRing()
        guard let slot else { return ring.failure == 0 ? EIO : ring.failure }
        ring.publish(slot, length: filled)
        filled = 0
        guard let next = ring.claim() else {
            self.slot = nil
            return ring.failure == 0 ? EIO : ring.failure
        }
        self.slot = next
        current = ring.block(next)
        return 0
    }

    private func startRing() -> BlockRing {
        let ring = BlockRing()
        self.ring = ring
        // The first block was gathered in `own`: it goes into a slot like the others.
        if let first = ring.claim() {
            ring.block(first).copyMemory(from: UnsafeRawBufferPointer(own))
            slot = first
        }
        let fd = descriptor
        let thread = Thread {
            // Named from inside: Linux shows a thread's name only when the thread sets it itself.
            Thread.current.name = "datatrust.write"
            var direct = true
            while let (slot, length) = ring.take() {
                let failure = writeOut(fd, UnsafeRawBufferPointer(rebasing: ring.block(slot)[0..<length]), direct: &direct)
                guard failure == 0 else {
                    ring.stop(failure: failure)
                    break
                }
                ring.release()
            }
            ring.threadFinished()
        }
        thread.start()
        return ring
    }

    /// Writes what is gathered (its whole 4 KiB blocks directly, the rest through the page
    /// cache), waits for the blocks written behind, and clears `O_DIRECT`; errno's value on
    /// failure, else 0.
    func finish() -> Int32 {
        let aligned = direct ? filled / BlockFile.alignment * BlockFile.alignment : 0
        if let ring {
            if let slot, aligned > 0 { ring.publish(slot, length: aligned) } else if let slot { ring.drop(slot) }
            slot = nil
            ring.close()
            ring.awaitThread()
            guard ring.failure == 0 else { return ring.failure }
        } else if aligned > 0 {
            let failure = writeOut(descriptor, UnsafeRawBufferPointer(rebasing: current[0..<aligned]), direct: &direct)
            guard failure == 0 else { return failure }
        }
        if direct {
            let failure = BlockFile.leaveDirect(descriptor)
            guard failure == 0 else { return failure }
            direct = false
        }
        var buffered = false
        let failure = writeOut(descriptor, UnsafeRawBufferPointer(rebasing: current[aligned..<filled]), direct: &buffered)
        guard failure == 0 else { return failure }
        filled = 0
        return 0
    }
}

/// A file's failed system call: which call, on which path, and errno's value.
struct BlockFileFailure: Error {
    let path: String
    let call: String
    let code: Int32

    /// "call: reason", for an error's detail.
    var detail: String { "\(call): \(String(cString: strerror(code)))" }
}

/// A new file written front to back through a ``BlockWriter`` (straight to the device where the
/// file system takes `O_DIRECT`) under a temporary name beside its destination, `.NAME.RANDOM.part`,
/// and renamed over the destination by ``commit()``, in one step: the destination holds either
/// what it held before or all of the new file, never a part. Released without ``commit()``,
/// the temporary file is removed.
final class StagedBlockFile {
    /// Where the file goes on ``commit()``.
    let destination: String
    /// The temporary name the file is written under, in the destination's folder.
    let stagedPath: String
    private var descriptor: Int32
    private let blocks: BlockWriter
    private var committed = false

    /// Creates the temporary file, mode 0600: a datapoint may be private, so only its owner reads it.
    init(destination: String) throws(BlockFileFailure) {
        self.destination = destination
        let url = URL(fileURLWithPath: destination)
        stagedPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).part").path
        let (fd, direct) = BlockFile.open(stagedPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)
        guard fd >= 0 else { throw BlockFileFailure(path: stagedPath, call: "open", code: errno) }
        descriptor = fd
        blocks = BlockWriter(descriptor: fd, direct: direct)
    }

    deinit {
        blocks.abandon()  // the write-behind thread is done with the descriptor before it is closed
        if descriptor >= 0 { _ = systemClose(descriptor) }
        if !committed { _ = unlink(stagedPath) }
    }

    /// Writes all of `bytes` (gathered into blocks).
    func write(_ bytes: UnsafeRawBufferPointer) throws(BlockFileFailure) {
        let failure = blocks.write(bytes)
        guard failure == 0 else { throw BlockFileFailure(path: stagedPath, call: "write", code: failure) }
    }

    /// Writes all of `chunk` (a transport's piece, say).
    func write(_ chunk: ArraySlice<UInt8>) throws(BlockFileFailure) {
        let failure = chunk.withUnsafeBytes { blocks.write($0) }
        guard failure == 0 else { throw BlockFileFailure(path: stagedPath, call: "write", code: failure) }
    }

    /// Writes what is gathered, closes the file and renames it over ``destination``.
    func commit() throws(BlockFileFailure) {
        guard descriptor >= 0 else { throw BlockFileFailure(path: stagedPath, call: "close", code: EBADF) }
        let failure = blocks.finish()
        let closed = systemClose(descriptor)
        let closeFailure = errno
        descriptor = -1
        guard failure == 0 else { throw BlockFileFailure(path: stagedPath, call: "write", code: failure) }
        guard closed == 0 else { throw BlockFileFailure(path: stagedPath, call: "close", code: closeFailure) }
        guard rename(stagedPath, destination) == 0 else { throw BlockFileFailure(path: destination, call: "rename", code: errno) }
        committed = true
    }
}

/// Writes all of `bytes` at `fd`'s offset; errno's value on failure, else 0. A direct write the
/// file system refuses (EINVAL) or leaves short is finished through the page cache, and
/// `direct` is cleared.
private func writeOut(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, direct: inout Bool) -> Int32 {
    guard let base = bytes.baseAddress else { return 0 }
    var written = 0
    while written < bytes.count {
        let count = systemWrite(fd, base + written, bytes.count - written)
        if count < 0 {
            if errno == EINTR { continue }
            if errno == EINVAL, direct {
                let failure = BlockFile.leaveDirect(fd)
                guard failure == 0 else { return failure }
                direct = false
                continue
            }
            return errno
        }
        written += count
        if written < bytes.count, direct {
            // The offset is no longer aligned: go on through the page cache.
            let failure = BlockFile.leaveDirect(fd)
            guard failure == 0 else { return failure }
            direct = false
        }
    }
    return 0
}

/// Reads a file front to back and hands out exactly the bytes asked for. With `O_DIRECT` a
/// thread of its own reads aligned blocks up to ``BlockRing/depth`` ahead, since a direct read
/// gets no read-ahead from the kernel and would otherwise leave the caller waiting on the
/// device for every block; without it, reads go straight into the caller's buffer (the kernel
/// reads ahead). Does not own the descriptor; ``stop()`` (or releasing the
/// reader) waits until the read-ahead thread no longer uses it, so the owner closes it after.
final class BlockReader {
    let descriptor: Int32
    private let ring: BlockRing?
    /// The block being handed out, and how far.
    private var current = UnsafeRawBufferPointer(start: nil, count: 0)
    private var start = 0
    private var holdsSlot = false
    private var atEnd = false

    init(descriptor: Int32, direct: Bool) {
        self.descriptor = descriptor
        guard direct else {
            ring = nil
            return
        }
        let ring = BlockRing()
        self.ring = ring
        let thread = Thread {
            Thread.current.name = "datatrust.read"
            var direct = true
            reading: while let slot = ring.claim() {
                guard let base = ring.block(slot).baseAddress else { break }
                var count = 0
                while true {
                    count = systemRead(descriptor, base, BlockFile.blockBytes)
                    if count >= 0 { break }
                    if errno == EINTR { continue }
                    if errno == EINVAL, direct, BlockFile.leaveDirect(descriptor) == 0 {
                        direct = false
                        continue
                    }
                    ring.close(failure: errno)
                    break reading
                }
                if count > 0 { ring.publish(slot, length: count) } else { ring.drop(slot) }
                // A short direct read is the end of the file (and leaves the offset unaligned);
                // through the page cache only a read of 0 bytes is.
                if count == 0 || (direct && count < BlockFile.blockBytes) {
                    ring.close()
                    break
                }
            }
            ring.threadFinished()
        }
        thread.start()
    }

    deinit { stop() }

    /// Ends the read-ahead and waits until its thread no longer reads the descriptor.
    func stop() { ring?.stopAndAwaitThread() }

    /// Fills `destination` from the file: the bytes read, fewer than asked only at the end of
    /// the file; -1 with errno set on failure.
    func read(into destination: UnsafeMutableRawBufferPointer) -> Int {
        guard let ring else { return POSIX.readFully(descriptor, destination) }
        var done = 0
        while done < destination.count {
            if start == current.count {
                if atEnd { break }
                guard next(ring) else { return -1 }
                if current.isEmpty { break }
            }
            let take = Swift.min(destination.count - done, current.count - start)
            UnsafeMutableRawBufferPointer(rebasing: destination[done..<(done + take)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: current[start..<(start + take)]))
            start += take
            done += take
        }
        return done
    }

    /// Moves to the ring's next block (empty at the end of the file); false with errno set on failure.
    private func next(_ ring: BlockRing) -> Bool {
        start = 0
        if holdsSlot { ring.release() }
        holdsSlot = false
        if let (slot, length) = ring.take() {
            current = UnsafeRawBufferPointer(rebasing: ring.block(slot)[0..<length])
            holdsSlot = true
            return true
        }
        guard ring.failure == 0 else {
            errno = ring.failure
            return false
        }
        (current, atEnd) = (UnsafeRawBufferPointer(start: nil, count: 0), true)
        return true
    }
}

/// ``depth`` aligned blocks handed in order from one producer to one consumer, one of them a
/// thread of its own (the read-ahead of ``BlockReader``, the write-behind of ``BlockWriter``),
/// allocated once.
///
/// `@unchecked Sendable`: `lengths`, `head`, `used`, `closed`, `stopped`, `failureCode` and
/// `running` are only touched with `condition` locked. A slot's bytes are written by the
/// producer only between ``claim()`` and ``publish(_:length:)`` (while it is not counted in
/// `used`), and read by the consumer only between ``take()`` and ``release()``.
final class BlockRing: @unchecked Sendable {
    /// Blocks in the ring.
    static let depth = 4
    private let buffers: UnsafeMutableRawBufferPointer
    private let condition = NSCondition()
    private var lengths = [Int](repeating: 0, count: BlockRing.depth)
    private var head = 0
    private var used = 0
    /// Slots claimed and not yet published or dropped (the producer holds at most one).
    private var claimed = 0
    /// The producer has no more blocks.
    private var closed = false
    /// The consumer gave up: the producer stops.
    private var stopped = false
    private var failureCode: Int32 = 0
    private var running = true

    init() {
        buffers = .allocate(byteCount: Self.depth * BlockFile.blockBytes, alignment: BlockFile.alignment)
    }

    deinit { buffers.deallocate() }

    /// The bytes of `slot`.
    func block(_ slot: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: buffers[(slot * BlockFile.blockBytes)..<((slot + 1) * BlockFile.blockBytes)])
    }

    /// The errno either side reported, or 0.
    var failure: Int32 { condition.withLock { failureCode } }

    /// Producer: the next slot to fill, waiting while every slot is full; nil once stopped.
    func claim() -> Int? {
        condition.withLock {
            while used + claimed == Self.depth && !stopped { condition.wait() }
            guard !stopped else { return nil }
            claimed += 1
            return (head + used) % Self.depth
        }
    }

    /// Producer: the claimed `slot` holds `length` bytes for the consumer.
    func publish(_ slot: Int, length: Int) {
        signalling {
            lengths[slot] = length
            claimed -= 1
            used += 1
        }
    }

    /// Producer: the claimed slot goes back unused.
    func drop(_ slot: Int) { signalling { claimed -= 1 } }

    /// Producer: no more blocks (a read failed when `failure` is not 0).
    func close(failure: Int32 = 0) {
        signalling {
            closed = true
            if failureCode == 0 { failureCode = failure }
        }
    }

    /// Consumer: the next block, waiting for it; nil at the end (closed, or stopped).
    func take() -> (slot: Int, length: Int)? {
        condition.withLock {
            while used == 0 && !closed && !stopped { condition.wait() }
            guard used > 0, !stopped else { return nil }
            return (head, lengths[head])
        }
    }

    /// Consumer: the block last taken is done with.
    func release() {
        signalling {
            head = (head + 1) % Self.depth
            used -= 1
        }
    }

    /// Either side: give up (a write failed when `failure` is not 0); the other side stops.
    func stop(failure: Int32 = 0) {
        signalling {
            stopped = true
            if failureCode == 0 { failureCode = failure }
        }
    }

    /// The ring's thread: it has ended and no longer touches the descriptor.
    func threadFinished() { signalling { running = false } }

    /// Gives up (``stop(failure:)``) and waits until the ring's thread has ended.
    func stopAndAwaitThread() {
        stop()
        awaitThread()
    }

    /// Makes `change` with `condition` locked and wakes whoever waits on it.
    private func signalling(_ change: () -> Void) {
        condition.withLock {
            change()
            condition.broadcast()
        }
    }

    /// Waits until the ring's thread has ended.
    func awaitThread() {
        condition.withLock { while running { condition.wait() } }
    }
}

// The system calls under names the types' own methods do not shadow.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
