internal import CSodium
import LedgerCore
#if canImport(Glibc)
import Glibc
#endif

/// Decrypts one vault file chunk by chunk, hands each verified plaintext chunk to a sink,
/// and checks at the end that the final tag was present and that Keccak-256 of the plaintext is
/// the dataHash. Memory stays at two 64 KiB buffers whatever the datapoint's size.
enum VaultReader {
    /// Streams the plaintext of `path` to `sink`; returns its size.
    ///
    /// Every chunk is authenticated before it is handed on, so a tampered chunk never reaches the
    /// sink; a missing final chunk (truncation) or a hash mismatch is reported after the last
    /// chunk, so a streaming caller must discard what it received when this throws.
    static func stream(
        path: String, hash: Hash32, master: MasterKey,
        into sink: (UnsafeRawBufferPointer) throws(VaultError) -> Void
    ) throws(VaultError) -> Int64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw .notFound(dataHash: hash) }
            throw .io(path: path, detail: "open: \(POSIX.errorText())")
        }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: VaultFileFormat.headerBytes)
        let got = try POSIX.readFully(fd, into: &header, path: path)
        guard got == VaultFileFormat.headerBytes else {
            throw .integrity(dataHash: hash, detail: "header is \(got) bytes, expected \(VaultFileFormat.headerBytes)")
        }
        var key = try VaultFileFormat.unwrap(header: header, master: master, hash: hash)
        defer { SecureRandom.wipe(&key) }
        var state = crypto_secretstream_xchacha20poly1305_state()
        let initStatus: Int32 = header.withUnsafeBufferPointer { h in
            key.withUnsafeBufferPointer { k in
                guard let hb = h.baseAddress, let kb = k.baseAddress, k.count == 32 else { return -1 }
                return crypto_secretstream_xchacha20poly1305_init_pull(&state, hb + VaultFileFormat.streamHeaderOffset, kb)
            }
        }
        guard initStatus == 0 else { throw .integrity(dataHash: hash, detail: "bad secretstream header") }

        let cipherChunk = VaultFileFormat.chunkBytes + VaultFileFormat.chunkOverhead
        var cipher = [UInt8](repeating: 0, count: cipherChunk)
        var plain = [UInt8](repeating: 0, count: VaultFileFormat.chunkBytes)
        defer { SecureRandom.wipe(&plain) }
        var hasher = Keccak256()
        var size: Int64 = 0
        var chunkIndex = 0
        let finalTag = UInt8(crypto_secretstream_xchacha20poly1305_tag_final())
        while true {
            let n = try POSIX.readFully(fd, into: &cipher, path: path)
            guard n >= VaultFileFormat.chunkOverhead else {
                throw .integrity(dataHash: hash, detail: n == 0
                    ? "truncated: stream ends after chunk \(chunkIndex) without the final tag"
                    : "truncated: chunk \(chunkIndex) is \(n) bytes, expected at least \(VaultFileFormat.chunkOverhead)")
            }
            var plainLength: UInt64 = 0
            var tag: UInt8 = 0
            let status: Int32 = plain.withUnsafeMutableBufferPointer { p in
                cipher.withUnsafeBufferPointer { c in
                    guard let pb = p.baseAddress, let cb = c.baseAddress else { return -1 }
                    return crypto_secretstream_xchacha20poly1305_pull(&state, pb, &plainLength, &tag, cb, UInt64(n), nil, 0)
                }
            }
            guard status == 0 else {
                throw .integrity(dataHash: hash, detail: "chunk \(chunkIndex) does not authenticate")
            }
            let length = Int(plainLength)
            let sinkError: VaultError? = plain.withUnsafeBytes { p in
                let slice = UnsafeRawBufferPointer(rebasing: p[0..<length])
                hasher.update(slice)
                do throws(VaultError) { try sink(slice) } catch { return error }
                return nil
            }
            if let sinkError { throw sinkError }
            size += Int64(length)
            chunkIndex += 1
            if tag == finalTag {
                var probe: UInt8 = 0
                let extra = read(fd, &probe, 1)
                guard extra == 0 else {
                    throw .integrity(dataHash: hash, detail: "bytes follow the final chunk \(chunkIndex - 1)")
                }
                break
            }
            guard n == cipherChunk else {
                throw .integrity(dataHash: hash, detail: "truncated: short chunk \(chunkIndex - 1) without the final tag")
            }
        }
        let actual = hasher.finalize()
        guard actual == hash else { throw .hashMismatch(expected: hash, actual: actual) }
        return size
    }
}
