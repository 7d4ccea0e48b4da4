import DataMarketTesting
import Foundation
import Testing

/// `dmctl databounty create` follows the amount rule and refuses a key file that is not a
/// Paillier public key, or weights and validation rows that do not match `--features`, before
/// anything is escrowed.
@Test func dataBountyCreateReadsTokenUnitsAndValidatesTheKeyAndTheModelShape() async throws {
    let home = try TestHome()
    try await home.initChainAsync(keys: ["sponsor"])
    let dir = home.url.path
    try await home.okAsync(["he", "keygen", "--bits", "512", "--out", "\(dir)/keys"])
    try Data(#"{"values": [1, 2, 3, 0]}"#.utf8).write(to: URL(fileURLWithPath: "\(dir)/w0.json"))
    try Data(#"{"values": [1, 2, 0]}"#.utf8).write(to: URL(fileURLWithPath: "\(dir)/w-short.json"))
    try Data(#"{"features": [[1, 2, 3], [3, 2, 1]], "labels": [0, 1]}"#.utf8).write(to: URL(fileURLWithPath: "\(dir)/val.json"))
    try Data([0xFF, 0x00, 0xC3]).write(to: URL(fileURLWithPath: "\(dir)/binary.key"))
    func create(_ changes: [String: String], raw: Bool = false) -> [String] {
        var options = ["--reward": "100", "--bond": "50", "--stake": "1", "--initial-weights": "\(dir)/w0.json",
                       "--public-key": "\(dir)/keys/public.json", "--validation": "\(dir)/val.json"]
        for (k, v) in changes { options[k] = v }
        var args = ["databounty", "create", "--key", "sponsor", "--token", "DMT", "--features", "3", "--initial-error", "3700",
                    "--target-error", "800", "--deadline-in", "86400", "--secret", "\(dir)/secret.json"]
        for (k, v) in options.sorted(by: { $0.key < $1.key }) { args += [k, v] }
        return raw ? args + ["--raw"] : args
    }
    let height = try await home.heightAsync()
    for (changes, says) in [(["--public-key": "\(dir)/binary.key"], "--public-key"), (["--public-key": "\(dir)/w0.json"], "--public-key"),
                            (["--initial-weights": "\(dir)/w-short.json"], "--initial-weights"), (["--reward": "-5"], "--reward"),
                            (["--bond": "0.0000000000000000001"], "--bond")] {
        let r = try await home.runAsync(create(changes))
        #expect(r.status == 2, "\(changes): \(r.stderr)")
        #expect(r.stderr.contains(says) && r.stderr.contains("expected"), "\(changes): \(r.stderr)")
    }
    #expect(try await home.heightAsync() == height)
    let before = try await home.balanceAsync("sponsor")
    try await home.okAsync(create([:]))
    let shown = try await home.objectAsync(["databounty", "show", "1"])
    let terms = try #require((shown["bounty"] as? [String: Any])?["terms"] as? [String: Any])
    #expect(terms["bounty"] as? String == "100000000000000000000")
    #expect(terms["sponsorBond"] as? String == "50000000000000000000")
    #expect(terms["token"] as? String == "DMT")
    let spent = try #require(UInt128(before)) - (try #require(UInt128(try await home.balanceAsync("sponsor"))))
    #expect(spent == 150_000_000_000_000_000_000)
    #expect(try await home.okAsync(["databounty", "show", "1"]).contains("100 DMT (100000000000000000000)"))
}
