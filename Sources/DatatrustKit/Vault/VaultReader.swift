import LedgerCore
internal import SodiumSupport
#if canImport(Glibc)
import Glibc
import CDispatch  // with CoreFoundation: the clang modules struct stat's members are attributed to
import CoreFoundation  // (MemberImportVisibility), whichever the build loads first
#endif

/// Decrypts one vault file chunk by chunk: each ``next(_:)`` hands on the next authenticated
/// plaintext chunk, and the end is reported only once the final tag was present and (when the
/// reader checks the hash) Keccak-256 of the plaintext is the dataHash. Memory stays at two
/// 64 KiB buffers whatever the datapoint's size. Owns the file descriptor.
///
/// Without the hash check (`checksHash: false`, what GET_DATAPOINT serves from) a file still
/// cannot pass for another datapoint's or be served in part: its key opens only under the
/// dataHash it was stored with (the wrap's associated data), the chunk cipher authenticates
/// every chunk and its order, and only the last chunk's flag ends the stream. What it no longer catches is
/// a file written with the master key itself for the wrong bytes, which the downloading client
/// catches by hashing what it receives (``DatatrustClient``).
final class VaultReader {
    let path: String
    let hash: Hash32
    private let fd: Int32
    /// Reads the file in 1 MiB blocks, straight from the device for a file of
    /// ``directReadBytes`` or more where the file system takes `O_DIRECT`.
    private let blocks: BlockReader
    /// Files at least this large are read with `O_DIRECT`: read once, they would only evict the
    /// page cache; smaller ones stay cached for the queries that read them again.
    static let directReadBytes: Int64 = 8 << 20
    /// Set once the header is authenticated; nil only while `init` runs.
    private var opener: VaultChunkCipher?
    private var cipher: [UInt8]
    private var plain: [UInt8]
    private var hasher = ChunkHasher()
    /// Whether the plaintext is hashed and compared with `hash` at the end.
    let checksHash: Bool
    private(set) var size: Int64 = 0
    private var chunkIndex = 0
    private var done = false

    /// Opens `path` and unwraps its key; the header's authenticity is checked here, before any byte is read.
    /// - Parameter checksHash: whether Keccak-256 of the plaintext is recomputed and compared with `hash`.
    init(path: String, hash: Hash32, master: MasterKey, checksHash: Bool = true) throws(VaultError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw .notFound(dataHash: hash) }
            throw .io(path: path, detail: "open: \(POSIX.errorText())")
        }
        self.fd = fd
        var info = stat()
        let large = fstat(fd, &info) == 0 && Int64(info.st_size) >= Self.directReadBytes
        blocks = BlockReader(descriptor: fd, direct: large && BlockFile.enterDirect(fd))
        self.path = path
        self.hash = hash
        self.checksHash = checksHash
        plain = [UInt8](repeating: 0, count: VaultFileFormat.chunkBytes)
        // Sized once the version is known; set now so that a refused header still closes `fd` (deinit).
        cipher = []
        var header = [UInt8](repeating: 0, count: VaultFileFormat.wrapHeaderBytes)
        let got = try readFully(into: &header)
        guard got == header.count else {
            throw .integrity(dataHash: hash, detail: "header is \(got) bytes, expected at least \(header.count)")
        }
        var (version, key) = try VaultFileFormat.unwrap(header: header, master: master, hash: hash)
        defer { SecureRandom.wipe(&key) }
        var streamHeader = [UInt8](repeating: 0, count: version.headerBytes - VaultFileFormat.wrapHeaderBytes)
        let gotStream = try readFully(into: &streamHeader)
        guard gotStream == streamHeader.count else {
            throw .integrity(dataHash: hash, detail: "header is \(got + gotStream) bytes, expected \(version.headerBytes)")
        }
        cipher = [UInt8](repeating: 0, count: VaultFileFormat.chunkBytes + version.chunkOverhead)
        let unwrapped = key
        opener = streamHeader.withUnsafeBytes { VaultChunkCipher.opening(version, dataKey: unwrapped, streamHeader: $0) }
        guard opener != nil else { throw .integrity(dataHash: hash, detail: "bad stream header") }
    }

    deinit {
        hasher.cancel()
        blocks.stop()  // the read-ahead thread is done with `fd` before it is closed
        close(fd)
        SecureRandom.wipe(&plain)
    }

    /// Hands the next verified plaintext chunk (at most 64 KiB, possibly empty for the final
    /// one) to `body`; false once the data ended and its hash was verified.
    ///
    /// Every chunk is authenticated before it is handed on, so a tampered chunk never reaches
    /// `body`; a missing final chunk (truncation) or a hash mismatch is reported after the last
    /// chunk, so a streaming caller must discard what it received when this throws.
    func next(_ body: (UnsafeRawBufferPointer) throws(VaultError) -> Void) throws(VaultError) -> Bool {
        let pulled: Result<Int?, VaultError> = plain.withUnsafeMutableBytes { p in
            do throws(VaultError) { return .success(try pull(into: p)) } catch { return .failure(error) }
        }
        guard let length = try pulled.get() else { return false }
        let sinkError: VaultError? = plain.withUnsafeBytes { p in
            do throws(VaultError) { try body(UnsafeRawBufferPointer(rebasing: p[0..<length])) } catch { return error }
            return nil
        }
        if let sinkError { throw sinkError }
        return true
    }

    /// Decrypts the next chunk straight into `destination` (at least
    /// ``VaultFileFormat/chunkBytes`` long): its length (0 for an empty final chunk), or nil once
    /// the data ended. The same checks as ``next(_:)``, without a copy through this reader's buffer.
    func next(into destination: UnsafeMutableRawBufferPointer) throws(VaultError) -> Int? {
        try pull(into: destination)
    }

    private func pull(into destination: UnsafeMutableRawBufferPointer) throws(VaultError) -> Int? {
        guard !done else { return nil }
        let cipherChunk = cipher.count
        let n = try readFully(into: &cipher)
        guard let opener else { throw .integrity(dataHash: hash, detail: "bad stream header") }
        let overhead = opener.version.chunkOverhead
        guard n >= overhead else {
            throw .integrity(dataHash: hash, detail: n == 0
                ? "truncated: stream ends after chunk \(chunkIndex) without the final tag"
                : "truncated: chunk \(chunkIndex) is \(n) bytes, expected at least \(overhead)")
        }
        let opened = cipher.withUnsafeBytes { c in
            opener.open(UnsafeRawBufferPointer(rebasing: c[0..<n]), into: destination, short: n < cipherChunk)
        }
        guard let (length, isFinal) = opened else {
            throw .integrity(dataHash: hash, detail: "chunk \(chunkIndex) does not authenticate")
        }
        if isFinal {
            var probe: [UInt8] = [0]
            guard try readFully(into: &probe) == 0 else {
                throw .integrity(dataHash: hash, detail: "bytes follow the final chunk \(chunkIndex)")
            }
        } else if n != cipherChunk {
            throw .integrity(dataHash: hash, detail: "truncated: short chunk \(chunkIndex) without the final tag")
        }
        if checksHash {
            // The last chunk is checked against the dataHash before it is handed on.
            hasher.add(UnsafeRawBufferPointer(rebasing: destination[0..<length]), final: isFinal)
            if isFinal {
                done = true
                let actual = hasher.finish()
                guard actual == hash else { throw .hashMismatch(expected: hash, actual: actual) }
            }
        }
        if isFinal { done = true }
        size += Int64(length)
        chunkIndex += 1
        return length
    }

    /// Fills `bytes` from the file; the bytes read, fewer only at the end.
    private func readFully(into bytes: inout [UInt8]) throws(VaultError) -> Int {
        let n = bytes.withUnsafeMutableBytes { blocks.read(into: $0) }
        guard n >= 0 else { throw .io(path: path, detail: "read: \(POSIX.errorText())") }
        return n
    }

    /// Streams the plaintext of `path` to `sink`; returns its size.
    static func stream(
        path: String, hash: Hash32, master: MasterKey,
        into sink: (UnsafeRawBufferPointer) throws(VaultError) -> Void
    ) throws(VaultError) -> Int64 {
        let reader = try VaultReader(path: path, hash: hash, master: master)
        while try reader.next(sink) {}
        return reader.size
    }
}
