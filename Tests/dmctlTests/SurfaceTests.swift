import DataMarketTesting
import Foundation
import Testing

/// The shared surface of dmctl: binary messages for `sign`/`verify`, and times that never wrap.
@Suite struct SurfaceTests {
    @Test func verifyChecksABinaryMessageGivenInHex() async throws {
        let home = try TestHome()
        try await home.okAsync(["key", "new", "--name", "alice"])
        let address = try await home.addressAsync("alice")
        let signature = try await home.okAsync(["sign", "--key", "alice", "--message-hex", "0x00ff10"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try await home.okAsync(["verify", "--address", address, "--message-hex", "00FF10", "--signature", signature])
        let other = try await home.runAsync(["verify", "--address", address, "--message-hex", "00ff11", "--signature", signature])
        #expect(other.status == 1, "\(other.stderr)")
        let both = try await home.runAsync(["verify", "--address", address, "--message", "x", "--message-hex", "00", "--signature", signature])
        #expect(both.status == 2 && both.stderr.contains("expected exactly one"), "\(both.stderr)")
        let odd = try await home.runAsync(["verify", "--address", address, "--message-hex", "0x0", "--signature", signature])
        #expect(odd.status == 2 && odd.stderr.contains("--message-hex"), "\(odd.stderr)")
    }
}

/// An argument whose bytes are not UTF-8 is refused as a usage error, not silently repaired.
@Test func nonUTF8ArgumentsAreRefusedNotRepaired() async throws {
    // bash passes the byte 0xE9 through; Swift's String arguments could not hold it.
    let bash = CLIRunner(executable: URL(fileURLWithPath: "/bin/bash"), environment: ["DMCTL_BIN": CLIRunner().binary.path])
    let r = try await bash.runAsync(["-c", #""$DMCTL_BIN" hash keccak $'caf\xe9.txt'"#])
    #expect(r.status == 2, "\(r.stderr)")
    #expect(r.stderr.contains("argument 3") && r.stderr.contains("not valid UTF-8"), "\(r.stderr)")
}
