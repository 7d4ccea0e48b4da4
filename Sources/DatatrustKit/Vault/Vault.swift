public import Foundation
public import LedgerCore
internal import SodiumSupport
#if canImport(Glibc)
import Glibc
#endif

/// Encrypted-at-rest storage of datapoints keyed by their Keccak-256 dataHash.
///
/// Each datapoint is encrypted with its own random key using libsodium's
/// `crypto_secretstream_xchacha20poly1305` in 64 KiB chunks; that key is wrapped by the
/// ``MasterKey`` with XChaCha20-Poly1305 and the dataHash as associated data. Files are written
/// to `tmp/` inside the vault folder (ciphertext only) and renamed into `objects/`. Every read
/// authenticates each chunk and requires the final tag; ``get(_:)``, ``get(_:to:)``,
/// ``get(_:toFile:)`` and ``read(_:into:)`` also recompute Keccak-256 of the plaintext. A
/// mismatch is an error, never wrong data. (GET_DATAPOINT streams without the server's hash
/// pass: its client hashes.)
///
/// ```swift
/// let vault = try Vault(folder: dir, masterKey: .loadOrCreate(keyFile: dir.appendingPathComponent("master.key")))
/// let stored = try vault.put(Array("hello".utf8))
/// let bytes = try vault.get(stored.dataHash)
/// ```
public struct Vault: Sendable {
    /// What a put stored.
    public struct Stored: Sendable, Equatable {
        /// Keccak-256 of the plaintext.
        public let dataHash: Hash32
        /// Plaintext bytes.
        public let size: Int64
    }

    /// The vault folder (`objects/` and `tmp/` inside).
    public let folder: URL
    /// Whether writes are fsynced before they are renamed into place (durable across power loss).
    public let syncWrites: Bool
    let masterKey: MasterKey
    let objectsPath: String
    let tempPath: String

    /// Opens (creating if needed, mode 0700) the vault in `folder`; stray temporary files of an
    /// interrupted write are removed, unless the vault is `shared`.
    /// - Parameters:
    ///   - folder: the vault's folder (objects in `objects/`, writes in flight in `tmp/`).
    ///   - masterKey: the key that wraps each object's own key.
    ///   - syncWrites: whether each object is flushed to disk before it is renamed into place.
    ///   - shared: the folder is shared by several datatrust servers (a network file
    ///   system mounted on each): a `.part` file in `tmp/` may be another server's write in
    ///   flight, so none is removed here; the sweep removes those older than its grace period.
    public init(folder: URL, masterKey: MasterKey, syncWrites: Bool = true, shared: Bool = false) throws(VaultError) {
        self.folder = folder
        self.masterKey = masterKey
        self.syncWrites = syncWrites
        self.objectsPath = folder.appendingPathComponent("objects").path
        self.tempPath = folder.appendingPathComponent("tmp").path
        for path in [folder.path, objectsPath, tempPath] {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .io(path: path, detail: "create folder: \(error.localizedDescription)")
            }
        }
        if !shared, let leftovers = try? FileManager.default.contentsOfDirectory(atPath: tempPath) {
            for name in leftovers.sorted() { unlink(tempPath + "/" + name) }
        }
    }

    /// The id of the master key in use, as hex.
    public var masterKeyID: String { masterKey.idHex }

    func path(for hash: Hash32) -> (folder: String, file: String) {
        let hex = Hex.encode(hash.bytes, prefix: false)
        let fan = objectsPath + "/" + String(hex.prefix(2))
        return (fan, fan + "/" + String(hex.dropFirst(2)) + ".dtv")
    }

    // MARK: - Put

    /// Stores `data`; returns its dataHash and size.
    /// - Throws: ``VaultError/hashMismatch(expected:actual:)`` when `expecting` is given and differs.
    @discardableResult
    public func put(_ data: [UInt8], expecting: Hash32? = nil) throws(VaultError) -> Stored {
        let writer = try VaultWriter(tempFolder: tempPath)
        try writer.append(data)
        return try commit(writer, expecting: expecting)
    }

    /// Stores the bytes read from `handle` until end of file, in bounded memory.
    @discardableResult
    public func put(from handle: FileHandle, expecting: Hash32? = nil) throws(VaultError) -> Stored {
        let writer = try VaultWriter(tempFolder: tempPath)
        var buffer = [UInt8](repeating: 0, count: VaultFileFormat.chunkBytes)
        defer { SecureRandom.wipe(&buffer) }
        let fd = handle.fileDescriptor
        while true {
            let n = try POSIX.readFully(fd, into: &buffer, path: "<input>")
            if n == 0 { break }
            if let error = buffer.withUnsafeBytes({ writer.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) { throw error }
            if n < buffer.count { break }
        }
        return try commit(writer, expecting: expecting)
    }

    /// Stores the concatenation of the chunks of `chunks`, in bounded memory.
    @discardableResult
    public func put<S: AsyncSequence>(chunks: S, expecting: Hash32? = nil) async throws(VaultError) -> Stored
    where S.Element == [UInt8] {
        let writer = try VaultWriter(tempFolder: tempPath)
        do {
            for try await chunk in chunks {
                if let error = chunk.withUnsafeBytes({ writer.append($0) }) { throw error }
            }
        } catch let error as VaultError {
            throw error
        } catch {
            throw .source(detail: "\(error)")
        }
        return try commit(writer, expecting: expecting)
    }

    /// A writer of a new object into `tmp/`; ``commit(finished:hash:)`` moves it into place.
    func beginPut() throws(VaultError) -> VaultWriter { try VaultWriter(tempFolder: tempPath) }

    private func commit(_ writer: VaultWriter, expecting: Hash32?) throws(VaultError) -> Stored {
        let hash = try writer.finish(master: masterKey, sync: syncWrites)
        if let expecting, expecting != hash { throw .hashMismatch(expected: expecting, actual: hash) }
        return try commit(finished: writer, hash: hash)
    }

    /// Moves the finished `writer`'s file (its plaintext hashing to `hash`) into `objects/`.
    func commit(finished writer: VaultWriter, hash: Hash32) throws(VaultError) -> Stored {
        let target = path(for: hash)
        if mkdir(target.folder, 0o700) != 0 && errno != EEXIST {
            throw .io(path: target.folder, detail: "mkdir: \(POSIX.errorText())")
        }
        guard rename(writer.tempPath, target.file) == 0 else {
            throw .io(path: target.file, detail: "rename: \(POSIX.errorText())")
        }
        writer.markCommitted()
        if syncWrites { Self.syncFolder(target.folder) }
        return Stored(dataHash: hash, size: writer.size)
    }

    private static func syncFolder(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    // MARK: - Get

    /// A verified chunk-by-chunk reader of `hash`'s plaintext; its header is authenticated here.
    /// - Parameter checksHash: whether the reader also recomputes Keccak-256 of the plaintext
    ///   (false only where the receiver hashes what it gets, as a GET_DATAPOINT client does).
    func reader(for hash: Hash32, checksHash: Bool = true) throws(VaultError) -> VaultReader {
        try VaultReader(path: path(for: hash).file, hash: hash, master: masterKey, checksHash: checksHash)
    }

    /// Whether a file for `hash` exists (its integrity is checked only on read).
    public func contains(_ hash: Hash32) -> Bool {
        access(path(for: hash).file, F_OK) == 0
    }

    /// The plaintext of `hash`, verified.
    public func get(_ hash: Hash32) throws(VaultError) -> [UInt8] {
        var out: [UInt8] = []
        _ = try VaultReader.stream(path: path(for: hash).file, hash: hash, master: masterKey) { chunk in
            out.append(contentsOf: chunk)
        }
        return out
    }

    /// Streams the plaintext of `hash` to `handle` in bounded memory; returns the byte count.
    /// When this throws after writing began, what was written must be discarded.
    @discardableResult
    public func get(_ hash: Hash32, to handle: FileHandle) throws(VaultError) -> Int64 {
        let fd = handle.fileDescriptor
        return try VaultReader.stream(path: path(for: hash).file, hash: hash, master: masterKey) { (chunk) throws(VaultError) in
            guard POSIX.writeAll(fd, chunk) else { throw .io(path: "<output>", detail: "write: \(POSIX.errorText())") }
        }
    }

    /// Writes the verified plaintext of `hash` to the file `destination`, in bounded memory and
    /// straight to the device where the file system takes `O_DIRECT`, so a datapoint of gigabytes
    /// read out once does not fill the page cache. The bytes go to a temporary file beside
    /// `destination` (mode 0600) that replaces it only once every chunk authenticated and the
    /// plaintext hashed to `hash`: on any failure `destination` is as it was and no temporary
    /// file is left.
    /// - Returns: the bytes written.
    /// - Throws: ``VaultError/notFound(dataHash:)`` before any file is created when nothing is
    ///   stored under `hash`; ``VaultError/io(path:detail:)`` naming the path and call that failed.
    @discardableResult
    public func get(_ hash: Hash32, toFile destination: URL) throws(VaultError) -> Int64 {
        let reader = try reader(for: hash)
        let output: StagedBlockFile
        do { output = try StagedBlockFile(destination: destination.path) } catch { throw .io(path: error.path, detail: error.detail) }
        while try reader.next({ (chunk) throws(VaultError) in
            do throws(BlockFileFailure) { try output.write(chunk) } catch { throw .io(path: error.path, detail: error.detail) }
        }) {}
        do { try output.commit() } catch { throw .io(path: error.path, detail: error.detail) }
        return reader.size
    }

    /// Streams the verified plaintext of `hash` to `sink` chunk by chunk (at most 64 KiB each).
    /// When this throws after chunks were delivered, they must be discarded.
    @discardableResult
    public func read(_ hash: Hash32, into sink: (UnsafeRawBufferPointer) throws(VaultError) -> Void) throws(VaultError) -> Int64 {
        try VaultReader.stream(path: path(for: hash).file, hash: hash, master: masterKey, into: sink)
    }

    // MARK: - Remove

    /// Deletes the file of `hash`.
    /// - Throws: ``VaultError/notFound(dataHash:)`` when nothing is stored under it.
    public func remove(_ hash: Hash32) throws(VaultError) {
        let file = path(for: hash).file
        guard unlink(file) == 0 else {
            if errno == ENOENT { throw .notFound(dataHash: hash) }
            throw .io(path: file, detail: "unlink: \(POSIX.errorText())")
        }
    }

    // MARK: - Rotation

    /// Every stored dataHash, in ascending order.
    public func storedHashes() throws(VaultError) -> [Hash32] {
        var out: [Hash32] = []
        let fans: [String]
        do { fans = try FileManager.default.contentsOfDirectory(atPath: objectsPath).sorted() } catch {
            throw .io(path: objectsPath, detail: "list: \(error.localizedDescription)")
        }
        for fan in fans {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: objectsPath + "/" + fan)) ?? []
            for name in names.sorted() where name.hasSuffix(".dtv") {
                if let hash = try? Hash32(hex: fan + String(name.dropLast(4))) { out.append(hash) }
            }
        }
        return out
    }

    /// Re-wraps every datapoint key from this vault's master key to `newKey` (the data is not
    /// re-encrypted) and returns a vault that uses `newKey`. Files already wrapped by `newKey`
    /// are skipped, so an interrupted rotation is finished by running it again.
    /// - Returns: the rotated vault and the number of keys re-wrapped.
    public func rotate(to newKey: MasterKey) throws(VaultError) -> (vault: Vault, rewrapped: Int) {
        var count = 0
        for hash in try storedHashes() {
            let file = path(for: hash).file
            let fd = open(file, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { throw .io(path: file, detail: "open: \(POSIX.errorText())") }
            defer { close(fd) }
            var header = [UInt8](repeating: 0, count: VaultFileFormat.wrapHeaderBytes)
            let got = try POSIX.readFully(fd, into: &header, path: file)
            guard got == header.count else { throw .integrity(dataHash: hash, detail: "header is \(got) bytes") }
            if Array(header[VaultFileFormat.keyIDOffset..<VaultFileFormat.wrapNonceOffset]) == newKey.id { continue }
            var (version, dataKey) = try VaultFileFormat.unwrap(header: header, master: masterKey, hash: hash)
            defer { SecureRandom.wipe(&dataKey) }
            try POSIX.pwriteAll(
                fd, VaultFileFormat.wrapHeader(dataKey: dataKey, master: newKey, hash: hash, version: version), offset: 0, path: file)
            if fsync(fd) != 0 { throw .io(path: file, detail: "fsync: \(POSIX.errorText())") }
            count += 1
        }
        return (try Vault(folder: folder, masterKey: newKey, syncWrites: syncWrites), count)
    }
}
