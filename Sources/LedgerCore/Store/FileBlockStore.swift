public import Foundation

/// A crash-safe, append-only block store in a folder, shared safely by several processes.
///
/// Layout:
/// - `genesis.json`: the canonical genesis configuration, written once.
/// - `blocks.log`: one record per block, appended and `fsync`ed before ``append(_:)``
///   returns: `"DMB1"`, payload length (UInt32, little-endian), the first 8 bytes of the
///   payload's Keccak-256, then the payload (``Block/encoded``). The state is never rewritten.
/// - `snapshots/state-<height>.bin`: the canonical state every N blocks, written to a temporary
///   file, synced and renamed, so reopening costs a snapshot load plus a short replay.
/// - `lock`: `flock(2)` on it serialises writers across processes.
///
/// Opening checks every record's checksum and the hash chain (each header names its
/// parent's hash). A record cut short at the very end of the log is a torn write from a
/// crash: it was never acknowledged, so it is dropped and reported in ``warnings``. Any other
/// damage refuses to open with ``ChainError/corrupt(height:reason:)`` naming the height;
/// nothing is repaired silently.
///
/// A handle opened with ``init(readingFolder:)`` only reads: it never takes the writers'
/// lock (so a writer holding it for a long time delays nothing), never repairs, and sees the
/// blocks other processes append as soon as their records are whole. ``ChainFollower`` uses it.
public final class FileBlockStore: BlockStore, @unchecked Sendable {
    // @unchecked: the mutable properties (`offsets`, `tipHash`, `scanned`, `depth`,
    // `warningLog`) are only touched while holding `mutex`; the file descriptors are owned
    // by this object, used under `mutex`, and closed in `deinit`.
    private let mutex = NSRecursiveLock()
    private var depth = 0
    private let logFD: Int32
    private let lockFD: Int32
    private var offsets: [UInt64] = []
    private var tipHash: Hash32 = .zero
    private var scanned: UInt64 = 0
    private var warningLog: [String] = []

    /// The folder holding the store.
    public let folder: URL
    /// Whether this handle only reads (see ``init(readingFolder:)``).
    public let isReadOnly: Bool

    static let magic: [UInt8] = Array("DMB1".utf8)
    static let recordHeaderSize = 16
    static let snapshotMagic: [UInt8] = Array("DMS1".utf8)
    /// How many snapshots are kept.
    static let keptSnapshots = 2

    /// Opens (creating if needed) the store in `folder`, verifying the log.
    public init(folder: URL) throws(ChainError) {
        self.folder = folder
        isReadOnly = false
        do {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("snapshots"), withIntermediateDirectories: true)
        } catch {
            throw .storage("cannot create \(folder.path): \(error.localizedDescription)")
        }
        let lfd = open(folder.appendingPathComponent("lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lfd >= 0 else { throw .storage("cannot open \(folder.path)/lock: \(FileBlockStore.errnoText())") }
        let bfd = open(folder.appendingPathComponent("blocks.log").path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard bfd >= 0 else {
            close(lfd)
            throw .storage("cannot open \(folder.path)/blocks.log: \(FileBlockStore.errnoText())")
        }
        lockFD = lfd
        logFD = bfd
        // Scan under the writers' lock, so a record another process is writing right now is
        // never mistaken for a torn one.
        try withFileLock { () throws(ChainError) in try scan(repairTornTail: true) }
    }

    /// Opens the existing store in `folder` for reading only, without taking the writers' lock.
    ///
    /// The log is checked as far as its last whole record; an incomplete record at the end is a
    /// write in progress (or a crashed one, which the next writer drops) and is not read until
    /// it is whole. Appending through this handle throws ``ChainError/storage(_:)``.
    public init(readingFolder folder: URL) throws(ChainError) {
        self.folder = folder
        isReadOnly = true
        let bfd = open(folder.appendingPathComponent("blocks.log").path, O_RDONLY | O_CLOEXEC)
        guard bfd >= 0 else { throw .storage("cannot open \(folder.lastPathComponent)/blocks.log for reading: \(FileBlockStore.errnoText())") }
        logFD = bfd
        lockFD = -1
        mutex.lock()
        defer { mutex.unlock() }
        try scan(repairTornTail: false)
    }

    deinit {
        close(logFD)
        if lockFD >= 0 { close(lockFD) }
    }

    /// Problems found and handled while opening (a dropped torn write, a skipped snapshot).
    public var warnings: [String] { mutex.withLock { warningLog } }

    /// The height of the newest stored block, or nil if the store is empty.
    public var tipHeight: UInt64? { mutex.withLock { offsets.isEmpty ? nil : UInt64(offsets.count - 1) } }

    // MARK: - BlockStore

    /// The configuration in `genesis.json`, or nil before the store is initialised.
    public func genesis() throws(ChainError) -> GenesisConfig? {
        let url = folder.appendingPathComponent("genesis.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(GenesisConfig.self, from: try Data(contentsOf: url))
        } catch {
            throw .corrupt(height: 0, reason: "genesis.json cannot be read: \(CanonicalJSON.describe(error))")
        }
    }

    /// Writes `genesis.json` atomically and appends the genesis block; refuses a store that holds blocks.
    public func initialize(genesis: GenesisConfig, block: Block) throws(ChainError) {
        try withFileLock { () throws(ChainError) in
            try scan(repairTornTail: true)
            // A genesis.json without block 0 is an initialisation cut short: start it over.
            guard offsets.isEmpty else {
                throw .alreadyInitialized(height: UInt64(max(offsets.count, 1) - 1))
            }
            let data: [UInt8]
            do { data = try CanonicalJSON.encode(genesis) } catch { throw .storage("cannot encode genesis: \(error)") }
            try FileBlockStore.writeAtomically(data, to: folder.appendingPathComponent("genesis.json"))
            try appendRecords([block])
        }
    }

    /// Runs `body` holding the writers' file lock, so no other process appends meanwhile.
    public func exclusively<T>(_ body: () throws -> T) throws -> T {
        try withFileLock { try body() }
    }

    /// Appends `block` as one record and syncs it before returning; it must be the next height and name the tip as parent.
    public func append(_ block: Block) throws(ChainError) {
        try withFileLock { () throws(ChainError) in
            // Holding the writers' lock, no one else is writing: an incomplete record at the
            // end is a crashed writer's torn write and must go before ours is appended, or
            // ours would land behind it and the log would read as damaged.
            try scan(repairTornTail: true)
            try appendRecords([block])
        }
    }

    /// Appends `blocks` as consecutive records with one write and one sync for all of them;
    /// each must be the next height and name the one before it (the tip, for the first) as
    /// parent. Nothing is appended if one does not follow.
    public func append(contentsOf blocks: [Block]) throws(ChainError) {
        guard !blocks.isEmpty else { return }
        try withFileLock { () throws(ChainError) in
            try scan(repairTornTail: true)
            try appendRecords(blocks)
        }
    }

    /// The stored blocks from `height` on, each record's checksum and roots checked.
    public func blocks(from height: UInt64) throws(ChainError) -> [Block] {
        mutex.lock()
        defer { mutex.unlock() }
        try scan(repairTornTail: false)
        guard height < UInt64(offsets.count) else { return [] }
        let start = offsets[Int(height)]
        let bytes = try readRange(from: start, to: scanned)
        var out: [Block] = []
        out.reserveCapacity(offsets.count - Int(height))
        var p = 0
        var h = height
        while p < bytes.count {
            let (payload, next) = try FileBlockStore.record(in: bytes, at: p, height: h, isLast: false)
            do { out.append(try Block(encoded: payload)) } catch {
                throw .corrupt(height: h, reason: "block record does not decode: \(error)")
            }
            p = next
            h += 1
        }
        return out
    }

    /// The block at `height`, or nil past the tip.
    public func block(at height: UInt64) throws(ChainError) -> Block? {
        mutex.lock()
        defer { mutex.unlock() }
        try scan(repairTornTail: false)
        guard height < UInt64(offsets.count) else { return nil }
        let start = offsets[Int(height)]
        let end = Int(height) + 1 < offsets.count ? offsets[Int(height) + 1] : scanned
        let bytes = try readRange(from: start, to: end)
        let (payload, _) = try FileBlockStore.record(in: bytes, at: 0, height: height, isLast: false)
        do { return try Block(encoded: payload) } catch {
            throw .corrupt(height: height, reason: "block record does not decode: \(error)")
        }
    }

    /// The newest snapshot whose marker, height and hash check out; damaged ones are skipped and reported in ``warnings``.
    public func latestSnapshot() throws(ChainError) -> (height: UInt64, state: [UInt8])? {
        for (height, url) in snapshotFiles().reversed() {
            guard let data = try? Data(contentsOf: url) else { continue }
            let bytes = [UInt8](data)
            if bytes.count >= 44, Array(bytes[0..<4]) == FileBlockStore.snapshotMagic {
                let body = Array(bytes[44...])
                let storedHeight = bytes[4..<12].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
                if storedHeight == height, Keccak256.hash(body).bytes == Array(bytes[12..<44]) {
                    return (height, body)
                }
            }
            mutex.withLock { warningLog.append("snapshot \(url.lastPathComponent) is damaged and was ignored; state is rebuilt from the blocks instead") }
        }
        return nil
    }

    /// Writes `snapshots/state-<height>.bin` atomically and keeps only the newest snapshots.
    public func saveSnapshot(height: UInt64, state: [UInt8]) throws(ChainError) {
        guard !isReadOnly else { throw .storage("\(folder.lastPathComponent) was opened for reading only; snapshots are written by writers") }
        var bytes = FileBlockStore.snapshotMagic
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: height >> (8 * UInt64(i)))) }
        bytes += Keccak256.hash(state).bytes
        bytes += state
        let name = String(format: "state-%020llu.bin", height)
        try FileBlockStore.writeAtomically(bytes, to: folder.appendingPathComponent("snapshots").appendingPathComponent(name))
        for (_, url) in snapshotFiles().dropLast(FileBlockStore.keptSnapshots) {
            try? FileManager.default.removeItem(at: url)
        }
    }

    // MARK: - Log records

    /// Writes the records of `blocks` in one `write(2)` and syncs once; a partial write is
    /// taken back so the log always ends on a whole record.
    private func appendRecords(_ blocks: [Block]) throws(ChainError) {
        var expected = UInt64(offsets.count)
        var parent = tipHash
        var bytes: [UInt8] = []
        var recordStarts: [UInt64] = []
        for block in blocks {
            guard block.height == expected else { throw .heightMismatch(expected: expected, found: block.height) }
            if block.height > 0, block.header.parentHash != parent {
                throw .parentMismatch(height: block.height, expected: parent, found: block.header.parentHash)
            }
            let payload = block.encoded
            guard payload.count <= Int(UInt32.max) else { throw .storage("block \(block.height) is too large to store") }
            recordStarts.append(scanned + UInt64(bytes.count))
            bytes += FileBlockStore.magic
            let length = UInt32(payload.count)
            for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * UInt32(i)))) }
            bytes += Keccak256.hash(payload).bytes.prefix(8)
            bytes += payload
            expected += 1
            parent = block.hash
        }
        let first = blocks.first?.height ?? expected
        let last = expected - 1
        let what = first == last ? "block \(first)" : "blocks \(first)–\(last)"
        let written = bytes.withUnsafeBytes { write(logFD, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            let reason = FileBlockStore.errnoText()
            // Take back a partial write so the log ends on a whole record.
            _ = ftruncate(logFD, off_t(scanned))
            throw .storage("cannot append \(what) to blocks.log: \(written < 0 ? reason : "short write")")
        }
        guard fdatasync(logFD) == 0 else {
            throw .storage("cannot sync blocks.log after \(what): \(FileBlockStore.errnoText())")
        }
        offsets += recordStarts
        scanned += UInt64(bytes.count)
        tipHash = parent
    }

    /// Reads records appended since the last scan, checking checksums and the hash chain.
    private func scan(repairTornTail: Bool) throws(ChainError) {
        let size = try fileSize()
        guard size > scanned else {
            guard size == scanned else { throw .corrupt(height: UInt64(offsets.count), reason: "blocks.log shrank from \(scanned) to \(size) bytes") }
            return
        }
        let bytes = try readRange(from: scanned, to: size)
        var p = 0
        while p < bytes.count {
            let height = UInt64(offsets.count)
            let remaining = bytes.count - p
            let complete: Bool
            if remaining < FileBlockStore.recordHeaderSize {
                complete = false
            } else {
                let length = (0..<4).reduce(0) { $0 | Int(bytes[p + 4 + $1]) << (8 * $1) }
                complete = remaining >= FileBlockStore.recordHeaderSize + length
            }
            guard complete else {
                // A torn write leaves a prefix of one record at the very end of the file;
                // bytes that cannot be that (a damaged length field with whole records
                // after it, or no record marker) are damage and must not be cut off.
                if let reason = FileBlockStore.notATornWrite(bytes, at: p) ?? FileBlockStore.tornTailContradiction(bytes, at: p) {
                    throw .corrupt(height: height, reason: reason)
                }
                if repairTornTail {
                    let keep = scanned + UInt64(p)
                    guard ftruncate(logFD, off_t(keep)) == 0, fdatasync(logFD) == 0 else {
                        throw .storage("cannot drop the torn write at the end of blocks.log: \(FileBlockStore.errnoText())")
                    }
                    warningLog.append("dropped an incomplete record for block \(height) (\(remaining) bytes) at the end of blocks.log: a write interrupted by a crash, never acknowledged")
                }
                break
            }
            let (payload, next) = try FileBlockStore.record(in: bytes, at: p, height: height, isLast: true)
            let header: BlockHeader
            do {
                let items = try RLP.decode(payload).list("block", count: 3)
                header = try BlockHeader(rlp: items[0])
            } catch {
                throw .corrupt(height: height, reason: "header does not decode: \(error)")
            }
            guard header.height == height else { throw .corrupt(height: height, reason: "record holds block \(header.height)") }
            if height > 0, header.parentHash != tipHash {
                throw .corrupt(height: height, reason: "parent hash \(header.parentHash) is not the hash of block \(height - 1) (\(tipHash))")
            }
            offsets.append(scanned + UInt64(p))
            tipHash = header.hash
            p = next
        }
        scanned += UInt64(p)
    }

    /// Why the incomplete record at `p` (running to the end of `bytes`) cannot be a torn write,
    /// or nil if it can. A torn write is a prefix of a whole record: its marker bytes are the
    /// marker, and the payload's own RLP list header, once present, declares the same length
    /// as the record header.
    static func tornTailContradiction(_ bytes: [UInt8], at p: Int) -> String? {
        let remaining = bytes.count - p
        let markerBytes = min(remaining, magic.count)
        guard Array(bytes[p..<p + markerBytes]) == Array(magic.prefix(markerBytes)) else {
            return "record marker missing at this block's position in blocks.log"
        }
        guard remaining > recordHeaderSize else { return nil }
        let length = (0..<4).reduce(0) { $0 | Int(bytes[p + 4 + $1]) << (8 * $1) }
        let payload = p + recordHeaderSize
        let prefix = bytes[payload]
        guard prefix >= 0xC0 else { return "record payload does not start with an RLP list" }
        let declared: Int
        if prefix <= 0xF7 {
            declared = 1 + Int(prefix - 0xC0)
        } else {
            let lengthOfLength = Int(prefix - 0xF7)
            guard bytes.count - payload > lengthOfLength else { return nil }
            guard lengthOfLength <= 4 else { return "record payload declares an impossible length" }
            let inner = (1...lengthOfLength).reduce(0) { $0 << 8 | Int(bytes[payload + $1]) }
            declared = 1 + lengthOfLength + inner
        }
        guard declared == length else {
            return "record length field says \(length) bytes but the block inside declares \(declared): the length field was altered, the record is not a torn write"
        }
        return nil
    }

    /// Why the incomplete bytes from `p` to the end cannot be a torn final write, or nil if
    /// they can: they must start like a record, and no whole, checksum-valid record may
    /// follow inside them.
    static func notATornWrite(_ bytes: [UInt8], at p: Int) -> String? {
        let present = min(magic.count, bytes.count - p)
        guard Array(bytes[p..<p + present]) == Array(magic.prefix(present)) else {
            return "record marker missing at this block's position in blocks.log"
        }
        var q = p + 1
        while q + recordHeaderSize <= bytes.count {
            if bytes[q] == magic[0], Array(bytes[q..<q + 4]) == magic {
                let length = (0..<4).reduce(0) { $0 | Int(bytes[q + 4 + $1]) << (8 * $1) }
                let start = q + recordHeaderSize
                if start + length <= bytes.count,
                   Array(Keccak256.hash(Array(bytes[start..<start + length])).bytes.prefix(8)) == Array(bytes[q + 8..<q + 16]) {
                    return "the record's length field runs past the end of blocks.log, yet a whole record follows "
                        + "\(q - p) bytes later: the record is damaged, not a torn final write"
                }
            }
            q += 1
        }
        return nil
    }

    /// The payload of the record at `p`, and where the next record starts.
    private static func record(in bytes: [UInt8], at p: Int, height: UInt64, isLast: Bool) throws(ChainError) -> ([UInt8], Int) {
        guard bytes.count - p >= recordHeaderSize, Array(bytes[p..<p + 4]) == magic else {
            throw .corrupt(height: height, reason: "record marker missing at this block's position in blocks.log")
        }
        let length = (0..<4).reduce(0) { $0 | Int(bytes[p + 4 + $1]) << (8 * $1) }
        let start = p + recordHeaderSize
        guard start + length <= bytes.count else { throw .corrupt(height: height, reason: "record is cut short") }
        let payload = Array(bytes[start..<start + length])
        guard Array(Keccak256.hash(payload).bytes.prefix(8)) == Array(bytes[p + 8..<p + 16]) else {
            throw .corrupt(height: height, reason: "checksum mismatch: the record's bytes were altered")
        }
        return (payload, start + length)
    }

    // MARK: - Files

    private func withFileLock<T>(_ body: () throws -> T) throws -> T {
        guard !isReadOnly else { throw ChainError.storage("\(folder.lastPathComponent) was opened for reading only; open it with FileBlockStore(folder:) to write") }
        mutex.lock()
        defer { mutex.unlock() }
        if depth == 0 {
            while flock(lockFD, LOCK_EX) != 0 {
                guard errno == EINTR else { throw ChainError.storage("cannot lock \(folder.path)/lock: \(FileBlockStore.errnoText())") }
            }
        }
        depth += 1
        defer {
            depth -= 1
            if depth == 0 { flock(lockFD, LOCK_UN) }
        }
        return try body()
    }

    private func withFileLock<T>(_ body: () throws(ChainError) -> T) throws(ChainError) -> T {
        do {
            return try withFileLock { () throws -> T in try body() }
        } catch let e as ChainError {
            throw e
        } catch {
            throw .storage("\(error)")
        }
    }

    private func fileSize() throws(ChainError) -> UInt64 {
        var st = stat()
        guard fstat(logFD, &st) == 0 else { throw .storage("cannot stat blocks.log: \(FileBlockStore.errnoText())") }
        return UInt64(st.st_size)
    }

    private func readRange(from start: UInt64, to end: UInt64) throws(ChainError) -> [UInt8] {
        let count = Int(end - start)
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(logFD, base + done, count - done, off_t(start) + off_t(done))
            }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .storage("cannot read blocks.log: \(n < 0 ? FileBlockStore.errnoText() : "unexpected end of file")") }
            done += n
        }
        return bytes
    }

    private func snapshotFiles() -> [(UInt64, URL)] {
        let dir = folder.appendingPathComponent("snapshots")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.compactMap { name -> (UInt64, URL)? in
            guard name.hasPrefix("state-"), name.hasSuffix(".bin"), let h = UInt64(name.dropFirst(6).dropLast(4)) else { return nil }
            return (h, dir.appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
    }

    /// Writes `bytes` to a temporary file, syncs it, renames it over `url` and syncs the folder.
    static func writeAtomically(_ bytes: [UInt8], to url: URL) throws(ChainError) {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".tmp-\(UUID().uuidString)")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .storage("cannot create \(tmp.path): \(errnoText())") }
        let ok = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count } && fsync(fd) == 0
        close(fd)
        guard ok, rename(tmp.path, url.path) == 0 else {
            let reason = errnoText()
            unlink(tmp.path)
            throw .storage("cannot write \(url.path): \(reason)")
        }
        let dfd = open(dir.path, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
