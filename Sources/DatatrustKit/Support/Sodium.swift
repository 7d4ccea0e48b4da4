import LedgerCore
internal import CSodium

/// Runs `sodium_init()` once, on first use (a global `let` is initialised lazily and
/// thread-safely). If no entropy source exists libsodium aborts in `randombytes_buf` rather
/// than return weak bytes, so the result needs no further check here.
private let sodiumReady: Int32 = sodium_init()

/// Thin, typed access to the libsodium calls the datatrust uses.
enum Sodium {
    /// Makes sure `sodium_init` ran.
    static func ensureInitialised() { _ = sodiumReady }

    // Random bytes and wiping: LedgerCore's `SecureRandom` (package access).

    // MARK: - XChaCha20-Poly1305 (IETF) AEAD

    /// Bytes of an XChaCha20-Poly1305 nonce.
    static let aeadNonceBytes = 24
    /// Bytes of an XChaCha20-Poly1305 authentication tag.
    static let aeadTagBytes = 16

    /// Encrypts `plaintext` under `key` (32 bytes) with `nonce` (24 bytes) and associated data `ad`.
    static func aeadSeal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], ad: [UInt8]) -> [UInt8] {
        ensureInitialised()
        var out = [UInt8](repeating: 0, count: plaintext.count + aeadTagBytes)
        var outLength: UInt64 = 0
        guard key.count == 32, nonce.count == aeadNonceBytes else { return [] }
        out.withUnsafeMutableBufferPointer { o in
            plaintext.withUnsafeBufferPointer { p in
                ad.withUnsafeBufferPointer { a in
                    nonce.withUnsafeBufferPointer { n in
                        key.withUnsafeBufferPointer { k in
                            guard let ob = o.baseAddress, let nb = n.baseAddress, let kb = k.baseAddress else { return }
                            _ = crypto_aead_xchacha20poly1305_ietf_encrypt(
                                ob, &outLength, p.baseAddress, UInt64(p.count),
                                a.baseAddress, UInt64(a.count), nil, nb, kb)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Decrypts and authenticates; `nil` when the tag does not verify.
    static func aeadOpen(_ ciphertext: [UInt8], key: [UInt8], nonce: [UInt8], ad: [UInt8]) -> [UInt8]? {
        ensureInitialised()
        guard ciphertext.count > aeadTagBytes, nonce.count == aeadNonceBytes, key.count == 32 else { return nil }
        var out = [UInt8](repeating: 0, count: ciphertext.count - aeadTagBytes)
        var outLength: UInt64 = 0
        let status: Int32 = out.withUnsafeMutableBufferPointer { o in
            ciphertext.withUnsafeBufferPointer { c in
                ad.withUnsafeBufferPointer { a in
                    nonce.withUnsafeBufferPointer { n in
                        key.withUnsafeBufferPointer { k in
                            guard let ob = o.baseAddress, let cb = c.baseAddress, let nb = n.baseAddress, let kb = k.baseAddress else { return -1 }
                            return crypto_aead_xchacha20poly1305_ietf_decrypt(
                                ob, &outLength, nil, cb, UInt64(c.count),
                                a.baseAddress, UInt64(a.count), nb, kb)
                        }
                    }
                }
            }
        }
        return status == 0 ? out : nil
    }

    // MARK: - Hashing and key derivation

    /// BLAKE2b (`crypto_generichash`) of `message`, optionally keyed, `outputBytes` long (16…64).
    static func genericHash(_ message: [UInt8], key: [UInt8] = [], outputBytes: Int = 32) -> [UInt8] {
        ensureInitialised()
        var out = [UInt8](repeating: 0, count: max(outputBytes, 16))
        out.withUnsafeMutableBufferPointer { o in
            message.withUnsafeBufferPointer { m in
                key.withUnsafeBufferPointer { k in
                    guard let ob = o.baseAddress else { return }
                    _ = crypto_generichash(ob, o.count, m.baseAddress, UInt64(m.count), k.baseAddress, k.count)
                }
            }
        }
        return out
    }

    /// Argon2id13 (`crypto_pwhash`) of `passphrase` with a 16-byte `salt`; `nil` when libsodium
    /// refuses (out of memory, limits outside the accepted range).
    static func argon2id(passphrase: [UInt8], salt: [UInt8], opsLimit: UInt64, memLimit: Int) -> [UInt8]? {
        ensureInitialised()
        guard salt.count == crypto_pwhash_saltbytes() else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        guard !passphrase.isEmpty else { return nil }
        let status: Int32 = out.withUnsafeMutableBufferPointer { o in
            passphrase.withUnsafeBufferPointer { p in
                salt.withUnsafeBufferPointer { s in
                    guard let ob = o.baseAddress, let pb = p.baseAddress, let sb = s.baseAddress else { return -1 }
                    return pb.withMemoryRebound(to: CChar.self, capacity: p.count) { chars in
                        crypto_pwhash(ob, UInt64(o.count), chars, UInt64(p.count), sb,
                                      opsLimit, memLimit, crypto_pwhash_alg_argon2id13())
                    }
                }
            }
        }
        return status == 0 ? out : nil
    }
}
