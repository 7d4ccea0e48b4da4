import Foundation
import HECore

/// Files committed under `Tests/HECoreTests/Fixtures/` and the repository's `Data/`.
enum Fixtures {
    /// The `Tests/HECoreTests` folder, found from this file's path.
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    /// The package root: the nearest ancestor holding `Package.swift`.
    static var packageRoot: URL {
        var folder = testsFolder
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder
            }
            folder = folder.deletingLastPathComponent()
        }
        return testsFolder
    }

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: testsFolder.appendingPathComponent("Fixtures").appendingPathComponent(name))
    }

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: data(name))
    }

    /// The phe-generated 1024-bit private key (its `pub` is the public key).
    static func privateKey() throws -> Paillier.PrivateKey {
        try Paillier.PrivateKey(jwk: data("private.json"))
    }
}

/// A small deterministic generator (SplitMix64) so that random tests reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A random signed integer of up to `bits` bits.
    mutating func bigInteger(bits: Int) -> BigInteger {
        let bytes = (0..<((bits + 7) / 8)).map { _ in UInt8.random(in: 0...255, using: &self) }
        var value = BigInteger(bigEndianBytes: bytes).shifted(by: -(bytes.count * 8 - bits))
        if Bool.random(using: &self) { value = -value }
        return value
    }
}

/// A 1024-bit key generated once per test process (key generation is the slow part).
enum SharedKeys {
    static let generated: Paillier.PrivateKey? = try? Paillier.PrivateKey.generate(bits: 1024)
}
