import Foundation

/// Runs the built `dmctl` binary (next to the test bundle, or `$DMCTL_BIN`) and captures what
/// it prints.
struct CLIRunner {
    /// The binary under test.
    let binary: URL
    /// Environment entries added to every run (on top of this process's environment).
    var environment: [String: String]
    /// The folder commands run in (relative paths resolve here); this process's if nil.
    var workingDirectory: URL?

    init(environment: [String: String] = [:], workingDirectory: URL? = nil) {
        self.environment = environment
        self.workingDirectory = workingDirectory
        if let bin = ProcessInfo.processInfo.environment["DMCTL_BIN"], !bin.isEmpty {
            binary = URL(fileURLWithPath: bin)
            return
        }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dmctl")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) {
            binary = besideTests
        } else {
            // Fallback when the runner's argv[0] is not inside the build folder.
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            binary = root.appendingPathComponent(".build/debug/dmctl")
        }
    }

    /// Runs dmctl with `args` to completion; standard input is `stdin`'s text, else the file or
    /// folder at `stdinPath`, else empty.
    func run(_ args: [String], stdin: String? = nil, stdinPath: String? = nil, env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dmctl-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        let process = try start(args, stdout: outURL, stderr: errURL, env: env, stdin: stdin, stdinPath: stdinPath, scratch: scratch)
        process.waitUntilExit()
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, out, err)
    }

    /// Starts dmctl with `args` in the background, its standard output and error going to files.
    func start(_ args: [String], stdout: URL, stderr: URL, env: [String: String] = [:], stdin: String? = nil, stdinPath: String? = nil,
               scratch: URL? = nil) throws -> Process {
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = args
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        var environment = ProcessInfo.processInfo.environment
        environment["DMCTL_HOME"] = nil
        environment["DMCTL_STORE"] = nil  // a test names its store itself
        for (k, v) in self.environment { environment[k] = v }
        for (k, v) in env { environment[k] = v }
        process.environment = environment
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
}

extension CLIRunner {
    /// A fresh temporary folder; the caller removes it.
    static func temporaryFolder(_ prefix: String = "dmctl") -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
