import Foundation
public import LedgerCore
#if canImport(Glibc)
import Glibc
import CDispatch  // with CoreFoundation: the clang modules struct stat's members are attributed to
import CoreFoundation  // (MemberImportVisibility), whichever the build loads first
#endif

extension Vault {
    /// What a sweep removed.
    public struct Sweep: Sendable, Equatable {
        /// Encrypted objects no index entry names (an add whose index commit failed or crashed).
        public var orphans: [Hash32] = []
        /// Temporary `.part` files of interrupted writes.
        public var partFiles = 0
    }

    /// Removes encrypted objects whose dataHash is not in `keep` and temporary `.part` files,
    /// each only when it was last modified more than `gracePeriod` seconds before `now` (a
    /// younger one may belong to a write still in flight).
    ///
    /// - Parameters:
    ///   - keep: the dataHashes the index holds.
    ///   - gracePeriod: seconds a file must be left untouched before it is removed.
    ///   - now: unix seconds now.
    @discardableResult
    public func sweep(keeping keep: Set<Hash32>, olderThan gracePeriod: Int64, now: Int64) throws(VaultError) -> Sweep {
        var result = Sweep()
        let cutoff = now - max(gracePeriod, 0)
        for hash in try storedHashes() where !keep.contains(hash) {
            let file = path(for: hash).file
            guard Self.modified(file).map({ $0 <= cutoff }) == true else { continue }
            guard unlink(file) == 0 || errno == ENOENT else { throw .io(path: file, detail: "unlink: \(POSIX.errorText())") }
            result.orphans.append(hash)
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: tempPath)) ?? []
        for name in names.sorted() where name.hasSuffix(".part") {
            let file = tempPath + "/" + name
            guard Self.modified(file).map({ $0 <= cutoff }) == true else { continue }
            guard unlink(file) == 0 || errno == ENOENT else { throw .io(path: file, detail: "unlink: \(POSIX.errorText())") }
            result.partFiles += 1
        }
        return result
    }

    /// The names of the `.part` files waiting in `tmp/`.
    public func partFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: tempPath)) ?? []).filter { $0.hasSuffix(".part") }.sorted()
    }

    /// Last modification, unix seconds, or nil when the file is gone.
    private static func modified(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_mtim.tv_sec)
    }
}
