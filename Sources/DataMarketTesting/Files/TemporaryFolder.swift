public import Foundation

/// A fresh folder under the system's temporary directory, created at once; the caller removes
/// it with ``cleanup()`` (typically in a `defer`).
public struct TempFolder: Sendable {
    /// The folder.
    public let url: URL

    /// Creates `<tmp>/<prefix>-<UUID>`, or `<base>/<prefix>-<UUID>` under another folder (a
    /// tmpfs such as `/dev/shm`, to test a second file system).
    public init(_ prefix: String = "dt-test", under base: URL? = nil) {
        url = base.map { $0.appendingPathComponent("\(prefix)-\(UUID().uuidString)") } ?? temporaryFolder(prefix)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Removes the folder and everything in it.
    public func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// A new, unused path `<tmp>/<label>-<UUID>`; nothing is created there, and the caller removes
/// whatever it puts there.
public func temporaryFolder(_ label: String = "test") -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
}

/// Every regular file under `folder`, at any depth.
public func allFiles(under folder: URL) -> [URL] {
    guard let e = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
    return e.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
}
