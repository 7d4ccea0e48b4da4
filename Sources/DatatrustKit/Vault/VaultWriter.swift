import LedgerCore
internal import SodiumSupport
#if canImport(Glibc)
import Glibc
#endif

/// Encrypts one datapoint into a temporary file in the vault's `tmp/` folder, chunk by chunk,
/// hashing the plaintext as it goes. Only ciphertext is ever written. Owns the file
/// descriptor and the secretstream state; a writer that is not committed removes its file.
final class VaultWriter {
    /// Encrypted chunks gathered per `write`: one system call per MiB instead of per 64 KiB,
    /// which took a tenth of the file system's share of an upload's profile.
    static let cipherChunksPerWrite = 16
    private let fd: Int32
    let tempPath: String
    /// Set once the header is made; nil only while `init` runs.
    private var stream: SecretStream?
    private var dataKey: [UInt8]
    private var plain: [UInt8]
    private var filled = 0
    /// Ciphertext of up to ``cipherChunksPerWrite`` chunks, written in one system call.
    private var cipher: [UInt8]
    private var cipherFilled = 0
    private var hasher = ChunkHasher()
    private(set) var size: Int64 = 0
    private var closed = false
    private var committed = false

    init(tempFolder: String) throws(VaultError) {
        let name = tempFolder + "/" + Hex.encode(SecureRandom.bytes(16), prefix: false) + ".part"
        let fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: name, detail: "create: \(POSIX.errorText())") }
        self.fd = fd
        self.tempPath = name
        self.dataKey = SecureRandom.bytes(32)
        self.plain = [UInt8](repeating: 0, count: VaultFileFormat.chunkBytes)
        self.cipher = [UInt8](repeating: 0, count: Self.cipherChunksPerWrite * (VaultFileFormat.chunkBytes + VaultFileFormat.chunkOverhead))
        var header = [UInt8](repeating: 0, count: VaultFileFormat.headerBytes)
        let key = dataKey
        stream = header.withUnsafeMutableBytes { h in
            SecretStream.encrypting(key: key, header: UnsafeMutableRawBufferPointer(rebasing: h[VaultFileFormat.streamHeaderOffset...]))
        }
        guard stream != nil else { throw .io(path: name, detail: "secretstream init_push failed") }
        try POSIX.writeAll(fd, header, path: name)
    }

    deinit {
        if !closed { close(fd) }
        if !committed { unlink(tempPath) }
        hasher.cancel()
        SecureRandom.wipe(&dataKey)
        SecureRandom.wipe(&plain)
    }

    /// Encrypts and appends `bytes`; returns the error instead of throwing so it can be called
    /// from inside a buffer-pointer closure.
    func append(_ bytes: UnsafeRawBufferPointer) -> VaultError? {
        guard let base = bytes.baseAddress else { return nil }
        size += Int64(bytes.count)
        var offset = 0
        while offset < bytes.count {
            let take = min(bytes.count - offset, VaultFileFormat.chunkBytes - filled)
            let at = filled
            plain.withUnsafeMutableBytes { p in
                p.baseAddress?.advanced(by: at).copyMemory(from: base + offset, byteCount: take)
            }
            filled += take
            offset += take
            if filled == VaultFileFormat.chunkBytes {
                do throws(VaultError) { try push(final: false) } catch { return error }
            }
        }
        return nil
    }

    /// Appends a byte array.
    func append(_ bytes: [UInt8]) throws(VaultError) {
        if let error = bytes.withUnsafeBytes({ append($0) }) { throw error }
    }

    private func push(final: Bool) throws(VaultError) {
        guard let stream else { throw .io(path: tempPath, detail: "secretstream was not started") }
        let count = filled
        // The plaintext goes to the hashing thread, then is encrypted here meanwhile.
        plain.withUnsafeBytes { hasher.add(UnsafeRawBufferPointer(rebasing: $0[0..<count]), final: final) }
        let at = cipherFilled
        let pushed: Int? = cipher.withUnsafeMutableBytes { c in
            plain.withUnsafeBytes { p in
                stream.push(UnsafeRawBufferPointer(rebasing: p[0..<count]), into: UnsafeMutableRawBufferPointer(rebasing: c[at...]), final: final)
            }
        }
        guard let length = pushed else { throw .io(path: tempPath, detail: "secretstream push failed") }
        cipherFilled += length
        filled = 0
        if final || cipher.count - cipherFilled < VaultFileFormat.chunkBytes + VaultFileFormat.chunkOverhead { try flushCipher() }
    }

    /// Writes the gathered ciphertext.
    private func flushCipher() throws(VaultError) {
        let count = cipherFilled
        guard cipher.withUnsafeBytes({ POSIX.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<count])) }) else {
            throw .io(path: tempPath, detail: "write: \(POSIX.errorText())")
        }
        cipherFilled = 0
    }

    /// Writes the final chunk, wraps the datapoint key under `master` for the plaintext's hash,
    /// and closes the file (fsyncing it first when `sync`). Returns the dataHash.
    func finish(master: MasterKey, sync: Bool) throws(VaultError) -> Hash32 {
        try push(final: true)
        let hash = hasher.finish()
        try POSIX.pwriteAll(fd, VaultFileFormat.wrapHeader(dataKey: dataKey, master: master, hash: hash), offset: 0, path: tempPath)
        if sync, fsync(fd) != 0 { throw .io(path: tempPath, detail: "fsync: \(POSIX.errorText())") }
        closed = true
        guard close(fd) == 0 else { throw .io(path: tempPath, detail: "close: \(POSIX.errorText())") }
        return hash
    }

    /// Marks the file as moved into place, so `deinit` leaves it.
    func markCommitted() { committed = true }
}
