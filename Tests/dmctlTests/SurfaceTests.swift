import DataMarketTesting
import Foundation
import Testing

/// The shared surface of dmctl: binary messages for `sign`/`verify`, and times that never wrap.
@Suite struct SurfaceTests {
    @Test func verifyChecksABinaryMessageGivenInHex() throws {
        let home = try TestHome()
        try home.ok(["key", "new", "--name", "alice"])
        let address = try home.address("alice")
        let signature = try home.ok(["sign", "--key", "alice", "--message-hex", "0x00ff10"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try home.ok(["verify", "--address", address, "--message-hex", "00FF10", "--signature", signature])
        let other = try home.run(["verify", "--address", address, "--message-hex", "00ff11", "--signature", signature])
        #expect(other.status == 1, "\(other.stderr)")
        let both = try home.run(["verify", "--address", address, "--message", "x", "--message-hex", "00", "--signature", signature])
        #expect(both.status == 2 && both.stderr.contains("expected exactly one"), "\(both.stderr)")
        let odd = try home.run(["verify", "--address", address, "--message-hex", "0x0", "--signature", signature])
        #expect(odd.status == 2 && odd.stderr.contains("--message-hex"), "\(odd.stderr)")
    }
}

/// An argument whose bytes are not UTF-8 is refused as a usage error, not silently repaired.
@Test func nonUTF8ArgumentsAreRefusedNotRepaired() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-c", #""$DMCTL_BIN" hash keccak $'caf\xe9.txt'"#]
    var environment = ProcessInfo.processInfo.environment
    environment["DMCTL_BIN"] = CLIRunner().binary.path
    process.environment = environment
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: (try err.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 2, "\(text)")
    #expect(text.contains("argument 3") && text.contains("not valid UTF-8"), "\(text)")
}
