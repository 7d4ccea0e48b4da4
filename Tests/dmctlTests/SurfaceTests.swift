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
