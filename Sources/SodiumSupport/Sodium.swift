internal import CSodium

/// Runs `sodium_init()` exactly once for the whole process, on first use: a global `let` is
/// initialised lazily and thread-safely by the Swift runtime. `sodium_init` returns 0 (done),
/// 1 (already done) or -1 (no entropy source); in the last case libsodium's `randombytes_buf`
/// aborts rather than return weak bytes, so there is no silent failure to report here.
private let sodiumInitialisation: Int32 = sodium_init()

/// The package's one wrapper of libsodium: typed calls on byte arrays, no C type in any
/// signature. Every function makes sure `sodium_init` ran first.
package enum Sodium {
    /// Makes sure `sodium_init` ran (once per process).
    package static func ensureInitialised() { _ = sodiumInitialisation }

    // MARK: - XChaCha20-Poly1305 (IETF) AEAD

    /// Bytes of an XChaCha20-Poly1305 key.
    package static let aeadKeyBytes = Int(crypto_aead_xchacha20poly1305_ietf_keybytes())
    /// Bytes of an XChaCha20-Poly1305 nonce.
    package static let aeadNonceBytes = Int(crypto_aead_xchacha20poly1305_ietf_npubbytes())
    /// Bytes of an XChaCha20-Poly1305 authentication tag.
    package static let aeadTagBytes = Int(crypto_aead_xchacha20poly1305_ietf_abytes())

    /// Encrypts `plaintext` under `key` (``aeadKeyBytes``) with `nonce` (``aeadNonceBytes``) and
    /// associated data `ad`: the ciphertext followed by its tag, or nil when the key or nonce
    /// has the wrong length.
    package static func aeadSeal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], ad: [UInt8]) -> [UInt8]? {
        ensureInitialised()
        guard key.count == aeadKeyBytes, nonce.count == aeadNonceBytes else { return nil }
        var out = [UInt8](repeating: 0, count: plaintext.count + aeadTagBytes)
        let written = aead(plaintext, into: &out, key: key, nonce: nonce, ad: ad) { o, length, p, pCount, a, aCount, n, k in
            crypto_aead_xchacha20poly1305_ietf_encrypt(o, length, p, pCount, a, aCount, nil, n, k)
        }
        guard let written else { return nil }
        return Array(out.prefix(written))
    }

    /// Decrypts and authenticates `ciphertext` (ciphertext followed by tag); nil when the tag
    /// does not verify or the key or nonce has the wrong length.
    package static func aeadOpen(_ ciphertext: [UInt8], key: [UInt8], nonce: [UInt8], ad: [UInt8]) -> [UInt8]? {
        ensureInitialised()
        guard ciphertext.count >= aeadTagBytes, nonce.count == aeadNonceBytes, key.count == aeadKeyBytes else { return nil }
        // One spare byte so the buffer has an address even for an empty plaintext.
        var out = [UInt8](repeating: 0, count: ciphertext.count - aeadTagBytes + 1)
        let written = aead(ciphertext, into: &out, key: key, nonce: nonce, ad: ad) { o, length, c, cCount, a, aCount, n, k in
            guard let c else { return -1 }
            return crypto_aead_xchacha20poly1305_ietf_decrypt(o, length, nil, c, cCount, a, aCount, n, k)
        }
        guard let written else {
            SecureRandom.wipe(&out)
            return nil
        }
        let plaintext = Array(out.prefix(written))
        SecureRandom.wipe(&out)
        return plaintext
    }

    /// Runs one AEAD call (`encrypt` or `decrypt`) with the base addresses and lengths of
    /// `input`, `ad`, `nonce` and `key`, writing into `out`: the bytes it wrote, or nil when it
    /// fails (a wrong tag) or a buffer it needs has no address.
    private static func aead(
        _ input: [UInt8], into out: inout [UInt8], key: [UInt8], nonce: [UInt8], ad: [UInt8],
        _ call: (
            _ out: UnsafeMutablePointer<UInt8>, _ outLength: UnsafeMutablePointer<UInt64>, _ input: UnsafePointer<UInt8>?, _ inputCount: UInt64,
            _ ad: UnsafePointer<UInt8>?, _ adCount: UInt64, _ nonce: UnsafePointer<UInt8>, _ key: UnsafePointer<UInt8>
        ) -> Int32
    ) -> Int? {
        var outLength: UInt64 = 0
        let status: Int32 = out.withUnsafeMutableBufferPointer { o in
            input.withUnsafeBufferPointer { i in
                ad.withUnsafeBufferPointer { a in
                    nonce.withUnsafeBufferPointer { n in
                        key.withUnsafeBufferPointer { k in
                            guard let ob = o.baseAddress, let nb = n.baseAddress, let kb = k.baseAddress else { return -1 }
                            return call(ob, &outLength, i.baseAddress, UInt64(i.count), a.baseAddress, UInt64(a.count), nb, kb)
                        }
                    }
                }
            }
        }
        return status == 0 ? Int(outLength) : nil
    }

    // MARK: - Hashing

    /// SHA-256 (`crypto_hash_sha256`) of `message`.
    package static func sha256(_ message: [UInt8]) -> [UInt8] {
        ensureInitialised()
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        digest.withUnsafeMutableBufferPointer { out in
            message.withUnsafeBufferPointer { input in
                guard let target = out.baseAddress else { return }
                _ = crypto_hash_sha256(target, input.baseAddress, UInt64(input.count))
            }
        }
        return digest
    }

    /// BLAKE2b (`crypto_generichash`) of `message`, optionally keyed, `outputBytes` long
    /// (clamped to 16…64).
    package static func genericHash(_ message: [UInt8], key: [UInt8] = [], outputBytes: Int = 32) -> [UInt8] {
        ensureInitialised()
        var out = [UInt8](repeating: 0, count: min(max(outputBytes, 16), 64))
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

    // MARK: - Password hashing

    /// Bytes of an Argon2id salt.
    package static let passwordSaltBytes = Int(crypto_pwhash_saltbytes())

    /// Argon2id13 (`crypto_pwhash`) of `passphrase` with a ``passwordSaltBytes`` `salt`,
    /// `outputBytes` long; nil when libsodium refuses (out of memory, limits outside the
    /// accepted range) or the salt has the wrong length.
    package static func argon2id(
        passphrase: [UInt8], salt: [UInt8], opsLimit: UInt64, memLimit: Int, outputBytes: Int = 32
    ) -> [UInt8]? {
        ensureInitialised()
        guard salt.count == passwordSaltBytes, outputBytes > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: outputBytes)
        // NUL-terminated copy so the pointer is valid even for an empty passphrase; the NUL
        // is not hashed.
        var pass = [CChar](repeating: 0, count: passphrase.count + 1)
        for index in passphrase.indices { pass[index] = CChar(bitPattern: passphrase[index]) }
        defer { pass.withUnsafeMutableBytes { SecureRandom.wipe($0) } }
        let status: Int32 = out.withUnsafeMutableBufferPointer { o in
            pass.withUnsafeBufferPointer { p in
                salt.withUnsafeBufferPointer { s in
                    guard let ob = o.baseAddress, let pb = p.baseAddress, let sb = s.baseAddress else { return -1 }
                    return crypto_pwhash(ob, UInt64(o.count), pb, UInt64(p.count - 1), sb,
                                         opsLimit, memLimit, crypto_pwhash_alg_argon2id13())
                }
            }
        }
        guard status == 0 else {
            SecureRandom.wipe(&out)
            return nil
        }
        return out
    }
}
