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
}
