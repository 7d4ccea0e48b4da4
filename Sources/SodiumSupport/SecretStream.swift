internal import CSodium

/// One direction of a libsodium `crypto_secretstream_xchacha20poly1305` stream: a sequence of
/// authenticated chunks under one 32-byte key, whose order and end (the final tag) are
/// authenticated too. Owns the stream state and wipes it when released; not for sharing
/// between threads.
package final class SecretStream {
    /// Bytes of the header that starts a stream.
    package static let headerBytes = Int(crypto_secretstream_xchacha20poly1305_headerbytes())
    /// Bytes one chunk's ciphertext has beyond its plaintext (tag byte and MAC).
    package static let chunkOverhead = Int(crypto_secretstream_xchacha20poly1305_abytes())
    /// Bytes of a stream key.
    package static let keyBytes = Int(crypto_secretstream_xchacha20poly1305_keybytes())

    private var state = crypto_secretstream_xchacha20poly1305_state()

    private init() { Sodium.ensureInitialised() }

    deinit {
        withUnsafeMutableBytes(of: &state) { SecureRandom.wipe($0) }
    }

    /// Starts encrypting under `key` (``keyBytes``), writing the stream header into `header`
    /// (``headerBytes``); nil when a length is wrong.
    package static func encrypting(key: [UInt8], header: UnsafeMutableRawBufferPointer) -> SecretStream? {
        guard header.count >= headerBytes, let hb = header.baseAddress else { return nil }
        return starting(key: key) { state, kb in
            crypto_secretstream_xchacha20poly1305_init_push(&state, hb.assumingMemoryBound(to: UInt8.self), kb)
        }
    }

    /// Starts decrypting under `key` (``keyBytes``) a stream that begins with `header`
    /// (``headerBytes``); nil when a length is wrong or the header is invalid.
    package static func decrypting(key: [UInt8], header: UnsafeRawBufferPointer) -> SecretStream? {
        guard header.count >= headerBytes, let hb = header.baseAddress else { return nil }
        return starting(key: key) { state, kb in
            crypto_secretstream_xchacha20poly1305_init_pull(&state, hb.assumingMemoryBound(to: UInt8.self), kb)
        }
    }

    /// A new stream whose state `initialise` sets up from the key's bytes (libsodium's
    /// `init_push` or `init_pull`); nil when the key is not ``keyBytes`` long or libsodium refuses.
    private static func starting(
        key: [UInt8], _ initialise: (inout crypto_secretstream_xchacha20poly1305_state, UnsafePointer<UInt8>) -> Int32
    ) -> SecretStream? {
        guard key.count == keyBytes else { return nil }
        let stream = SecretStream()
        let status = key.withUnsafeBufferPointer { k -> Int32 in
            guard let kb = k.baseAddress else { return -1 }
            return initialise(&stream.state, kb)
        }
        return status == 0 ? stream : nil
    }

    /// Encrypts `plaintext` as the next chunk into `ciphertext` (at least
    /// `plaintext.count + chunkOverhead` bytes), marked final when `final`; the ciphertext's
    /// length, or nil when the buffer is too small or libsodium refuses.
    package func push(_ plaintext: UnsafeRawBufferPointer, into ciphertext: UnsafeMutableRawBufferPointer, final: Bool) -> Int? {
        guard ciphertext.count >= plaintext.count + Self.chunkOverhead, let cb = ciphertext.baseAddress else { return nil }
        let tag = final
            ? UInt8(crypto_secretstream_xchacha20poly1305_tag_final())
            : UInt8(crypto_secretstream_xchacha20poly1305_tag_message())
        var length: UInt64 = 0
        let status = crypto_secretstream_xchacha20poly1305_push(
            &state, cb.assumingMemoryBound(to: UInt8.self), &length,
            plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count), nil, 0, tag)
        return status == 0 ? Int(length) : nil
    }

    /// Decrypts and authenticates the next chunk `ciphertext` into `plaintext` (at least
    /// `ciphertext.count - chunkOverhead` bytes): the plaintext's length and whether the chunk
    /// carries the final tag, or nil when it does not authenticate (tampered, reordered,
    /// truncated) or a buffer has the wrong size.
    package func pull(_ ciphertext: UnsafeRawBufferPointer, into plaintext: UnsafeMutableRawBufferPointer) -> (length: Int, isFinal: Bool)? {
        guard ciphertext.count >= Self.chunkOverhead, plaintext.count >= ciphertext.count - Self.chunkOverhead,
              let cb = ciphertext.baseAddress, let pb = plaintext.baseAddress
        else { return nil }
        var length: UInt64 = 0
        var tag: UInt8 = 0
        let status = crypto_secretstream_xchacha20poly1305_pull(
            &state, pb.assumingMemoryBound(to: UInt8.self), &length, &tag,
            cb.assumingMemoryBound(to: UInt8.self), UInt64(ciphertext.count), nil, 0)
        guard status == 0 else { return nil }
        return (Int(length), tag == UInt8(crypto_secretstream_xchacha20poly1305_tag_final()))
    }
}
