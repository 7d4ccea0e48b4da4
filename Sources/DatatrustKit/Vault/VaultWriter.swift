import LedgerCore
internal import SodiumSupport
#if canImport(Glibc)
import Glibc
#endif

/// Encrypts one datapoint into a temporary file in the vault's `tmp/` folder, chunk by chunk,
/// hashing the plaintext as it goes. Only ciphertext is ever written. Owns the file
/// descriptor and the chunk cipher; a writer that is not committed removes its file.
final class VaultWriter {
    private let fd: Int32
    /// Gathers the header and ciphertext into 1 MiB blocks, one system call each (per 64 KiB
    /// chunk took a tenth of the file system's share of an upload's profile), written straight
    /// to the device where the file system takes `O_DIRECT`.
    private let blocks: BlockWriter
    let tempPath: String
    /// Set once the header is made; nil only while `init` runs.
    private var sealer: VaultChunkCipher?
    /// The file version written.
    let version: VaultFileFormat.Version
    private var dataKey: [UInt8]
    /// The first chunk's plaintext (the only chunk of a small datapoint, hashed inline).
    private let first: UnsafeMutableRawBufferPointer
    /// Where the chunk being gathered goes: `first`, or from the second chunk on a slot of the
    /// hashing thread's ring, so the plaintext is copied once (there) instead of twice.
    private var current: UnsafeMutableRawBufferPointer
    /// Whether `current` is a claimed ring slot rather than `first`.
    private var inSlot: Bool { current.baseAddress != first.baseAddress }
    private var filled = 0
    /// One chunk's ciphertext.
    private var cipher: [UInt8]
    /// Hashes a datapoint of one chunk (no thread).
    private var inline = Keccak256()
    /// The hashing thread, started by the first chunk that is not the last.
    private var pipeline: PipelinedHasher?
    private(set) var size: Int64 = 0
    private var closed = false
    private var committed = false

    /// Creates a `.part` file in `tempFolder` for a datapoint in `version` (vaults write the
    /// current one; tests write DTV1 to check it still reads).
    init(tempFolder: String, version: VaultFileFormat.Version = .current) throws(VaultError) {
        let name = tempFolder + "/" + Hex.encode(SecureRandom.bytes(16), prefix: false) + ".part"
        let (fd, direct) = BlockFile.open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: name, detail: "create: \(POSIX.errorText())") }
        self.fd = fd
        blocks = BlockWriter(descriptor: fd, direct: direct)
        self.tempPath = name
        self.version = version
        self.dataKey = SecureRandom.bytes(32)
        first = .allocate(byteCount: VaultFileFormat.chunkBytes, alignment: 64)
        first.initializeMemory(as: UInt8.self, repeating: 0)
        current = first
        self.cipher = [UInt8](repeating: 0, count: VaultFileFormat.chunkBytes + version.chunkOverhead)
        var header = [UInt8](repeating: 0, count: version.headerBytes)
        let key = dataKey
        sealer = header.withUnsafeMutableBytes { h in
            VaultChunkCipher.sealing(version, dataKey: key, streamHeader: UnsafeMutableRawBufferPointer(rebasing: h[VaultFileFormat.wrapHeaderBytes...]))
        }
        guard sealer != nil else { throw .io(path: name, detail: "the chunk cipher did not start") }
        // The key wrap's bytes are rewritten in place by `finish`; they go first as zeros.
        try write(header)
    }

    deinit {
        blocks.abandon()  // the write-behind thread is done with `fd` before it is closed
        if !closed { close(fd) }
        if !committed { unlink(tempPath) }
        pipeline?.cancel()  // its ring, which held plaintext, is wiped when it goes
        SecureRandom.wipe(&dataKey)
        SecureRandom.wipe(first)
        first.deallocate()
    }

    /// Encrypts and appends `bytes`; returns the error instead of throwing so it can be called
    /// from inside a buffer-pointer closure.
    func append(_ bytes: UnsafeRawBufferPointer) -> VaultError? {
        guard let base = bytes.baseAddress else { return nil }
        size += Int64(bytes.count)
        var offset = 0
        while offset < bytes.count {
            if filled == 0, let pipeline, !inSlot {
                guard let slot = pipeline.claimSlot() else { return .io(path: tempPath, detail: "the hashing thread has stopped") }
                current = slot
            }
            let take = min(bytes.count - offset, VaultFileFormat.chunkBytes - filled)
            UnsafeMutableRawBufferPointer(rebasing: current[filled..<(filled + take)])
                .copyMemory(from: UnsafeRawBufferPointer(start: base + offset, count: take))
            filled += take
            offset += take
            if filled == VaultFileFormat.chunkBytes {
                do throws(VaultError) { try push(final: false) } catch { return error }
            }
        }
        return nil
    }

    /// Suspends, without holding a thread, until the hashing thread's queue has room for
    /// `count` more bytes (up to half its slots), so an ``append(_:)-(UnsafeRawBufferPointer)``
    /// of that many bytes right after does not block its thread on the hash. It may still wait
    /// on the disk (the write-behind blocks). Returns at once before the hashing thread starts.
    func roomToAppend(_ count: Int) async {
        guard let pipeline else { return }
        await pipeline.room(copies: (filled + count) / VaultFileFormat.chunkBytes + 1)
    }

    /// Appends a byte array.
    func append(_ bytes: [UInt8]) throws(VaultError) {
        if let error = bytes.withUnsafeBytes({ append($0) }) { throw error }
    }

    private func push(final: Bool) throws(VaultError) {
        guard let sealer else { throw .io(path: tempPath, detail: "the chunk cipher was not started") }
        let plain = UnsafeRawBufferPointer(rebasing: current[0..<filled])
        // The plaintext goes to the hashing thread, then is encrypted here meanwhile (both only read it).
        if let pipeline {
            if inSlot { pipeline.queueClaimedSlot(length: plain.count) }
        } else if final {
            inline.update(plain)
        } else {
            let started = PipelinedHasher()
            started.submit(plain)
            pipeline = started
        }
        let pushed: Int? = cipher.withUnsafeMutableBytes { c in sealer.seal(plain, into: c, final: final) }
        guard let length = pushed else { throw .io(path: tempPath, detail: "sealing chunk failed") }
        filled = 0
        current = first
        try write(cipher, count: length)
    }

    /// Gathers the first `count` of `bytes` into the file's blocks.
    private func write(_ bytes: [UInt8], count: Int? = nil) throws(VaultError) {
        let failure = bytes.withUnsafeBytes { blocks.write(UnsafeRawBufferPointer(rebasing: $0[0..<(count ?? bytes.count)])) }
        guard failure == 0 else { throw .io(path: tempPath, detail: "write: \(String(cString: strerror(failure)))") }
    }

    /// Writes the final chunk, wraps the datapoint key under `master` for the plaintext's hash,
    /// and closes the file (fsyncing it first when `sync`). Returns the dataHash.
    func finish(master: MasterKey, sync: Bool) throws(VaultError) -> Hash32 {
        try push(final: true)
        let failure = blocks.finish()
        guard failure == 0 else { throw .io(path: tempPath, detail: "write: \(String(cString: strerror(failure)))") }
        let hash = pipeline?.finish() ?? inline.finalize()
        try POSIX.pwriteAll(fd, VaultFileFormat.wrapHeader(dataKey: dataKey, master: master, hash: hash, version: version), offset: 0, path: tempPath)
        if sync, fsync(fd) != 0 { throw .io(path: tempPath, detail: "fsync: \(POSIX.errorText())") }
        closed = true
        guard close(fd) == 0 else { throw .io(path: tempPath, detail: "close: \(POSIX.errorText())") }
        return hash
    }

    /// Marks the file as moved into place, so `deinit` leaves it.
    func markCommitted() { committed = true }
}
