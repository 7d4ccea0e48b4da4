public import Foundation
internal import Subprocess
internal import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `dmctl` binary (next to the test bundle, or `$DMCTL_BIN`) and captures what
/// it prints.
///
/// ``runAsync(_:stdin:stdinPath:env:timeout:)`` runs a command to completion and suspends the
/// calling task while the child runs (swift-subprocess), so the cooperative pool stays free for
/// other suites. Long-lived servers start with ``background(_:tag:in:env:)`` (or
/// ``start(_:stdout:stderr:env:stdin:stdinPath:scratch:)`` for output files of one's choosing)
/// and are awaited through ``BackgroundProcess``.
public struct CLIRunner: Sendable {
    /// What a finished command did: its exit status (128 + the signal's number when a signal
    /// ended it) and everything it printed.
    public typealias Result = (status: Int32, stdout: String, stderr: String)

    /// The binary under test.
    public let binary: URL
    /// Environment entries added to every run (on top of this process's environment).
    public var environment: [String: String]
    /// The folder commands run in (relative paths resolve here); this process's if nil.
    public var workingDirectory: URL?

    /// A runner for the built `dmctl`, adding `environment` to every run, in `workingDirectory`.
    public init(environment: [String: String] = [:], workingDirectory: URL? = nil) {
        self.init(executable: Self.builtProduct("dmctl"), environment: environment, workingDirectory: workingDirectory)
    }

    /// A runner for another program: an example built with the package
    /// (``builtProduct(_:)``), or a shell that plays a script of dmctl lines.
    public init(executable: URL, environment: [String: String] = [:], workingDirectory: URL? = nil) {
        binary = executable
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// The executable `name` of this build: `$DMCTL_BIN` for `dmctl` when set, else the file
    /// beside the test bundle, else `.build/debug/<name>` under the checkout.
    public static func builtProduct(_ name: String) -> URL {
        if name == "dmctl", let bin = ProcessInfo.processInfo.environment["DMCTL_BIN"], !bin.isEmpty {
            return URL(fileURLWithPath: bin)
        }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        // Fallback when the runner's argv[0] is not inside the build folder.
        return PackageRoot.file(".build/debug/\(name)")
    }

    /// This process's environment without dmctl's own settings, plus the runner's and `env`.
    func childEnvironment(_ env: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        // A test names its home, store and node itself.
        for name in ["DMCTL_HOME", "DMCTL_STORE", "DMCTL_NODE"] { environment[name] = nil }
        for (k, v) in self.environment { environment[k] = v }
        for (k, v) in env { environment[k] = v }
        return environment
    }

    // MARK: - Without blocking a thread

    /// Runs dmctl with `args` to completion without holding a thread: standard input is
    /// `stdin`'s text, else the file or folder at `stdinPath`, else empty. A child still running
    /// after `timeout` is ended (SIGTERM, then SIGKILL two seconds later) and
    /// ``ProcessTestError/timedOut(command:seconds:)`` is thrown. No more than twice as many
    /// such children as there are cores run at once in a test process (`DATAMARKET_TEST_PROCESSES`
    /// sets another bound); a run waits, suspended, for its turn.
    public func runAsync(
        _ args: [String], stdin: String? = nil, stdinPath: String? = nil, env: [String: String] = [:],
        timeout: Duration = .seconds(900)
    ) async throws -> Result {
        let command = ([binary.lastPathComponent] + args).joined(separator: " ")
        let launch = Launch(
            executable: binary.path, arguments: args, environment: childEnvironment(env), workingDirectory: workingDirectory?.path)
        // At most ProcessSlots' limit of children at once; the time limit counts from the start.
        await ProcessSlots.shared.acquire()
        defer { Task { await ProcessSlots.shared.release() } }
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                if let stdin { return try await launch.collect(input: .string(stdin)) }
                if let stdinPath {
                    // A folder opens read-only too, and reading it then fails with EISDIR.
                    let fd = try FileDescriptor.open(FilePath(stdinPath), .readOnly)
                    return try await launch.collect(input: .fileDescriptor(fd, closeAfterSpawningProcess: true))
                }
                return try await launch.collect(input: .none)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw ProcessTestError.timedOut(command: command, seconds: timeout.components.seconds)
            }
            return result
        }
    }

    // MARK: - In the background

    /// Starts dmctl with `args` in the background, its standard output and error going to files.
    public func start(
        _ args: [String], stdout: URL, stderr: URL, env: [String: String] = [:], stdin: String? = nil, stdinPath: String? = nil,
        scratch: URL? = nil
    ) throws -> Process {
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = args
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        process.environment = childEnvironment(env)
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        if let stdin {
            let dir = scratch ?? stdout.deletingLastPathComponent()
            let inURL = dir.appendingPathComponent("in-\(UUID().uuidString)")
            try Data(stdin.utf8).write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else if let stdinPath {
            // open(2) directly: a folder opens read-only, and reading it fails with EISDIR.
            let fd = open(stdinPath, O_RDONLY)
            guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile) }
            process.standardInput = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Starts dmctl with `args` in the background, its output going to `<tag>.out` and
    /// `<tag>.err` in `folder`; the handle waits, signals and reads without blocking a thread.
    public func background(_ args: [String], tag: String = UUID().uuidString, in folder: URL, env: [String: String] = [:]) throws
        -> BackgroundProcess
    {
        let out = folder.appendingPathComponent("\(tag).out"), err = folder.appendingPathComponent("\(tag).err")
        let process = try start(args, stdout: out, stderr: err, env: env)
        return BackgroundProcess(process: process, stdout: out, stderr: err)
    }

    /// A fresh temporary folder; the caller removes it.
    public static func temporaryFolder(_ prefix: String = "dmctl") -> URL {
        let url = DataMarketTesting.temporaryFolder(prefix)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// One child to run with swift-subprocess, its output collected as text.
private struct Launch: Sendable {
    let executable: String
    let arguments: [String]
    let environment: [String: String]
    let workingDirectory: String?

    /// Output beyond this many bytes fails the run instead of filling memory.
    static let outputLimit = 256 << 20

    func collect<Input: InputProtocol>(input: Input) async throws -> CLIRunner.Result {
        var options = PlatformOptions()
        // On cancellation (the timeout): SIGTERM, then SIGKILL two seconds later.
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(2))]
        var keys: [Environment.Key: String] = [:]
        for (k, v) in environment { if let key = Environment.Key(rawValue: k) { keys[key] = v } }
        let result = try await Subprocess.run(
            .path(FilePath(executable)), arguments: Arguments(arguments), environment: .custom(keys),
            workingDirectory: workingDirectory.map { FilePath($0) }, platformOptions: options, input: input,
            output: .string(limit: Self.outputLimit), error: .string(limit: Self.outputLimit))
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = Int32(code)
        case .signaled(let signal): status = 128 + Int32(signal)
        }
        return (status, result.standardOutput, result.standardError)
    }
}
