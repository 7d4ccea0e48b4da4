import Foundation

/// An append-only file of the uses a host served, one line `bundle served-total` per admitted
/// call, written before the prediction is returned. A host restarted after `kill -9` reads it
/// back (``load()``), so uses served but not yet reported are not served again.
///
/// Lines go to the file with `write(2)` and no `fsync`: they survive the process being killed
/// (the kernel holds them), not a power cut. A torn last line is ignored on load.
public final class UsageJournal: @unchecked Sendable {
    // @unchecked: `handle` is only used under `lock`.
    private let lock = NSLock()
    private let handle: FileHandle
    /// The journal file.
    public let url: URL

    /// Opens (creating) the journal at `url`.
    /// - Throws: `internalFailure` when the file cannot be created or opened.
    public init(url: URL) throws(ModelHostError) {
        self.url = url
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw .internalFailure("usage journal: cannot create \(url.path)")
            }
        }
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch { throw .internalFailure("usage journal: cannot open \(url.path): \(error.localizedDescription)") }
    }

    deinit { try? handle.close() }

    /// The largest served total recorded for each bundle.
    public func load() throws(ModelHostError) -> [UInt64: UInt64] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .internalFailure("usage journal: cannot read \(url.path): \(error.localizedDescription)")
        }
        var served: [UInt64: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let b = UInt64(parts[0]), let n = UInt64(parts[1]) else { continue }
            served[b] = max(served[b] ?? 0, n)
        }
        return served
    }

    /// Appends `bundle`'s new served total.
    /// - Throws: `internalFailure` when the write fails (the call is then not served).
    public func record(bundle: UInt64, served: UInt64) throws(ModelHostError) {
        let line = Data("\(bundle) \(served)\n".utf8)
        do { try lock.withLock { try handle.write(contentsOf: line) } } catch {
            throw .internalFailure("usage journal: cannot append to \(url.path): \(error.localizedDescription)")
        }
    }
}
