import Foundation

/// Runs the built `dmctl` binary, as a user's shell would, and captures what it prints.
///
/// The binary sits next to the test bundle in the build folder (`DMCTL_BIN` overrides it).
struct CLIRunner {
    /// The result of one run.
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Environment added to every run (e.g. `DMCTL_HOME`, `DMCTL_PASSPHRASE`).
    var environment: [String: String] = [:]

    static var binary: URL {
        if let override = ProcessInfo.processInfo.environment["DMCTL_BIN"] { return URL(fileURLWithPath: override) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dmctl")
    }

    /// Runs `dmctl args...`, feeding `stdin` if given, and waits for it to exit.
    func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = CLIRunner.binary
        process.arguments = args
        var merged = ProcessInfo.processInfo.environment
        for (k, v) in environment { merged[k] = v }
        for (k, v) in env { merged[k] = v }
        process.environment = merged
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes before waiting so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            outData = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder(_ prefix: String = "dmctl") -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
