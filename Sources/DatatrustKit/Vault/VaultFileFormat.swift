import LedgerCore
internal import SodiumSupport
#if canImport(Glibc)
import Glibc
#endif

/// The on-disk layout of one vault file (all ciphertext):
///
/// ```
/// offset  bytes  field
///      0      4  magic "DTV1"
///      4     16  id of the master key that wrapped the datapoint key
///     20     24  nonce of the key wrap (XChaCha20-Poly1305)
///     44     48  wrapped 32-byte datapoint key + 16-byte tag; associated data "DTV1" ‖ dataHash
///     92     24  secretstream header
///    116      …  secretstream chunks: 64 KiB plaintext + 17 bytes each; the last one is
///                shorter (possibly empty) and carries TAG_FINAL
/// ```
enum VaultFileFormat {
    static let magic: [UInt8] = Array("DTV1".utf8)
    static let keyIDOffset = 4
    static let wrapNonceOffset = 20
    static let wrappedKeyOffset = 44
    /// Bytes of the part rewritten by a master-key rotation (magic through wrapped key).
    static let wrapHeaderBytes = 92
    static let streamHeaderOffset = 92
    static let streamHeaderBytes = 24
    static let headerBytes = 116
    /// Plaintext bytes per secretstream chunk.
    static let chunkBytes = 64 * 1024
    /// Ciphertext overhead per chunk (tag byte + MAC).
    static let chunkOverhead = 17

    static func wrapAD(_ hash: Hash32) -> [UInt8] { magic + hash.bytes }

    /// Wraps `dataKey` under `master` for `hash`: the 92 header bytes before the stream header.
    static func wrapHeader(dataKey: [UInt8], master: MasterKey, hash: Hash32) throws(VaultError) -> [UInt8] {
        let nonce = SecureRandom.bytes(Sodium.aeadNonceBytes)
        guard let wrapped = Sodium.aeadSeal(dataKey, key: master.bytes, nonce: nonce, ad: wrapAD(hash)) else {
            throw .integrity(dataHash: hash, detail: "key wrap refused: master key \(master.bytes.count) bytes, expected \(Sodium.aeadKeyBytes)")
        }
        return magic + master.id + nonce + wrapped
    }

    /// Unwraps the datapoint key from the 92 header bytes.
    static func unwrap(header: [UInt8], master: MasterKey, hash: Hash32) throws(VaultError) -> [UInt8] {
        guard header.count >= wrapHeaderBytes, Array(header[0..<4]) == magic else {
            throw .integrity(dataHash: hash, detail: "bad magic, expected \"DTV1\"")
        }
        let keyID = Array(header[keyIDOffset..<wrapNonceOffset])
        guard keyID == master.id else {
            throw .wrongMasterKey(dataHash: hash, fileKeyID: Hex.encode(keyID, prefix: false), expectedKeyID: master.idHex)
        }
        let nonce = Array(header[wrapNonceOffset..<wrappedKeyOffset])
        let wrapped = Array(header[wrappedKeyOffset..<wrapHeaderBytes])
        guard let key = Sodium.aeadOpen(wrapped, key: master.bytes, nonce: nonce, ad: wrapAD(hash)) else {
            throw .integrity(dataHash: hash, detail: "the wrapped datapoint key does not authenticate")
        }
        return key
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

    /// Writes all of `bytes` at the current offset.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(VaultError) {
        guard bytes.withUnsafeBytes({ writeAll(fd, $0) }) else { throw .io(path: path, detail: "write: \(errorText())") }
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
