public import Foundation

/// An append-only file of the uses a host served, one line `bundle served-total` per admitted
/// call (`bundle served-total uses request-id` when the caller named its request), written before
/// the prediction is returned. A host restarted after `kill -9` reads it back (``load()`` and
/// ``requests()``), so uses served but not yet reported are not served again, and a retried
/// request whose answer was lost is not charged again.
///
/// Lines go to the file with `write(2)` and no `fsync`: they survive the process being killed
/// (the kernel holds them), not a power cut. A torn last line (no newline) is ignored on load and
/// cut off when the journal is opened for writing.
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
            // A line whose write did not finish is cut off, so the next line starts on its own.
            let text = try Data(contentsOf: url)
            let end = text.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? text.startIndex
            if end < text.endIndex { try handle.truncate(atOffset: UInt64(end - text.startIndex)) }
            try handle.seekToEnd()
        } catch { throw .internalFailure("usage journal: cannot open \(url.path): \(error.localizedDescription)") }
    }

    deinit { try? handle.close() }

    /// The complete lines of the journal, split into fields (a torn last line is left out).
    private func lines() throws(ModelHostError) -> [[Substring]] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .internalFailure("usage journal: cannot read \(url.path): \(error.localizedDescription)")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // after the last newline: empty, or a line whose write did not finish
        return lines.map { $0.split(separator: " ") }
    }

    /// The largest served total recorded for each bundle.
    public func load() throws(ModelHostError) -> [UInt64: UInt64] {
        var served: [UInt64: UInt64] = [:]
        for parts in try lines() {
            guard parts.count == 2 || parts.count == 4, let b = UInt64(parts[0]), let n = UInt64(parts[1]) else { continue }
            served[b] = max(served[b] ?? 0, n)
        }
        return served
    }

    /// The calls recorded with a request id, by id.
    public func requests() throws(ModelHostError) -> [String: ChargedRequest] {
        var charged: [String: ChargedRequest] = [:]
        for parts in try lines() {
            guard parts.count == 4, let b = UInt64(parts[0]), let uses = UInt64(parts[2]) else { continue }
            charged[String(parts[3])] = ChargedRequest(bundle: b, uses: uses)
        }
        return charged
    }

    /// Appends `bundle`'s new served total, and the call that raised it when it has a request id
    /// (a valid ``ChargedRequest/isValidID(_:)``, so the line stays four fields).
    /// - Throws: `internalFailure` when the write fails (the call is then not served).
    public func record(bundle: UInt64, served: UInt64, request: (id: String, uses: UInt64)? = nil) throws(ModelHostError) {
        var text = "\(bundle) \(served)"
        if let request {
            guard ChargedRequest.isValidID(request.id) else { throw .internalFailure("usage journal: request id \(request.id.prefix(80)) cannot be recorded") }
            text += " \(request.uses) \(request.id)"
        }
        let line = Data((text + "\n").utf8)
        do { try lock.withLock { try handle.write(contentsOf: line) } } catch {
            throw .internalFailure("usage journal: cannot append to \(url.path): \(error.localizedDescription)")
        }
    }
}
