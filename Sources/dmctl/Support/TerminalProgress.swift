import Foundation
import LedgerCore

/// Progress of long work on standard error, only when standard error is a terminal.
///
/// Nothing is written during the first second, so quick runs stay quiet; after that the line
/// is rewritten in place at most five times a second, and ``finish()`` ends it with the time
/// taken. Scripts (stderr redirected) never see it, and it never touches standard output.
struct TerminalProgress {
    /// What is being done, e.g. `verify`.
    let label: String
    /// Whether anything may be written (standard error is a terminal).
    let enabled: Bool
    private let started = Date()
    private var lastWrite: Date?

    /// A progress line for `label`; `enabled` defaults to whether stderr is a terminal.
    init(_ label: String, enabled: Bool = isatty(2) != 0) {
        self.label = label
        self.enabled = enabled
    }

    /// Reports `done` out of `total` (nil if unknown) in `unit`s.
    mutating func update(_ done: UInt64, of total: UInt64?, unit: String) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(started) >= 1 else { return }
        if let lastWrite, now.timeIntervalSince(lastWrite) < 0.2, done != total { return }
        lastWrite = now
        var text = "\r\(label): \(done)"
        if let total, total > 0 { text += "/\(total) \(unit) (\(done * 100 / total) %)" } else { text += " \(unit)" }
        FileHandle.standardError.write(Data((text + "\u{1B}[K").utf8))
    }

    /// Reports the step now under way (for work made of a few steps without counts).
    mutating func phase(_ text: String) {
        guard enabled, Date().timeIntervalSince(started) >= 1 else { return }
        lastWrite = Date()
        FileHandle.standardError.write(Data("\r\(label): \(text)\u{1B}[K".utf8))
    }

    /// Ends the progress line (if one was written) with the elapsed time.
    func finish() {
        guard enabled, lastWrite != nil else { return }
        let text = String(format: "\r%@: done in %.1f s\u{1B}[K\n", label, Date().timeIntervalSince(started))
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Keccak-256 of everything `handle` yields, read 1 MiB at a time, with progress in MiB
    /// against `size` when it is known.
    ///
    /// - Throws: the read error (a folder, a device error), never a crash.
    static func keccak(of handle: FileHandle, size: UInt64?, label: String) throws -> Hash32 {
        var hasher = Keccak256()
        var progress = TerminalProgress(label)
        var read: UInt64 = 0
        while true {
            guard let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty else { break }
            chunk.withUnsafeBytes { hasher.update($0) }
            read += UInt64(chunk.count)
            progress.update(read >> 20, of: size.map { ($0 + (1 << 20) - 1) >> 20 }, unit: "MiB")
        }
        progress.finish()
        return hasher.finalize()
    }

    /// Keccak-256 of the file at `path`, with progress.
    ///
    /// - Throws: ``CLIError/storage(_:)`` naming `field` and the file when it cannot be read.
    static func keccak(ofFile path: String, field: String, label: String = "hashing") throws -> Hash32 {
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.uint64Value
            return try keccak(of: handle, size: size, label: label)
        } catch {
            throw CLIError.storage("\(field): cannot read \(path) (\(error.localizedDescription)), expected a readable file")
        }
    }
}
