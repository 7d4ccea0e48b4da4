public import Foundation

/// A `dmctl node serve` running in its own process, and the base URL it listens on.
public struct RunningNode: Sendable {
    /// The node as a background process (signals, waiting, output).
    public let handle: BackgroundProcess
    /// Its base URL, `http://127.0.0.1:<port>`.
    public let url: String

    /// The child process.
    public var process: Process { handle.process }

    /// Starts `dmctl node serve --port <port> <arguments>` on `home` (port 0: any free one), its
    /// output in `node-<run>.out` and `.err` in the home, and waits without holding a thread
    /// until it prints "listening on <url> ".
    /// - Throws: ``ProcessTestError`` when it exits first or stays silent for `timeout`.
    public static func start(
        _ home: TestHome, run: Int, arguments: [String] = ["--dev", "--block-interval", "50"], port: Int = 0,
        timeout: Duration = .seconds(120)
    ) async throws -> RunningNode {
        let handle = try home.runner.background(
            ["node", "serve", "--port", "\(port)"] + arguments + ["--home", home.url.path], tag: "node-\(run)", in: home.url)
        do {
            let url = try await handle.waitFor("listening on <url>", onStdout: true, timeout: timeout) { text -> String? in
                guard let range = text.range(of: "listening on "), let end = text[range.upperBound...].firstIndex(of: " ") else { return nil }
                return String(text[range.upperBound..<end])
            }
            return RunningNode(handle: handle, url: url)
        } catch {
            handle.kill9()
            throw error
        }
    }

    /// Sends SIGKILL and waits for the exit: the node dies as in a crash.
    public func kill9() async { await handle.killAndWait() }

    /// Stops the node (SIGTERM, SIGKILL after `grace`) and waits for the exit; its status.
    @discardableResult
    public func stop(grace: Duration = .seconds(30)) async -> Int32? { await handle.stop(grace: grace) }

    /// Sends SIGTERM without waiting: for a `defer`, which cannot suspend.
    public func signalStop() { handle.terminate() }
}
