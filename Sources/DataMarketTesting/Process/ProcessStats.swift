import Foundation

/// What Linux's `/proc` says about a running process: its peak resident set and its I/O.
/// Every reading is nil once the process has exited (or where there is no `/proc`).
public enum ProcessStats {
    /// The peak resident set (VmHWM of `/proc/PID/status`) of `pid`, in bytes.
    public static func peakRSS(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(separator: " ").compactMap { Int($0) }
            return digits.first.map { $0 * 1024 }
        }
        return nil
    }

    /// Bytes `pid` has read and written (rchar and wchar of `/proc/PID/io`).
    public static func io(_ pid: Int32) -> (read: Int, written: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) else { return nil }
        var read = 0, written = 0
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let value = Int(parts[1]) else { continue }
            if parts[0] == "rchar:" { read = value }
            if parts[0] == "wchar:" { written = value }
        }
        return (read, written)
    }

    /// Resets the peak resident set of `pid` to its current size (writes `5` to
    /// `/proc/PID/clear_refs`).
    public static func resetPeak(_ pid: Int32) {
        try? "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)
    }
}
