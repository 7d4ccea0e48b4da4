import DataMarketTesting
import Foundation
import HECore
import LedgerCore

/// Files committed under `Tests/HECoreTests/Fixtures/` and the repository's `Data/`.
enum Fixtures {
    /// The `Tests/HECoreTests` folder, found from this file's path.
    static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    /// The package root.
    static var packageRoot: URL { PackageRoot.url }

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

extension SplitMix64 {
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
