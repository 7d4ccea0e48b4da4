public import Foundation

/// HTTP from a test through `curl` in its own process, so what a server answers is seen as any
/// outside client sees it (status, body, streams that end), and waiting for the answer suspends
/// the task instead of holding a thread of the cooperative pool.
public enum Curl {
    /// The `curl` binary.
    public static let executable = URL(fileURLWithPath: "/usr/bin/curl")

    /// What a finished request got: the HTTP status (0 when there was no answer) and the body.
    public typealias Response = (status: Int, body: String)

    private static let marker = "\n--status:"

    /// Runs `curl -s <args>` to completion and returns the status and body.
    /// - Throws: ``ProcessTestError/timedOut(command:seconds:)`` after `timeout`.
    public static func request(_ args: [String], timeout: Duration = .seconds(300)) async throws -> Response {
        let r = try await CLIRunner(executable: executable).runAsync(["-s", "-w", "\(marker)%{http_code}"] + args, timeout: timeout)
        guard let range = r.stdout.range(of: marker, options: .backwards) else { return (0, r.stdout) }
        return (Int(r.stdout[range.upperBound...]) ?? 0, String(r.stdout[..<range.lowerBound]))
    }

    /// Starts `curl -sN` reading the stream at `url` into `file` in the background (for
    /// server-sent events); its own output goes to files tagged after `file` in `file`'s folder.
    public static func stream(_ url: String, into file: URL) throws -> BackgroundProcess {
        try CLIRunner(executable: executable).background(
            ["-sN", "-o", file.path, url], tag: file.lastPathComponent + ".curl", in: file.deletingLastPathComponent())
    }

    /// Starts `curl -s <args>` in the background, the body going to `file`; the HTTP status is
    /// what the handle's standard output holds once it exits.
    public static func background(_ args: [String], into file: URL) throws -> BackgroundProcess {
        try CLIRunner(executable: executable).background(
            ["-s", "-o", file.path, "-w", "%{http_code}"] + args, tag: file.lastPathComponent + ".curl", in: file.deletingLastPathComponent())
    }
}
