import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The C allocator's settings for a process that streams large bodies through buffers of tens
/// of KiB to a few MiB (a datatrust, its clients, a node).
///
/// glibc by default hands freed memory at the top of a heap back to the kernel as soon as a
/// little more than 128 KiB is free there (and maps blocks of 128 KiB and more on their own).
/// A stream that allocates and frees a 64 KiB piece per chunk then trims a page or so per
/// chunk: the `large` benchmark (a 1 GiB datapoint through the vault and over HTTP, all its
/// processes) made 39,844 `madvise` calls, 38,570 of them for one page, and 65,575 `brk` calls,
/// each unmapping memory and so interrupting the process's other threads on other cores to
/// flush their address translations (the hashing thread among them), and each page was then
/// faulted in and cleared again. ``tuneForStreaming(environment:)`` raises both the trim
/// threshold and the threshold for separate mappings to 2 MiB, so the freed pieces are reused
/// instead: the same benchmark then made 67 `madvise` and 35 `brk` calls
/// (`strace -f -c -e trace=madvise,brk,mmap,munmap`). A process keeps up to that much freed
/// memory per heap: in the 256 MiB streaming test, when these were chosen (before the hash's
/// queues grew to 4 MiB), the server peaked at 83 MiB with these settings and 81 without, the
/// uploading client at 72 and 70. (A 4 MiB trim threshold took
/// the client to 81–87 MiB; a 1 MiB mapping threshold gave every 1 MiB upload piece a mapping
/// of its own, and 1,075 `munmap`s.)
///
/// ```swift
/// ProcessAllocator.tuneForStreaming()  // first thing in main
/// ```
public enum ProcessAllocator {
    /// Bytes free at the top of a heap before glibc returns them to the kernel.
    public static let trimThreshold: Int32 = 2 << 20
    /// Allocations of at least this many bytes get mappings of their own.
    public static let mmapThreshold: Int32 = 2 << 20

    /// Applies ``trimThreshold`` and ``mmapThreshold`` (glibc's `mallopt`); returns whether it
    /// did. It does nothing, and returns false, where the C library is not glibc, and where the
    /// environment already sets glibc's malloc tunables (`GLIBC_TUNABLES` naming
    /// `glibc.malloc.`, or `MALLOC_TRIM_THRESHOLD_` / `MALLOC_MMAP_THRESHOLD_`): an operator's
    /// own choice wins.
    /// - Parameter environment: the variables to consult; the process's own when nil.
    @discardableResult
    public static func tuneForStreaming(environment: [String: String]? = nil) -> Bool {
        let environment = environment ?? ProcessInfo.processInfo.environment
        if environment["GLIBC_TUNABLES"]?.contains("glibc.malloc.") == true
            || environment["MALLOC_TRIM_THRESHOLD_"] != nil || environment["MALLOC_MMAP_THRESHOLD_"] != nil {
            return false
        }
        #if canImport(Glibc)
        // `mallopt` is not in Swift's Glibc module; it is looked up in the running C library.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        // <malloc.h>: M_TRIM_THRESHOLD is -1, M_MMAP_THRESHOLD is -3; mallopt returns 1 on success.
        return mallopt(-1, trimThreshold) == 1 && mallopt(-3, mmapThreshold) == 1
        #else
        return false
        #endif
    }
}
