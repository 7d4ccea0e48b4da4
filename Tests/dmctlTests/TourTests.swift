import Foundation
import Testing

/// The README's tour (`scripts/tour.sh`, run by `make demo`) must keep working.
@Test func tourScriptRunsToTheEndWithTheBuiltBinary() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [root.appendingPathComponent("scripts/tour.sh").path, CLIRunner().binary.path]
    process.currentDirectoryURL = root
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(text)")
    #expect(text.contains("tour finished"))
}
