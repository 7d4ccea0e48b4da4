import Foundation

/// Runs the built `dmctl` binary (next to the test bundle, or `$DMCTL_BIN`) and captures its output.
struct CLIRunner {
    /// The binary to run.
    var binary: URL {
        if let path = ProcessInfo.processInfo.environment["DMCTL_BIN"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dmctl")
    }

    /// Environment added to every run.
    var environment: [String: String] = [:]

    func run(_ args: [String], stdin: String? = nil, env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = args
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in self.environment { environment[k] = v }
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
