import Foundation
import LedgerCore

/// Why a follower's journal of forwarded transactions cannot be used.
public enum ForwardJournalError: Error, Equatable, Sendable {
    /// The file cannot be read, written or flushed (permissions, a full disk).
    case io(path: String, reason: String)
    /// A complete line of the file is not `+ 0x<transaction>` or `- 0x<hash>`.
    case badLine(path: String, line: Int, reason: String)
}

extension ForwardJournalError: CustomStringConvertible {
    /// The error as one sentence: what was wrong and what was expected.
    public var description: String {
        switch self {
        case .io(let path, let reason):
            "forwarded-transactions journal \(path): \(reason)"
        case .badLine(let path, let line, let reason):
            "forwarded-transactions journal \(path), line \(line): \(reason); expected `+ 0x<canonical transaction bytes>` or `- 0x<transaction hash>` (move the file away to start with an empty list)"
        }
    }
}

/// On a follower: the transactions it forwarded to its leader that are not yet in a replicated
/// block, kept in a file so that a follower killed (even with SIGKILL) and restarted still
/// reports them pending and hands the ones its leader lost over again.
///
/// The file is a journal of lines, each written whole:
///
/// - `+ 0x<canonical bytes>` when a transaction is about to be forwarded; the follower flushes
///   it to disk (``Flush``, off its actor, so concurrent forwards share the disk's work) before
///   it hands the transaction over, so no transaction the leader may hold is missing from it;
/// - `- 0x<hash>` when it leaves the list (included in a replicated block, refused, or not
///   taken because the leader could not be reached). These are not flushed one by one: one lost
///   in a crash leaves an entry that the restarted follower finds in a block, or asks the
///   leader about, and settles again.
///
/// Opening replays the lines (a last line without its newline, cut short by a crash, is
/// ignored) and rewrites the file with only the live entries; the file is rewritten the same
/// way whenever the settled lines outnumber the live ones by a margin. Owned by one ``Node``
/// and used only on its actor.
final class ForwardJournal {
    /// The journal file.
    let url: URL
    /// The transactions forwarded and not yet settled, in the order they were forwarded.
    private(set) var live: [Hash32: SignedTransaction] = [:]
    private var order: [Hash32] = []
    private var handle: FileHandle
    private var settledLines = 0

    /// Compaction waits for at least this many settled lines.
    private static let compactionFloor = 1_024

    /// Opens (or creates) the journal at `url` and replays it.
    ///
    /// - Throws: ``ForwardJournalError`` when the file cannot be read or rewritten, or a complete
    ///   line is malformed.
    init(url: URL) throws(ForwardJournalError) {
        self.url = url
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .io(path: url.path, reason: "cannot create its folder: \(error)")
        }
        var text = ""
        if manager.fileExists(atPath: url.path) {
            do { text = String(decoding: try Data(contentsOf: url), as: UTF8.self) } catch {
                throw .io(path: url.path, reason: "cannot read it: \(error)")
            }
        }
        var live: [Hash32: SignedTransaction] = [:]
        var order: [Hash32] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // The last element is "" after a final newline, or a line a crash cut short.
        lines.removeLast()
        for (number, line) in zip(1..., lines) {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0] == "+" || parts[0] == "-" else {
                throw .badLine(path: url.path, line: number, reason: "`\(line.prefix(40))` has no `+ ` or `- ` prefix")
            }
            if parts[0] == "+" {
                let tx: SignedTransaction
                do { tx = try SignedTransaction(encoded: try Hex.decode(String(parts[1]), field: "transaction")) } catch {
                    throw .badLine(path: url.path, line: number, reason: "not a signed transaction: \(error)")
                }
                if live.updateValue(tx, forKey: tx.hash) == nil { order.append(tx.hash) }
            } else {
                do { live[try Hash32(hex: String(parts[1]))] = nil } catch {
                    throw .badLine(path: url.path, line: number, reason: "\(error)")
                }
            }
        }
        order = order.filter { live[$0] != nil }
        handle = try Self.rewrite(url, with: order.compactMap { live[$0] })
        self.live = live
        self.order = order
    }

    /// The live entries in the order they were forwarded.
    var transactions: [SignedTransaction] { order.compactMap { live[$0] } }

    /// Records that `transaction` is about to be forwarded (written, not yet flushed); run the
    /// returned flush before handing it over.
    func add(_ transaction: SignedTransaction) throws(ForwardJournalError) -> Flush {
        if live[transaction.hash] == nil {
            try append("+ " + Hex.encode(transaction.encoded) + "\n")
            live[transaction.hash] = transaction
            order.append(transaction.hash)
        }
        // A duplicate of the descriptor: a compaction may close the journal's own meanwhile
        // (having flushed every live entry into the new file itself).
        let descriptor = dup(handle.fileDescriptor)
        guard descriptor >= 0 else { throw .io(path: url.path, reason: "cannot duplicate its descriptor to flush it: errno \(errno)") }
        return Flush(descriptor: descriptor, path: url.path)
    }

    /// A flush of what the journal holds so far, to run off the node's actor.
    struct Flush: Sendable {
        /// A descriptor of the journal file of its own, closed by ``run()``.
        let descriptor: Int32
        /// The journal's path, for the error.
        let path: String

        /// Flushes the file to disk (`fsync`) on a thread of the global pool and closes the descriptor.
        func run() async throws(ForwardJournalError) {
            let descriptor = self.descriptor
            let failure = await Task.detached { () -> Int32 in
                defer { close(descriptor) }
                return fsync(descriptor) == 0 ? 0 : errno
            }.value
            guard failure == 0 else { throw .io(path: path, reason: "cannot flush it to disk: errno \(failure)") }
        }
    }

    /// Records that `hash` left the list (nothing when it is not in it). A failure to write is
    /// not fatal: the entry is settled again, or asked about at the leader, after a restart.
    func settle(_ hash: Hash32) throws(ForwardJournalError) {
        guard live.removeValue(forKey: hash) != nil else { return }
        settledLines += 1
        if settledLines >= Self.compactionFloor, settledLines > 2 * live.count {
            order = order.filter { live[$0] != nil }
            try? handle.close()
            handle = try Self.rewrite(url, with: transactions)
            settledLines = 0
            return
        }
        try append("- " + hash.hex + "\n")
    }

    private func append(_ line: String) throws(ForwardJournalError) {
        do {
            try handle.write(contentsOf: Data(line.utf8))
        } catch {
            throw .io(path: url.path, reason: "cannot append to it: \(error)")
        }
    }

    /// Writes `transactions` as the whole journal (a new file renamed over the old one, both
    /// flushed) and returns a handle appending to it.
    private static func rewrite(_ url: URL, with transactions: [SignedTransaction]) throws(ForwardJournalError) -> FileHandle {
        let temporary = url.appendingPathExtension("new")
        let text = transactions.map { "+ " + Hex.encode($0.encoded) + "\n" }.joined()
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw ForwardJournalError.io(path: temporary.path, reason: "cannot create it")
            }
            let out = try FileHandle(forWritingTo: temporary)
            try out.write(contentsOf: Data(text.utf8))
            try out.synchronize()
            try out.close()
            guard rename(temporary.path, url.path) == 0 else {
                throw ForwardJournalError.io(path: url.path, reason: "cannot rename \(temporary.lastPathComponent) over it: errno \(errno)")
            }
            let handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
            return handle
        } catch let error as ForwardJournalError {
            throw error
        } catch {
            throw .io(path: url.path, reason: "cannot rewrite it: \(error)")
        }
    }

    deinit { try? handle.close() }
}
