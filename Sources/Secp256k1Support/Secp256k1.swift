internal import CSecp256k1

/// The package's one wrapper of libsecp256k1: keys, recoverable signatures and recovery on
/// byte arrays, every call through the one shared, randomised context. No C type appears in
/// any signature; scalars and points are big-endian bytes, public keys 65-byte uncompressed.
package enum Secp256k1 {
    /// The 65-byte uncompressed public key of a 32-byte secret scalar, or nil when the secret
    /// is zero or not below the group order.
    package static func publicKey(ofSecret secret: [UInt8]) -> [UInt8]? {
        guard secret.count == 32 else { return nil }
        var point = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(Secp256k1Context.shared.pointer, &point, secret) == 1 else { return nil }
        return serialize(&point)
    }

    /// The 65-byte uncompressed form of an encoded point (33-byte compressed, 65-byte
    /// uncompressed), or nil when the bytes are not a point on the curve.
    package static func parsePublicKey(_ encoded: [UInt8]) -> [UInt8]? {
        var point = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(Secp256k1Context.shared.pointer, &point, encoded, encoded.count) == 1 else {
            return nil
        }
        return serialize(&point)
    }

    /// Signs a 32-byte `digest` with a valid 32-byte `secret` by deterministic (RFC 6979)
    /// recoverable ECDSA, low-s, with `extraData` (32 bytes) mixed into the nonce when given.
    ///
    /// - Returns: r ‖ s (64 bytes) and the recovery id (0…3), or nil when libsecp256k1
    ///   refuses (an invalid secret or digest length).
    package static func signRecoverable(
        digest: [UInt8], secret: [UInt8], extraData: [UInt8]? = nil
    ) -> (compact: [UInt8], recoveryID: Int32)? {
        guard digest.count == 32, secret.count == 32, extraData.map({ $0.count == 32 }) ?? true else { return nil }
        let context = Secp256k1Context.shared.pointer
        var signature = secp256k1_ecdsa_recoverable_signature()
        let signed: Int32
        if let extraData {
            signed = extraData.withUnsafeBytes { extra in
                secp256k1_ecdsa_sign_recoverable(context, &signature, digest, secret, nil, extra.baseAddress)
            }
        } else {
            signed = secp256k1_ecdsa_sign_recoverable(context, &signature, digest, secret, nil, nil)
        }
        guard signed == 1 else { return nil }
        var compact = [UInt8](repeating: 0, count: 64)
        var recoveryID: Int32 = 0
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recoveryID, &signature)
        return (compact, recoveryID)
    }

    /// Recovers the public key that signed the 32-byte `digest` with r, s (32 bytes each) and
    /// `recoveryID`, writing its 65-byte uncompressed form into `out` (65 bytes); false when no
    /// key fits. Allocates nothing, so hot verification paths can hash the key in place.
    package static func recoverUncompressed(
        digest: [UInt8], r: [UInt8], s: [UInt8], recoveryID: Int32, into out: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard digest.count == 32, r.count == 32, s.count == 32, out.count == 65 else { return false }
        let context = Secp256k1Context.shared.pointer
        var compact: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        var signature = secp256k1_ecdsa_recoverable_signature()
        var point = secp256k1_pubkey()
        let parsed = withUnsafeMutableBytes(of: &compact) { raw -> Int32 in
            raw.copyBytes(from: r)
            UnsafeMutableRawBufferPointer(rebasing: raw[32..<64]).copyBytes(from: s)
            guard let input = raw.bindMemory(to: UInt8.self).baseAddress else { return 0 }
            return secp256k1_ecdsa_recoverable_signature_parse_compact(context, &signature, input, recoveryID)
        }
        guard parsed == 1 else { return false }
        guard secp256k1_ecdsa_recover(context, &point, &signature, digest) == 1 else { return false }
        guard let output = out.bindMemory(to: UInt8.self).baseAddress else { return false }
        var length = 65
        _ = secp256k1_ec_pubkey_serialize(context, output, &length, &point, UInt32(SECP256K1_EC_UNCOMPRESSED))
        return length == 65
    }

    /// The 65-byte uncompressed encoding of a parsed point.
    private static func serialize(_ point: inout secp256k1_pubkey) -> [UInt8] {
        let context = Secp256k1Context.shared.pointer
        return [UInt8](unsafeUninitializedCapacity: 65) { out, initialised in
            var length = 65
            // Cannot fail: the point is valid and the buffer has the right size.
            if let base = out.baseAddress {
                _ = secp256k1_ec_pubkey_serialize(context, base, &length, &point, UInt32(SECP256K1_EC_UNCOMPRESSED))
            }
            initialised = length
        }
    }
}
