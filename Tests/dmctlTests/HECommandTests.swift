import DataMarketTesting
import Foundation
import Testing

/// End-to-end runs of the built `dmctl he …` commands in a temporary folder.
@Suite(.serialized) struct HECommandTests {
    let folder: URL
    let cli: CLIRunner

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dmctl-he-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        cli = CLIRunner(workingDirectory: folder)
    }

    /// Runs a command that must succeed and returns its standard output.
    @discardableResult
    func ok(_ args: [String]) async throws -> String {
        let result = try await cli.runAsync(args)
        #expect(result.status == 0, "dmctl \(args.joined(separator: " ")): \(result.stderr)")
        return result.stdout
    }

    func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }

    @Test func keygenEncryptAddMulDotDecryptGiveExactResults() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let keygen = try await ok(["he", "keygen", "--bits", "1024", "--out", "keys"])
        #expect(keygen.contains("1024"))
        let publicJSON = try String(contentsOf: folder.appendingPathComponent("keys/public.json"), encoding: .utf8)
        #expect(publicJSON.contains(#""kty":"DAJ""#) && publicJSON.contains(#""alg":"PAI-GN1""#))
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("keys/private.json").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        try write(try await ok(["he", "encrypt", "--key", "keys/public.json", "123456789012345678901234567890"]), to: "a.json")
        try write(try await ok(["he", "encrypt", "--key", "keys/public.json", "--", "-987654321"]), to: "b.json")
        try write(try await ok(["he", "add", "--key", "keys/public.json", "a.json", "b.json"]), to: "sum.json")
        #expect(try await ok(["he", "decrypt", "--key", "keys/private.json", "sum.json"])
            == "123456789012345678900246913569\n")

        try write(try await ok(["he", "encrypt", "--fast", "--key", "keys/public.json", "2.5"]), to: "x.json")
        try write(try await ok(["he", "mul", "--key", "keys/public.json", "x.json", "--value", "-3"]), to: "m.json")
        // The positional form still works and gives the same plaintext.
        try write(try await ok(["he", "mul", "--key", "keys/public.json", "x.json", "--", "-3"]), to: "m2.json")
        #expect(try await ok(["he", "decrypt", "--key", "keys/private.json", "m.json"]) == "-7.5\n")
        #expect(try await ok(["he", "decrypt", "--key", "keys/private.json", "m2.json"]) == "-7.5\n")
        try write(try await ok(["he", "add", "--key", "keys/public.json", "x.json", "--value", "-7"]), to: "n.json")
        #expect(try await ok(["he", "decrypt", "--key", "keys/private.json", "n.json"]) == "-4.5\n")

        try write(try await ok(["he", "add", "--key", "keys/public.json", "x.json", "--value", "0.25"]), to: "p.json")
        #expect(try await ok(["he", "decrypt", "--key", "keys/private.json", "p.json"]) == "2.75\n")

        try write(try await ok(["he", "encrypt", "--key", "keys/public.json", "0.1"]), to: "y.json")
        try write(try await ok(["he", "dot", "--key", "keys/public.json", "--weights", "2,10", "x.json", "y.json"]), to: "d.json")
        #expect(try await ok(["he", "decrypt", "--key", "keys/private.json", "d.json"]) == "6.0\n")

        let json = try await ok(["he", "decrypt", "--json", "--key", "keys/private.json", "d.json"])
        #expect(json.contains(#""value" : "6.0""#))
    }

    @Test func tamperedCiphertextsAreRefusedWithStatusTwo() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try await ok(["he", "keygen", "--bits", "1024", "--out", "keys"])
        let publicJSON = try Data(contentsOf: folder.appendingPathComponent("keys/public.json"))
        let object = try #require(JSONSerialization.jsonObject(with: publicJSON) as? [String: Any])
        #expect(object["n"] is String)

        try write(#"{"v":"0","e":0}"#, to: "zero.json")
        let zero = try await cli.runAsync(["he", "decrypt", "--key", "keys/private.json", "zero.json"])
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("outside 1..<n²"))

        // n² itself: 2^2048 > n² for a 1024-bit n, so any 2049-bit value is ≥ n².
        let huge = "1" + String(repeating: "0", count: 620)
        try write(#"{"v":"\#(huge)","e":0}"#, to: "huge.json")
        let large = try await cli.runAsync(["he", "add", "--key", "keys/public.json", "huge.json", "--value", "1"])
        #expect(large.status == 2)
        #expect(large.stderr.contains("ciphertext"))

        // A ciphertext made for another key is refused, naming both keys.
        try await ok(["he", "keygen", "--bits", "1024", "--out", "other"])
        try write(try await ok(["he", "encrypt", "--key", "other/public.json", "5"]), to: "foreign.json")
        let foreign = try await cli.runAsync(["he", "decrypt", "--key", "keys/private.json", "foreign.json"])
        #expect(foreign.status == 2)
        #expect(foreign.stderr.contains("belongs to public key sha256:"))

        try write(#"{"v":"12","e":"x"}"#, to: "bad.json")
        let bad = try await cli.runAsync(["he", "decrypt", "--key", "keys/private.json", "bad.json"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("ciphertext.e"))
    }

    @Test func badValuesAndMissingFilesGetDistinctStatuses() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try await ok(["he", "keygen", "--bits", "1024", "--out", "keys"])
        let word = try await cli.runAsync(["he", "encrypt", "--key", "keys/public.json", "twelve"])
        #expect(word.status == 2 && word.stderr.contains("VALUE"))
        let missing = try await cli.runAsync(["he", "encrypt", "--key", "nowhere.json", "1"])
        #expect(missing.status == 3 && missing.stderr.contains("nowhere.json"))
        let small = try await cli.runAsync(["he", "keygen", "--bits", "100", "--out", "small"])
        #expect(small.status == 2 && small.stderr.contains("bits"))
        let help = try await cli.runAsync(["he", "dot", "--help"])
        #expect(help.status == 0 && help.stdout.contains("Example"))
    }

    @Test func packedVectorsEncryptAddAndDecryptToTheSumAndRefuseOverflow() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try await ok(["he", "keygen", "--bits", "1024", "--out", "keys"])
        let layout = ["--packed", "--bits", "20", "--parties", "2", "--range", "8"]
        try write(try await ok(["he", "encrypt", "--key", "keys/public.json"] + layout + ["--", "1.5,-2,8,0"]), to: "p1.json")
        try write(try await ok(["he", "encrypt", "--fast", "--key", "keys/public.json"] + layout + ["--", "0.5,4,-8,0"]), to: "p2.json")
        let p1 = try String(contentsOf: folder.appendingPathComponent("p1.json"), encoding: .utf8)
        #expect(p1.contains(#""packing":{"maxParties":2,"range":8,"valueBits":20}"#) && p1.contains(#""count":4"#))
        try write(try await ok(["he", "add", "--key", "keys/public.json", "p1.json", "p2.json"]), to: "sum.json")
        let sums = try await ok(["he", "decrypt", "--key", "keys/private.json", "sum.json"])
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").compactMap { Double($0) }
        #expect(sums.count == 4)
        for (got, want) in zip(sums, [2.0, 2.0, 0.0, 0.0]) { #expect(abs(got - want) <= 16.0 / Double((1 << 20) - 1)) }
        let json = try await ok(["he", "decrypt", "--json", "--key", "keys/private.json", "sum.json"])
        #expect(json.contains(#""contributors" : 2"#))
        // A third vector would pass the headroom the layout was made for.
        try write(try await ok(["he", "encrypt", "--key", "keys/public.json"] + layout + ["--", "1,1,1,1"]), to: "p3.json")
        let third = try await cli.runAsync(["he", "add", "--key", "keys/public.json", "sum.json", "p3.json"])
        #expect(third.status == 1 && third.stderr.contains("contributors: 3") && third.stderr.contains("at most 2"))
        // A value outside the range is refused, naming the range.
        let outside = try await cli.runAsync(["he", "encrypt", "--key", "keys/public.json"] + layout + ["--", "9"])
        #expect(outside.status == 1 && outside.stderr.contains("−8.0 ≤ value ≤ 8.0"))
        // A layout whose headroom cannot fit a 64-bit slot is refused, naming the bound.
        let wide = try await cli.runAsync(["he", "encrypt", "--key", "keys/public.json", "--packed", "--bits", "52", "--parties", "5000", "--range", "1", "1"])
        #expect(wide.status == 1 && wide.stderr.contains("maxParties: 5000") && wide.stderr.contains("at most 4096"))
    }

    @Test func addingNumbersWhoseExponentsAreTooFarApartIsRefused() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try await ok(["he", "keygen", "--bits", "1024", "--out", "keys"])
        try write(try await ok(["he", "encrypt", "--key", "keys/public.json", "1e300"]), to: "huge.json")
        try write(try await ok(["he", "encrypt", "--key", "keys/public.json", "5e-324"]), to: "tiny.json")
        let sum = try await cli.runAsync(["he", "add", "--key", "keys/public.json", "huge.json", "tiny.json"])
        #expect(sum.status == 1, "stdout: \(sum.stdout)")
        #expect(sum.stderr.contains("cannot bring exponent 236 down to -282"))
    }
}
