internal import Crypto
import Foundation
internal import SodiumSupport

/// Seals or opens a vault file's chunks in order, in the file's version
/// (``VaultFileFormat``): AES-256-GCM with the chunk's index and last-chunk flag as its nonce
/// (DTV2), or libsodium's secretstream (DTV1). One direction per instance; not for sharing
/// between threads.
final class VaultChunkCipher {
    /// The file version the chunks are in.
    let version: VaultFileFormat.Version
    private let stream: SecretStream?
    private let key: SymmetricKey?
    /// The next chunk's index (DTV2).
    private var index: UInt64 = 0

    private init(version: VaultFileFormat.Version, stream: SecretStream?, key: SymmetricKey?) {
        self.version = version
        self.stream = stream
        self.key = key
    }

    /// Starts sealing under the 32-byte `dataKey`; `streamHeader` receives what the version
    /// keeps between the key wrap and the first chunk (DTV1's 24-byte secretstream header; DTV2
    /// keeps nothing there). Nil when a length is wrong.
    static func sealing(_ version: VaultFileFormat.Version, dataKey: [UInt8], streamHeader: UnsafeMutableRawBufferPointer) -> VaultChunkCipher? {
        starting(version, dataKey: dataKey) { SecretStream.encrypting(key: dataKey, header: streamHeader) }
    }

    /// Starts opening chunks sealed under `dataKey`, after `streamHeader` (DTV1's secretstream
    /// header; empty for DTV2). Nil when a length is wrong or the header is invalid.
    static func opening(_ version: VaultFileFormat.Version, dataKey: [UInt8], streamHeader: UnsafeRawBufferPointer) -> VaultChunkCipher? {
        starting(version, dataKey: dataKey) { SecretStream.decrypting(key: dataKey, header: streamHeader) }
    }

    /// A cipher for `version`: DTV1's secretstream as `stream` starts it, or DTV2's AES key.
    private static func starting(
        _ version: VaultFileFormat.Version, dataKey: [UInt8], stream: () -> SecretStream?
    ) -> VaultChunkCipher? {
        switch version {
        case .v1:
            return stream().map { VaultChunkCipher(version: .v1, stream: $0, key: nil) }
        case .v2:
            guard dataKey.count == 32 else { return nil }
            return VaultChunkCipher(version: .v2, stream: nil, key: SymmetricKey(data: dataKey))
        }
    }

    /// Seals `plain` as the next chunk into `cipher` (at least `plain.count` + the version's
    /// overhead), marked as the last when `final`; the ciphertext's length, or nil when the
    /// buffer is too small or the cipher refuses.
    func seal(_ plain: UnsafeRawBufferPointer, into cipher: UnsafeMutableRawBufferPointer, final: Bool) -> Int? {
        if let stream { return stream.push(plain, into: cipher, final: final) }
        let length = plain.count + version.chunkOverhead
        guard let key, cipher.count >= length, let nonce = nonce(final: final),
              let box = try? AES.GCM.seal(plain, using: key, nonce: nonce)
        else { return nil }
        index += 1
        box.ciphertext.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: cipher[0..<plain.count]).copyMemory(from: $0) }
        box.tag.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: cipher[plain.count..<length]).copyMemory(from: $0) }
        return length
    }

    /// Opens the next chunk `cipher` into `plain` (at least `cipher.count` − the overhead):
    /// the plaintext's length and whether it was sealed as the last chunk, or nil when it does
    /// not authenticate (tampered, reordered, cut) or a buffer has the wrong size. `short` says
    /// whether the chunk is shorter than a full one: in DTV2 only the last chunk is, so that is
    /// the flag it is opened with, and a cut chunk fails to authenticate.
    func open(_ cipher: UnsafeRawBufferPointer, into plain: UnsafeMutableRawBufferPointer, short: Bool) -> (length: Int, isFinal: Bool)? {
        if let stream { return stream.pull(cipher, into: plain) }
        let length = cipher.count - version.chunkOverhead
        guard let key, length >= 0, plain.count >= length, let nonce = nonce(final: short),
              let box = try? AES.GCM.SealedBox(
                nonce: nonce, ciphertext: UnsafeRawBufferPointer(rebasing: cipher[0..<length]),
                tag: UnsafeRawBufferPointer(rebasing: cipher[length...])),
              let opened = try? AES.GCM.open(box, using: key)
        else { return nil }
        index += 1
        opened.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: plain[0..<length]).copyMemory(from: $0) }
        return (length, short)
    }

    /// The DTV2 nonce of the next chunk: its index (8 bytes, big-endian), three zero bytes, the
    /// last-chunk flag (nil only if swift-crypto refused twelve bytes as a GCM nonce).
    private func nonce(final: Bool) -> AES.GCM.Nonce? {
        var bytes = [UInt8](repeating: 0, count: 12)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: index >> (56 - 8 * UInt64(i))) }
        bytes[11] = final ? 1 : 0
        return try? AES.GCM.Nonce(data: bytes)
    }
}
