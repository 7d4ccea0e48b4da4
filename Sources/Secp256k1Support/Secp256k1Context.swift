internal import CSecp256k1
internal import SodiumSupport

/// The one libsecp256k1 context of the process, shared by every thread.
///
/// `@unchecked Sendable` invariant: the context is created with `SECP256K1_CONTEXT_NONE` and
/// randomised (side-channel blinding, seeded from libsodium) once, inside `init`, before the
/// shared instance is published. After that, every call made with `pointer` takes a
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
