import Foundation

/// Runs the built `dmctl` binary (beside the test bundle, or `$DMCTL_BIN`) and captures its output.
struct CLIRunner {
    /// The binary under test.
    let binary: URL
    /// Environment entries added to every run.
    var environment: [String: String]

    init(environment: [String: String] = [:]) {
        self.environment = environment
        if let bin = ProcessInfo.processInfo.environment["DMCTL_BIN"], !bin.isEmpty {
            binary = URL(fileURLWithPath: bin)
        } else {
            binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dmctl")
        }
    }

    /// Runs dmctl with `args` to completion; standard output and error go through files so a
    /// large output cannot fill a pipe and stall the child.
    func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dmctl-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = args
        var merged = ProcessInfo.processInfo.environment
        merged["DMCTL_HOME"] = nil
        for (k, v) in environment { merged[k] = v }
        for (k, v) in env { merged[k] = v }
        process.environment = merged
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        if let stdin {
            let input = scratch.appendingPathComponent("in")
            try Data(stdin.utf8).write(to: input)
            process.standardInput = try FileHandle(forReadingFrom: input)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus,
                (try? String(contentsOf: out, encoding: .utf8)) ?? "", (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
