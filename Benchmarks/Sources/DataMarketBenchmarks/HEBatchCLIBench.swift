import Foundation

/// `he-cli`: values per second through the built `dmctl he encrypt --fast --input FILE` on a
/// file of 1,000 values (2048-bit key, the whole process: start, key load, one DJN table, the
/// batch on all cores, output), beside the same work by python-paillier in one Python process
/// (scripts/phe_encrypt_file.py) in the same run, and beside one `dmctl he encrypt` process per
/// value (what scripts did before the batch mode, timed on 20 values).
///
/// The binary is `$DMCTL_BIN`, else the root package's `.build/release/dmctl` (build it with
/// `swift build -c release --product dmctl` in the repository root).
enum HEBatchCLIBench {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `executable` with `arguments`, standard output to `output`; true when it exits 0.
    @discardableResult
    static func launch(_ executable: String, _ arguments: [String], output: URL? = nil) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let output {
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: output)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("he-cli-bench-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            let text = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            print("(\(URL(fileURLWithPath: executable).lastPathComponent) \(arguments.prefix(2).joined(separator: " ")) failed with status \(process.terminationStatus): \(text.suffix(300)))")
        }
        return process.terminationStatus == 0
    }

    static func run() throws {
        Bench.section("he-cli (dmctl he encrypt --fast --input, 1,000 values, 2048-bit key; phe in this run)")
        let binary = ProcessInfo.processInfo.environment["DMCTL_BIN"].flatMap { $0.isEmpty ? nil : $0 }
            ?? root.appendingPathComponent(".build/release/dmctl").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("(dmctl not built: run `swift build -c release --product dmctl` in the repository root, or set DMCTL_BIN)")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("he-cli-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let keys = folder.appendingPathComponent("keys")
        guard try launch(binary, ["he", "keygen", "--bits", "2048", "--out", keys.path]) else {
            print("(dmctl he keygen failed: is \(binary) a current build?)")
            return
        }
        let publicKey = keys.appendingPathComponent("public.json").path
        var state: UInt64 = 0x14
        let values = (0..<1000).map { i -> String in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let x = Double(Int64(bitPattern: state >> 11) % 2_000_000) / 1000
            return i % 2 == 0 ? "\(Int(x))" : "\(x)"
        }
        let input = folder.appendingPathComponent("values.txt")
        try Data((values.joined(separator: "\n") + "\n").utf8).write(to: input)
        let out = folder.appendingPathComponent("out.jsonl")

        // The batch through the binary, best of 3 whole processes.
        let batch = try Bench.secondsPerOp(operations: values.count, rounds: 3) {
            guard try launch(binary, ["he", "encrypt", "--fast", "--key", publicKey, "--input", input.path], output: out) else {
                throw CocoaError(.executableLoad)
            }
        }
        let lines = (try String(contentsOf: out, encoding: .utf8)).split(separator: "\n").count
        // One process per value, as before the batch mode (20 values).
        let perProcess = try Bench.secondsPerOp(operations: 20, rounds: 1) {
            for value in values.prefix(20) {
                try launch(binary, ["he", "encrypt", "--fast", "--key", publicKey, "--", value])
            }
        }
        // python-paillier, the same file in one process.
        let phe: Double?
        let script = root.appendingPathComponent("scripts/phe_encrypt_file.py").path
        let pheOut = folder.appendingPathComponent("phe.jsonl")
        if (try? launch("/usr/bin/env", ["python3", "-c", "import phe"])) != true {
            phe = nil
            print("(phe not installed: `pip install phe gmpy2` for the python-paillier baseline; no ratio printed)")
        } else if try !launch("/usr/bin/env", ["python3", script, publicKey, input.path], output: pheOut) {
            phe = nil
            print("(phe baseline failed: \(script) did not run; no ratio printed)")
        } else {
            phe = try Bench.secondsPerOp(operations: values.count, rounds: 2) {
                guard try launch("/usr/bin/env", ["python3", script, publicKey, input.path], output: pheOut) else {
                    throw CocoaError(.executableLoad)
                }
            }
            let pheLines = (try String(contentsOf: pheOut, encoding: .utf8)).split(separator: "\n").count
            if pheLines != values.count { print("(phe wrote \(pheLines) ciphertexts, expected \(values.count))") }
        }
        let ratio = phe.map { $0 / batch }
        Bench.row("values/s, dmctl he encrypt --fast --input", value: Bench.rate(batch, unit: " values/s"),
                  baseline: phe.map { Bench.rate($0, unit: " values/s") + " phe" } ?? "phe not installed", ratio: ratio,
                  target: "≥ 10× phe: " + (ratio.map { $0 >= 10 ? "met" : "NOT met" } ?? "not measured")
                      + "; \(lines) ciphertexts written" + String(format: "; load %.1f", PaillierBench.loadAverage()))
        Bench.row("  one dmctl process per value (20 values)", value: Bench.rate(perProcess, unit: " values/s"),
                  baseline: Bench.rate(batch, unit: " values/s") + " batch", ratio: perProcess / batch, target: "no target; batch × faster")
    }
}
