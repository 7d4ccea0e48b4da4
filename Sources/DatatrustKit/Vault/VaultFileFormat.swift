import LedgerCore
internal import SodiumSupport
#if canImport(Glibc)
import Glibc
#endif

/// The on-disk layout of one vault file (all ciphertext). Both versions start with the same
/// 92-byte key wrap; vaults write version 2 and read both.
///
/// ```
/// offset  bytes  field
///      0      4  magic "DTV2" (or "DTV1")
///      4     16  id of the master key that wrapped the datapoint key
///     20     24  nonce of the key wrap (XChaCha20-Poly1305)
///     44     48  wrapped 32-byte datapoint key + 16-byte tag; associated data magic ‖ dataHash
/// DTV2:
///     92      …  AES-256-GCM chunks: 64 KiB plaintext + 16-byte tag each; the last one is
///                shorter (possibly empty). Chunk i's 12-byte nonce is i (8 bytes, big-endian),
///                three zero bytes, then 1 for the last chunk and 0 for the others
/// DTV1:
///     92     24  secretstream header
///    116      …  secretstream (XChaCha20-Poly1305) chunks: 64 KiB plaintext + 17 bytes each;
///                the last one is shorter (possibly empty) and carries TAG_FINAL
/// ```
///
/// Each datapoint has a key of its own, so a chunk's index is a unique nonce. Either version
/// authenticates every chunk, the chunks' order (the index or the stream state) and the end
/// (the last-chunk flag or the final tag): a reordered, cut or extended file does not open.
/// Version 2 exists for speed: secretstream took 0.77 s per GiB here
/// (`scripts/measure-write-costs.sh`) on the core that also receives an upload, while AES-GCM
/// on the processor's AES instructions is about 1% of the server's samples in a profile of a
/// 1 GiB upload (`scripts/profile-large-add.sh`).
enum VaultFileFormat {
    /// The layout versions.
    enum Version: Sendable, Equatable {
        /// XChaCha20-Poly1305 secretstream chunks (read only).
        case v1
        /// AES-256-GCM chunks with index nonces (what vaults write).
        case v2

        /// The version new files are written in.
        static let current = Version.v2

        /// The file's first four bytes.
        var magic: [UInt8] { self == .v1 ? Array("DTV1".utf8) : Array("DTV2".utf8) }
        /// Bytes before the first chunk.
        var headerBytes: Int { self == .v1 ? 116 : 92 }
        /// Ciphertext bytes per chunk beyond its plaintext.
        var chunkOverhead: Int { self == .v1 ? 17 : 16 }

        /// The version whose magic starts `header`, if any.
        init?(header: [UInt8]) {
            guard header.count >= 4 else { return nil }
            let magic = Array(header[0..<4])
            if magic == Version.v2.magic { self = .v2 } else if magic == Version.v1.magic { self = .v1 } else { return nil }
        }
    }

    static let keyIDOffset = 4
    static let wrapNonceOffset = 20
    static let wrappedKeyOffset = 44
    /// Bytes of the part rewritten by a master-key rotation (magic through wrapped key).
    static let wrapHeaderBytes = 92
    /// Plaintext bytes per chunk.
    static let chunkBytes = 64 * 1024

    static func wrapAD(_ hash: Hash32, _ version: Version) -> [UInt8] { version.magic + hash.bytes }

    /// Wraps `dataKey` under `master` for `hash`: the 92 header bytes of a `version` file.
    static func wrapHeader(dataKey: [UInt8], master: MasterKey, hash: Hash32, version: Version = .current) throws(VaultError) -> [UInt8] {
        let nonce = SecureRandom.bytes(Sodium.aeadNonceBytes)
        guard let wrapped = Sodium.aeadSeal(dataKey, key: master.bytes, nonce: nonce, ad: wrapAD(hash, version)) else {
            throw .integrity(dataHash: hash, detail: "key wrap refused: master key \(master.bytes.count) bytes, expected \(Sodium.aeadKeyBytes)")
        }
        return version.magic + master.id + nonce + wrapped
    }

    /// Unwraps the datapoint key from the 92 header bytes; the file's version and key.
    static func unwrap(header: [UInt8], master: MasterKey, hash: Hash32) throws(VaultError) -> (version: Version, key: [UInt8]) {
        guard header.count >= wrapHeaderBytes, let version = Version(header: header) else {
            throw .integrity(dataHash: hash, detail: "bad magic, expected \"DTV2\" or \"DTV1\"")
        }
        let keyID = Array(header[keyIDOffset..<wrapNonceOffset])
        guard keyID == master.id else {
            throw .wrongMasterKey(dataHash: hash, fileKeyID: Hex.encode(keyID, prefix: false), expectedKeyID: master.idHex)
        }
        let nonce = Array(header[wrapNonceOffset..<wrappedKeyOffset])
        let wrapped = Array(header[wrappedKeyOffset..<wrapHeaderBytes])
        guard let key = Sodium.aeadOpen(wrapped, key: master.bytes, nonce: nonce, ad: wrapAD(hash, version)) else {
            throw .integrity(dataHash: hash, detail: "the wrapped datapoint key does not authenticate")
        }
        return (version, key)
    }
}

// MARK: - POSIX helpers

enum POSIX {
    static func errorText() -> String { String(cString: strerror(errno)) }

    /// Writes all of `buffer` at the current offset; false on error (errno set).
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        guard var cursor = buffer.baseAddress else { return true }
        var remaining = buffer.count
        while remaining > 0 {
            let n = write(fd, cursor, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            cursor += n
            remaining -= n
        }
        return true
    }

    /// Writes all of `bytes` at `offset`.
    static func pwriteAll(_ fd: Int32, _ bytes: [UInt8], offset: Int, path: String) throws(VaultError) {
        let result: Int = bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            var done = 0
            while done < buffer.count {
                let n = pwrite(fd, base + done, buffer.count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    return -1
                }
                done += n
            }
            return done
        }
        guard result == bytes.count else { throw .io(path: path, detail: "pwrite: \(errorText())") }
    }

    /// Reads until `buffer` is full or end of file; returns the bytes read, or -1 on error.
    static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = read(fd, base + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                return -1
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads until `bytes` is full or end of file; returns the bytes read.
    static func readFully(_ fd: Int32, into bytes: inout [UInt8], path: String) throws(VaultError) -> Int {
        let n = bytes.withUnsafeMutableBytes { readFully(fd, $0) }
        guard n >= 0 else { throw .io(path: path, detail: "read: \(errorText())") }
        return n
    }
}
