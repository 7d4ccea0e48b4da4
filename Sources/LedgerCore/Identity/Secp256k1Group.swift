/// Facts about the secp256k1 group used when validating scalars (keys, r and s).
enum Secp256k1Group {
    /// The group order n, big-endian.
    static let order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
        0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
    ]

    /// ⌊n / 2⌋, big-endian: the largest s of a low-s signature.
    static let halfOrder: [UInt8] = [
        0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0,
    ]

    /// Whether a 32-byte big-endian scalar is zero.
    static func isZero<C: Collection>(_ scalar: C) -> Bool where C.Element == UInt8 {
        scalar.allSatisfy { $0 == 0 }
    }

    /// Whether a 32-byte big-endian scalar is below n (equal lengths, so lexicographic order is
    /// numeric order).
    static func isBelowOrder<C: Collection>(_ scalar: C) -> Bool where C.Element == UInt8 {
        scalar.lexicographicallyPrecedes(order)
    }

    /// Whether a 32-byte big-endian scalar is at most n / 2.
    static func isLowHalf<C: Collection>(_ scalar: C) -> Bool where C.Element == UInt8 {
        !halfOrder.lexicographicallyPrecedes(scalar)
    }
}
