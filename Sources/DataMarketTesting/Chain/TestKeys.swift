public import LedgerCore

/// Deterministic keys for tests: the same seed gives the same key, and so the same address, on
/// every machine and every run.
public enum TestKeys {
    /// A key whose 32 bytes are spread from `seed` by a linear congruential generator; the first
    /// byte is 1, so every seed gives a scalar below the secp256k1 group order.
    public static func spread(_ seed: UInt64) -> PrivateKey {
        var bytes = [UInt8](repeating: 0, count: 32)
        var s = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        for i in 0..<32 {
            s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[i] = UInt8(truncatingIfNeeded: s >> 33)
        }
        bytes[0] = 0x01
        return (try? PrivateKey(bytes: bytes)) ?? PrivateKey.generate()
    }

    /// The key whose scalar is the small number `n` (1...255 are all valid secp256k1 scalars).
    public static func small(_ n: UInt8) -> PrivateKey {
        (try? PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [n])) ?? PrivateKey.generate()
    }
}
