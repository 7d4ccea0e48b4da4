import Foundation

/// Runs the built `dmctl` binary and captures its exit status and output.
///
/// The binary is found next to the test bundle (SwiftPM builds it first because the test
/// target depends on `dmctl`); set `DMCTL_BIN` to use another one.
struct CLIRunner {
    /// The executable that `run` starts.
    var executable: URL
    /// The working directory of the child process (nil: inherit).
    var workingDirectory: URL?

    init(workingDirectory: URL? = nil) {
        if let override = ProcessInfo.processInfo.environment["DMCTL_BIN"], !override.isEmpty {
            executable = URL(fileURLWithPath: override)
        } else {
            executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent("dmctl")
            if !FileManager.default.isExecutableFile(atPath: executable.path) {
                // `swift test` may run the bundle from inside `<config>/…xctest`; look one level up.
                let up = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("dmctl")
                if FileManager.default.isExecutableFile(atPath: up.path) { executable = up }
            }
        }
        self.workingDirectory = workingDirectory
    }

    /// Runs `dmctl args…`, feeding `stdin` and adding `env` to the inherited environment.
    func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:]) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = args
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        process.environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a full pipe cannot block the child.
        let errData = ThreadedReader(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self),
                String(decoding: errData.result(), as: UTF8.self))
    }
}

/// Drains a pipe on a background thread.
private final class ThreadedReader: @unchecked Sendable {
    // @unchecked Sendable: `data` is written once by the reader thread before `done` is
    // signalled and read only after waiting on `done`.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func result() -> Data {
        done.wait()
        return data
    }
}
