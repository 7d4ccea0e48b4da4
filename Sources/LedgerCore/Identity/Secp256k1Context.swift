internal import CSecp256k1

/// The one libsecp256k1 context the module uses, shared by every thread.
///
/// `@unchecked Sendable` invariant: the context is created with `SECP256K1_CONTEXT_NONE` and
/// randomised (side-channel blinding, seeded from libsodium) once, inside `init`, before the
/// shared instance is published. After that, every call made with ``pointer`` takes a
/// `const secp256k1_context *` (parse, serialise, sign, recover, key creation), which
/// libsecp256k1 documents as safe to use from several threads at once; nothing mutates the
/// context again until `deinit`, which only runs when the last reference is gone.
final class Secp256k1Context: @unchecked Sendable {
    /// The shared, randomised context (created on first use).
    static let shared = Secp256k1Context()

    /// The C context; only ever passed to functions taking a `const` context.
    let pointer: OpaquePointer

    private init() {
        // libsecp256k1 aborts through its error callback when allocation fails and never
        // returns NULL here, so this guard documents an impossibility rather than an input path.
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            preconditionFailure("secp256k1_context_create returned NULL")
        }
        var seed = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &seed) { raw in
            SecureRandom.fill(raw)
            // Returns 1 on success; 0 only for an unsupported build, where the context stays
            // usable without blinding.
            _ = secp256k1_context_randomize(context, raw.bindMemory(to: UInt8.self).baseAddress)
            SecureRandom.wipe(raw)
        }
        pointer = context
    }

    deinit {
        secp256k1_context_destroy(pointer)
    }
}

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
