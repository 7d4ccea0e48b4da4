import LedgerCore
internal import SodiumSupport
#if canImport(Glibc)
import Glibc
#endif

/// Decrypts one vault file chunk by chunk: each ``next()`` returns the next verified plaintext
/// chunk, and the end is reported only once the final tag was present and Keccak-256 of the
/// plaintext is the dataHash. Memory stays at two 64 KiB buffers whatever the datapoint's size.
/// Owns the file descriptor.
final class VaultReader {
    let path: String
    let hash: Hash32
    private let fd: Int32
    /// Set once the header is authenticated; nil only while `init` runs.
    private var stream: SecretStream?
    private var cipher: [UInt8]
    private var plain: [UInt8]
    private var hasher = ChunkHasher()
    private(set) var size: Int64 = 0
    private var chunkIndex = 0
    private var done = false

    /// Opens `path` and unwraps its key; the header's authenticity is checked here, before any byte is read.
    init(path: String, hash: Hash32, master: MasterKey) throws(VaultError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw .notFound(dataHash: hash) }
            throw .io(path: path, detail: "open: \(POSIX.errorText())")
        }
        self.fd = fd
        self.path = path
        self.hash = hash
        cipher = [UInt8](repeating: 0, count: VaultFileFormat.chunkBytes + VaultFileFormat.chunkOverhead)
        plain = [UInt8](repeating: 0, count: VaultFileFormat.chunkBytes)
        var header = [UInt8](repeating: 0, count: VaultFileFormat.headerBytes)
        let got = try POSIX.readFully(fd, into: &header, path: path)
        guard got == VaultFileFormat.headerBytes else {
            throw .integrity(dataHash: hash, detail: "header is \(got) bytes, expected \(VaultFileFormat.headerBytes)")
        }
        var key = try VaultFileFormat.unwrap(header: header, master: master, hash: hash)
        defer { SecureRandom.wipe(&key) }
        let unwrapped = key
        stream = header.withUnsafeBytes { h in
            SecretStream.decrypting(key: unwrapped, header: UnsafeRawBufferPointer(rebasing: h[VaultFileFormat.streamHeaderOffset...]))
        }
        guard stream != nil else { throw .integrity(dataHash: hash, detail: "bad secretstream header") }
    }

    deinit {
        hasher.cancel()
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
        guard !done else { return false }
        let cipherChunk = cipher.count
        let n = try POSIX.readFully(fd, into: &cipher, path: path)
        guard n >= VaultFileFormat.chunkOverhead else {
            throw .integrity(dataHash: hash, detail: n == 0
                ? "truncated: stream ends after chunk \(chunkIndex) without the final tag"
                : "truncated: chunk \(chunkIndex) is \(n) bytes, expected at least \(VaultFileFormat.chunkOverhead)")
        }
        guard let stream else { throw .integrity(dataHash: hash, detail: "bad secretstream header") }
        let pulled = plain.withUnsafeMutableBytes { p in
            cipher.withUnsafeBytes { c in stream.pull(UnsafeRawBufferPointer(rebasing: c[0..<n]), into: p) }
        }
        guard let (length, isFinal) = pulled else {
            throw .integrity(dataHash: hash, detail: "chunk \(chunkIndex) does not authenticate")
        }
        if isFinal {
            var probe: UInt8 = 0
            guard read(fd, &probe, 1) == 0 else {
                throw .integrity(dataHash: hash, detail: "bytes follow the final chunk \(chunkIndex)")
            }
        } else if n != cipherChunk {
            throw .integrity(dataHash: hash, detail: "truncated: short chunk \(chunkIndex) without the final tag")
        }
        // The last chunk is checked against the dataHash before it is handed on.
        plain.withUnsafeBytes { p in hasher.add(UnsafeRawBufferPointer(rebasing: p[0..<length]), final: isFinal) }
        if isFinal {
            done = true
            let actual = hasher.finish()
            guard actual == hash else { throw .hashMismatch(expected: hash, actual: actual) }
        }
        let sinkError: VaultError? = plain.withUnsafeBytes { p in
            do throws(VaultError) { try body(UnsafeRawBufferPointer(rebasing: p[0..<length])) } catch { return error }
            return nil
        }
        if let sinkError { throw sinkError }
        size += Int64(length)
        chunkIndex += 1
        return true
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
