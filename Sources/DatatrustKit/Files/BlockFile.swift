import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Large files read and written in aligned 1 MiB blocks, with Linux's `O_DIRECT` where the file
/// system takes it (ext4 and XFS do, tmpfs does not): the blocks go between the process's buffer
/// and the device without a copy through the page cache.
///
/// A datapoint of gigabytes written or read once then neither evicts the machine's cache nor
/// allocates a page-cache page per 4 KiB. On virtual machines that hand free memory back to the
/// host (virtio free page reporting, as on this project's build machines) each such fresh page
/// costs a host fault: there, writing 4 GiB into fresh page cache took 7.3 s of system time,
/// against 0.9 s into pages freed a moment before, and the page-cache copy was a quarter of the
/// datatrust's CPU during a 1 GiB upload.
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
            // EINVAL: the file system does not take O_DIRECT. Any other failure repeats below.
            if errno != EINVAL { return (fd, false) }
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

/// Writes a file front to back: bytes are gathered into one aligned block and each full block
/// is written in one call, directly when the descriptor has `O_DIRECT`. ``finish()`` writes the
/// rest and leaves the descriptor without `O_DIRECT` (for a header rewritten in place, `fsync`,
/// `close`). Does not own the descriptor.
final class BlockWriter {
    let descriptor: Int32
    /// Whether the descriptor still has `O_DIRECT`.
    private(set) var direct: Bool
    private let buffer: UnsafeMutableRawBufferPointer
    private var filled = 0

    init(descriptor: Int32, direct: Bool) {
        self.descriptor = descriptor
        self.direct = direct
        buffer = .allocate(byteCount: BlockFile.blockBytes, alignment: BlockFile.alignment)
    }

    deinit { buffer.deallocate() }

    /// Gathers all of `bytes`, writing each block as it fills; errno's value on failure, else 0.
    func write(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let take = Swift.min(bytes.count - offset, BlockFile.blockBytes - filled)
            UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<(filled + take)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
            filled += take
            offset += take
            if filled == BlockFile.blockBytes {
                let failure = writeOut(UnsafeRawBufferPointer(buffer))
                guard failure == 0 else { return failure }
                filled = 0
            }
        }
        return 0
    }

    /// Writes what is gathered (its whole 4 KiB blocks directly, the rest through the page cache)
    /// and clears `O_DIRECT`; errno's value on failure, else 0.
    func finish() -> Int32 {
        let aligned = filled / BlockFile.alignment * BlockFile.alignment
        if aligned > 0 {
            let failure = writeOut(UnsafeRawBufferPointer(rebasing: buffer[0..<aligned]))
            guard failure == 0 else { return failure }
        }
        if direct {
            let failure = BlockFile.leaveDirect(descriptor)
            guard failure == 0 else { return failure }
            direct = false
        }
        let failure = writeOut(UnsafeRawBufferPointer(rebasing: buffer[aligned..<filled]))
        guard failure == 0 else { return failure }
        filled = 0
        return 0
    }

    /// Writes all of `bytes` at the current offset. A direct write the file system refuses
    /// (EINVAL) or leaves short is finished through the page cache.
    private func writeOut(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard let base = bytes.baseAddress else { return 0 }
        var written = 0
        while written < bytes.count {
            let count = systemWrite(descriptor, base + written, bytes.count - written)
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL, direct {
                    let failure = BlockFile.leaveDirect(descriptor)
                    guard failure == 0 else { return failure }
                    direct = false
                    continue
                }
                return errno
            }
            written += count
            if written < bytes.count, direct {
                // The offset is no longer aligned: go on through the page cache.
                let failure = BlockFile.leaveDirect(descriptor)
                guard failure == 0 else { return failure }
                direct = false
            }
        }
        return 0
    }
}

/// Reads a file front to back in aligned blocks and hands out exactly the bytes asked for.
/// With `O_DIRECT` the blocks are read ahead by a thread of their own (``BlockPrefetcher``),
/// since a direct read gets no read-ahead from the kernel and would otherwise leave the
/// caller waiting on the device for every block. Does not own the descriptor; ``stop()`` (or
/// releasing the reader) waits until the read-ahead thread no longer uses it, so the owner
/// closes it after that.
final class BlockReader {
    let descriptor: Int32
    private let prefetcher: BlockPrefetcher?
    /// The block being handed out, and how far.
    private var current = UnsafeRawBufferPointer(start: nil, count: 0)
    private var start = 0
    private var holdsSlot = false
    private var atEnd = false
    /// The buffer of a reader without read-ahead.
    private let buffer: UnsafeMutableRawBufferPointer?

    init(descriptor: Int32, direct: Bool) {
        self.descriptor = descriptor
        if direct {
            prefetcher = BlockPrefetcher(descriptor: descriptor)
            buffer = nil
        } else {
            prefetcher = nil
            buffer = .allocate(byteCount: BlockFile.blockBytes, alignment: BlockFile.alignment)
        }
    }

    deinit {
        stop()
        buffer?.deallocate()
    }

    /// Ends the read-ahead and waits until its thread no longer reads the descriptor.
    func stop() { prefetcher?.stop() }

    /// Fills `destination` from the file: the bytes read, fewer than asked only at the end of
    /// the file; -1 with errno set on failure.
    func read(into destination: UnsafeMutableRawBufferPointer) -> Int {
        var done = 0
        while done < destination.count {
            if start == current.count {
                if atEnd { break }
                guard next() else { return -1 }
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

    /// Moves to the next block (empty at the end of the file); false with errno set on failure.
    private func next() -> Bool {
        start = 0
        if let prefetcher {
            if holdsSlot { prefetcher.release() }
            switch prefetcher.take() {
            case .block(let block):
                current = block
                holdsSlot = true
            case .end:
                (current, holdsSlot, atEnd) = (UnsafeRawBufferPointer(start: nil, count: 0), false, true)
            case .failed(let code):
                holdsSlot = false
                errno = code
                return false
            }
            return true
        }
        guard let buffer, let base = buffer.baseAddress else { return false }
        while true {
            let count = systemRead(descriptor, base, BlockFile.blockBytes)
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            current = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            // Through the page cache only a read of 0 bytes is the end of the file.
            if count == 0 { atEnd = true }
            return true
        }
    }
}

/// Reads blocks of a descriptor with `O_DIRECT` on a thread of its own, up to ``depth`` blocks
/// ahead of the consumer, into aligned buffers allocated once.
///
/// `@unchecked Sendable`: `lengths`, `head`, `used`, `outcome`, `stopping` and `running` are
/// only touched with `condition` locked. A slot's buffer is written by the thread only while
/// it is not counted in `used`, and read by the consumer only while it is, between ``take()``
/// and ``release()``.
final class BlockPrefetcher: @unchecked Sendable {
    /// Blocks read ahead at most.
    static let depth = 4
    private let descriptor: Int32
    private let condition = NSCondition()
    private let buffers: UnsafeMutableRawBufferPointer
    private var lengths = [Int](repeating: 0, count: BlockPrefetcher.depth)
    private var head = 0
    private var used = 0
    /// Set once the thread stopped reading: at the end of the file (nil) or on an errno.
    private var outcome: Int32??
    private var stopping = false
    private var running = true

    /// What ``take()`` found.
    enum Next {
        /// The next block; valid until ``release()``.
        case block(UnsafeRawBufferPointer)
        /// The file ended.
        case end
        /// A read failed with this errno.
        case failed(Int32)
    }

    init(descriptor: Int32) {
        self.descriptor = descriptor
        buffers = .allocate(byteCount: Self.depth * BlockFile.blockBytes, alignment: BlockFile.alignment)
        let thread = Thread { [self] in run() }
        thread.name = "datatrust.read-ahead"
        thread.start()
    }

    deinit { buffers.deallocate() }

    /// The next block, waiting for it if the thread has not read it yet.
    func take() -> Next {
        condition.lock()
        defer { condition.unlock() }
        while used == 0 && outcome == nil { condition.wait() }
        if used > 0 {
            let slot = UnsafeMutableRawBufferPointer(rebasing: buffers[(head * BlockFile.blockBytes)...])
            return .block(UnsafeRawBufferPointer(rebasing: slot[0..<lengths[head]]))
        }
        if case .some(.some(let code)) = outcome { return .failed(code) }
        return .end
    }

    /// Hands the block last taken back for reading into.
    func release() {
        condition.lock()
        head = (head + 1) % Self.depth
        used -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Asks the thread to stop and waits until it no longer reads the descriptor.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func run() {
        var direct = true
        var result: Int32? = nil
        reading: while true {
            condition.lock()
            while used == Self.depth && !stopping { condition.wait() }
            if stopping {
                condition.unlock()
                break
            }
            let slot = (head + used) % Self.depth
            condition.unlock()
            guard let base = buffers.baseAddress else { break }
            var count = 0
            while true {
                count = systemRead(descriptor, base + slot * BlockFile.blockBytes, BlockFile.blockBytes)
                if count >= 0 { break }
                if errno == EINTR { continue }
                if errno == EINVAL, direct, BlockFile.leaveDirect(descriptor) == 0 {
                    direct = false
                    continue
                }
                result = errno
                break reading
            }
            condition.lock()
            if count > 0 {
                lengths[slot] = count
                used += 1
                condition.broadcast()
            }
            condition.unlock()
            // A short direct read is the end of the file (and leaves the offset unaligned);
            // through the page cache only a read of 0 bytes is.
            if count == 0 || (direct && count < BlockFile.blockBytes) { break }
        }
        condition.lock()
        outcome = .some(result)
        running = false
        condition.broadcast()
        condition.unlock()
    }
}

// The system calls under names the types' own methods do not shadow.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
