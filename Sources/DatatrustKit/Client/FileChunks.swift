#if canImport(Glibc)
import Glibc
import CDispatch  // with CoreFoundation: the clang modules struct stat's members are attributed to
import CoreFoundation  // (MemberImportVisibility), whichever the build loads first
#elseif canImport(Darwin)
import Darwin
#endif
import OpenAPIRuntime

// The system calls under names the file types' own methods do not shadow.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

/// A file's bytes as the chunks of a request body, read in pieces of ``Reader/chunkBytes`` as
/// the transport asks for them; `progress` gets the bytes read so far and the total.
/// Iterated once (the body's `iterationBehavior` is `.single`).
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = HTTPBody.ByteChunk
    let reader: UncheckedSendableBox<Reader>
    let total: Int64
    let progress: (@Sendable (Int64, Int64) -> Void)?

    struct AsyncIterator: AsyncIteratorProtocol {
        let reader: Reader
        let total: Int64
        let progress: (@Sendable (Int64, Int64) -> Void)?
        var sent: Int64 = 0

        mutating func next() async throws -> HTTPBody.ByteChunk? {
            guard let piece = try reader.read() else { return nil }
            sent += Int64(piece.count)
            progress?(sent, total)
            return piece
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader.value, total: total, progress: progress) }

    /// A file open for reading, read front to back in pieces; closed when released.
    final class Reader {
        let path: String
        let descriptor: Int32
        let chunkBytes: Int
        /// The file's size when opened, bytes.
        let size: Int64

        init(path: String, chunkBytes: Int) throws(DatatrustError) {
            self.path = path
            self.chunkBytes = chunkBytes
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw .badRequest("file: cannot read \(path) (\(String(cString: strerror(errno)))); expected a readable file")
            }
            var info = stat()
            guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                _ = systemClose(descriptor)
                throw .badRequest("file: \(path) is not a regular file; expected a readable regular file")
            }
            size = Int64(info.st_size)
            buffer = [UInt8](repeating: 0, count: chunkBytes)
        }

        deinit { _ = systemClose(descriptor) }

        /// The buffer every piece is read into (see ``read()``).
        private var buffer: [UInt8]

        /// The next piece (up to `chunkBytes`), or nil at the end of the file. Every piece is
        /// read into the same buffer: a transport copies a piece into its own buffer and lets
        /// it go before asking for the next, so the buffer is unshared again when it is refilled
        /// (were it still shared, the refill would copy it first, never change bytes somebody holds).
        func read() throws(DatatrustError) -> HTTPBody.ByteChunk? {
            var failure: Int32 = 0
            var initialized = 0
            buffer.withUnsafeMutableBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                while initialized < bytes.count {
                    let count = systemRead(descriptor, base + initialized, bytes.count - initialized)
                    if count < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        return
                    }
                    if count == 0 { return }
                    initialized += count
                }
            }
            guard failure == 0 else {
                throw .badRequest("file: cannot read \(path) (\(String(cString: strerror(failure)))); expected a readable regular file")
            }
            return initialized == 0 ? nil : buffer[0..<initialized]
        }
    }

    /// A new file written front to back through one gathering buffer of ``blockBytes``,
    /// flushed by ``close()``; a writer released without `close()` leaves what it flushed.
    ///
    /// On Linux the file is opened with `O_DIRECT` where the file system takes it (ext4, XFS;
    /// tmpfs does not, and then the writer falls back to the page cache): the gathered blocks go
    /// from the buffer to the device without a copy into the page cache. A download of a data set
    /// larger than memory then neither evicts the machine's cache nor allocates a page-cache page
    /// per 4 KiB, which on virtual machines whose free memory is handed back to the host
    /// (virtio free page reporting, as on this project's build machines) costs a host fault per
    /// page: writing 4 GiB into fresh page cache there took 7.3 s of system time, against 0.9 s
    /// into pages freed a moment before (`/tmp` test program, noted in issue 18).
    final class Writer {
        let path: String
        private var descriptor: Int32
        /// Whether the descriptor still has `O_DIRECT` (cleared for the unaligned tail).
        private var direct: Bool
        private let buffer: UnsafeMutableRawBufferPointer
        private var filled = 0
        /// Bytes gathered per write: 1 MiB, a multiple of every block size `O_DIRECT` asks for.
        static let blockBytes = 1 << 20
        /// The alignment of the buffer, of every direct write's length and of the file offset.
        static let alignment = 4096

        init(path: String) throws(DatatrustError) {
            self.path = path
            var fd: Int32 = -1
            var direct = false
            if let flag = Self.directFlag {
                fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | flag, 0o600)
                direct = fd >= 0
            }
            if fd < 0 { fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) }
            guard fd >= 0 else {
                throw .internalFailure("file: cannot write \(path) (\(String(cString: strerror(errno))))")
            }
            descriptor = fd
            self.direct = direct
            buffer = .allocate(byteCount: Self.blockBytes, alignment: Self.alignment)
        }

        deinit {
            if descriptor >= 0 { _ = systemClose(descriptor) }
            buffer.deallocate()
        }

        /// Gathers all of `bytes`, writing each full block.
        func write(_ bytes: UnsafeRawBufferPointer) throws(DatatrustError) {
            var offset = 0
            while offset < bytes.count {
                let take = Swift.min(bytes.count - offset, Self.blockBytes - filled)
                UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<(filled + take)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
                filled += take
                offset += take
                if filled == Self.blockBytes {
                    try writeOut(UnsafeRawBufferPointer(buffer))
                    filled = 0
                }
            }
        }

        /// Writes the gathered tail (its whole 4 KiB blocks directly, the rest through the page
        /// cache) and closes the file.
        func close() throws(DatatrustError) {
            guard descriptor >= 0 else { return }
            let aligned = filled / Self.alignment * Self.alignment
            do throws(DatatrustError) {
                if aligned > 0 { try writeOut(UnsafeRawBufferPointer(rebasing: buffer[0..<aligned])) }
                if filled > aligned {
                    try leaveDirect()
                    try writeOut(UnsafeRawBufferPointer(rebasing: buffer[aligned..<filled]))
                }
                filled = 0
            } catch {
                _ = systemClose(descriptor)
                descriptor = -1
                throw error
            }
            let result = systemClose(descriptor)
            descriptor = -1
            guard result == 0 else { throw failure(errno) }
        }

        /// Writes all of `bytes` at the current offset. A direct write the file system refuses
        /// (EINVAL: it does not take this alignment after all) is retried through the page cache.
        private func writeOut(_ bytes: UnsafeRawBufferPointer) throws(DatatrustError) {
            guard let base = bytes.baseAddress else { return }
            var written = 0
            while written < bytes.count {
                let count = systemWrite(descriptor, base + written, bytes.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    if errno == EINVAL, direct {
                        try leaveDirect()
                        continue
                    }
                    throw failure(errno)
                }
                written += count
                // A short direct write leaves the offset unaligned: go on through the page cache.
                if written < bytes.count, direct { try leaveDirect() }
            }
        }

        /// Clears `O_DIRECT` on the descriptor.
        private func leaveDirect() throws(DatatrustError) {
            guard direct, let flag = Self.directFlag else { return }
            let flags = fcntl(descriptor, F_GETFL)
            guard flags >= 0, fcntl(descriptor, F_SETFL, flags & ~flag) == 0 else { throw failure(errno) }
            direct = false
        }

        private func failure(_ code: Int32) -> DatatrustError {
            .internalFailure("file: cannot write \(path) (\(String(cString: strerror(code))))")
        }

        /// Linux's `O_DIRECT`, which Swift's Glibc module does not export (its value differs by
        /// architecture: <asm/fcntl.h>); nil elsewhere, where files go through the page cache.
        static var directFlag: Int32? {
            #if os(Linux) && arch(x86_64)
            0o40000
            #elseif os(Linux) && (arch(arm64) || arch(arm))
            0o200000
            #else
            nil
            #endif
        }
    }
}
