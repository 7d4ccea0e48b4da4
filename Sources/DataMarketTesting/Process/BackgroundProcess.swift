public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process running in the background (a server, a follower, a soak writer), its
/// standard output and error going to files. Waiting on it suspends the task (`Task.sleep`
/// between looks) instead of blocking a thread of the cooperative pool.
///
/// `@unchecked Sendable`: every stored property is immutable, and the child is only read
/// through `Process`'s own synchronised accessors (`isRunning`, `processIdentifier`, and
/// `terminationStatus` once it has exited).
public final class BackgroundProcess: @unchecked Sendable {
    /// The child, for what this handle does not wrap.
    public let process: Process
    /// Where its standard output goes.
    public let stdoutFile: URL
    /// Where its standard error goes.
    public let stderrFile: URL

    /// Wraps `process`, already started, whose output goes to `stdout` and `stderr`.
    public init(process: Process, stdout: URL, stderr: URL) {
        self.process = process
        stdoutFile = stdout
        stderrFile = stderr
    }

    /// The child's process id.
    public var pid: Int32 { process.processIdentifier }
    /// Whether the child has not exited yet.
    public var isRunning: Bool { process.isRunning }
    /// What the child has printed on standard output so far.
    public var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    /// What the child has printed on standard error so far.
    public var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM: a server shuts down gracefully.
    public func terminate() { if process.isRunning { kill(process.processIdentifier, SIGTERM) } }

    /// Sends SIGKILL: the child dies at once, as in a crash or power loss.
    public func kill9() { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// Sends SIGKILL and waits until the child is gone; its status (nil if it outlives `timeout`).
    @discardableResult
    public func killAndWait(timeout: Duration = .seconds(30)) async -> Int32? {
        kill9()
        return await exitStatus(timeout: timeout)
    }

    /// Waits until the child exits and returns its status (the signal's number when a signal
    /// ended it, as Foundation reports it); nil if it is still running after `timeout`.
    @discardableResult
    public func exitStatus(timeout: Duration = .seconds(120)) async -> Int32? {
        guard await eventually(timeout: timeout, every: .milliseconds(10), { !process.isRunning }) else { return nil }
        process.waitUntilExit()  // already exited: returns at once and settles terminationStatus
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL if the child is still running after `grace`; returns its status.
    @discardableResult
    public func stop(grace: Duration = .seconds(10)) async -> Int32? {
        terminate()
        if let status = await exitStatus(timeout: grace) { return status }
        kill9()
        return await exitStatus(timeout: .seconds(30))
    }

    /// Waits until standard error (or standard output, with `onStdout`) contains `text`.
    /// - Throws: ``ProcessTestError/exitedEarly(command:status:stderr:)`` when the child exits
    ///   first, ``ProcessTestError/neverPrinted(expected:seconds:)`` after `timeout`.
    public func waitFor(_ text: String, onStdout: Bool = false, timeout: Duration = .seconds(120)) async throws {
        _ = try await waitFor(text, onStdout: onStdout, timeout: timeout) { $0.contains(text) ? true : nil }
    }

    /// Waits until `extract` finds something in standard error (or standard output, with
    /// `onStdout`) and returns it: the URL a server prints once it listens, say. `expected`
    /// names what is awaited in the error.
    /// - Throws: ``ProcessTestError/exitedEarly(command:status:stderr:)`` when the child exits
    ///   first, ``ProcessTestError/neverPrinted(expected:seconds:)`` after `timeout`.
    public func waitFor<Found: Sendable>(
        _ expected: String, onStdout: Bool = false, timeout: Duration = .seconds(120), _ extract: (String) -> Found?
    ) async throws -> Found {
        var found: Found?
        let ended = await eventually(timeout: timeout, every: .milliseconds(10)) {
            found = extract(onStdout ? stdout : stderr)
            return found != nil || !process.isRunning
        }
        // A child that printed and exited in the same moment still counts.
        if let found = found ?? extract(onStdout ? stdout : stderr) { return found }
        if ended || !process.isRunning {
            let status = await exitStatus(timeout: .seconds(5)) ?? -1
            throw ProcessTestError.exitedEarly(
                command: ([process.executableURL?.lastPathComponent ?? "?"] + (process.arguments ?? [])).joined(separator: " "),
                status: status, stderr: stderr)
        }
        throw ProcessTestError.neverPrinted(expected: expected, seconds: timeout.components.seconds)
    }

    /// Waits until the child exits, for at most `timeout`; whether it did.
    public func exits(within timeout: Duration) async -> Bool {
        await exitStatus(timeout: timeout) != nil
    }
}
