import LedgerCore
internal import SodiumSupport
public import Foundation
#if canImport(Glibc)
import Glibc
import CDispatch  // with CoreFoundation: the clang modules struct stat's members are attributed to
import CoreFoundation  // (MemberImportVisibility), whichever the build loads first
#endif

/// The 32-byte key that wraps every datapoint's own key. Rotating it re-wraps the
/// per-datapoint keys only; the data itself is never re-encrypted.
public struct MasterKey: Sendable, Equatable, CustomStringConvertible {
    /// Bytes of a master key.
    public static let byteCount = 32
    let bytes: [UInt8]
    /// A 16-byte identifier of this key (keyed BLAKE2b of a fixed label), stored beside each
    /// wrapped key so a file wrapped by another key is recognised without trying to unwrap it.
    public let id: [UInt8]

    /// Argon2id cost parameters for a passphrase-derived key.
    public struct PassphraseCost: Sendable, Equatable {
        /// Passes over memory.
        public var opsLimit: UInt64
        /// Bytes of memory.
        public var memLimit: Int
        /// libsodium's interactive level (2 passes, 64 MiB).
        public static let interactive = PassphraseCost(opsLimit: 2, memLimit: 64 << 20)
        /// libsodium's moderate level (3 passes, 256 MiB).
        public static let moderate = PassphraseCost(opsLimit: 3, memLimit: 256 << 20)
        /// The minimum libsodium accepts; for tests only.
        public static let minimum = PassphraseCost(opsLimit: 1, memLimit: 8192)
        /// A cost level.
        public init(opsLimit: UInt64, memLimit: Int) {
            self.opsLimit = opsLimit
            self.memLimit = memLimit
        }
    }

    /// A master key from 32 raw bytes.
    /// - Throws: ``VaultError/invalidKeyFile(path:reason:)`` (path `"<bytes>"`) for another length.
    public init(bytes: [UInt8]) throws(VaultError) {
        guard bytes.count == Self.byteCount else {
            throw .invalidKeyFile(path: "<bytes>", reason: "\(bytes.count) bytes, expected \(Self.byteCount)")
        }
        self.bytes = bytes
        self.id = Sodium.genericHash(Array("DataMarket vault master key id v1".utf8), key: bytes, outputBytes: 16)
    }

    /// A fresh random master key.
    public static func generate() -> MasterKey {
        // A 32-byte buffer always satisfies the initialiser.
        (try? MasterKey(bytes: SecureRandom.bytes(byteCount))) ?? MasterKey(unchecked: SecureRandom.bytes(byteCount))
    }

    private init(unchecked bytes: [UInt8]) {
        self.bytes = bytes
        self.id = Sodium.genericHash(Array("DataMarket vault master key id v1".utf8), key: bytes, outputBytes: 16)
    }

    /// The key id as hex, for messages.
    public var idHex: String { id.map { String(format: "%02x", $0) }.joined() }

    /// Never prints the key.
    public var description: String { "MasterKey(id \(idHex))" }

    // MARK: - Key file

    /// Loads the key in `file`, creating it (32 random bytes, mode 0600, never overwriting) when
    /// it does not exist.
    /// - Throws: ``VaultError/invalidKeyFile(path:reason:)`` when the file is not 32 bytes or is
    ///   readable or writable by group or others.
    public static func loadOrCreate(keyFile file: URL) throws(VaultError) -> MasterKey {
        let path = file.path
        if !FileManager.default.fileExists(atPath: path) {
            let fresh = generate()
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw .invalidKeyFile(path: path, reason: "cannot create: \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            let written = fresh.bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == byteCount, fsync(fd) == 0 else {
                throw .invalidKeyFile(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
            }
            return fresh
        }
        return try load(keyFile: file)
    }

    /// Loads the key in an existing `file`.
    /// - Throws: ``VaultError/invalidKeyFile(path:reason:)`` when missing, not 32 bytes, or
    ///   accessible to group or others (mode must be 0600 or 0400).
    public static func load(keyFile file: URL) throws(VaultError) -> MasterKey {
        let path = file.path
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .invalidKeyFile(path: path, reason: "cannot stat: \(String(cString: strerror(errno)))")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw .invalidKeyFile(path: path, reason: "mode \(String(mode, radix: 8)) lets others read it, expected 600")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidKeyFile(path: path, reason: "cannot read")
        }
        guard data.count == byteCount else {
            throw .invalidKeyFile(path: path, reason: "\(data.count) bytes, expected \(byteCount)")
        }
        return MasterKey(unchecked: Array(data))
    }

    // MARK: - Passphrase

    /// Derives a key from `passphrase` with Argon2id and a 16-byte `salt`.
    /// - Throws: ``VaultError/keyDerivationFailed(reason:)``.
    public static func derive(passphrase: String, salt: [UInt8], cost: PassphraseCost = .interactive) throws(VaultError) -> MasterKey {
        guard salt.count == 16 else { throw .keyDerivationFailed(reason: "salt is \(salt.count) bytes, expected 16") }
        guard !passphrase.isEmpty else { throw .keyDerivationFailed(reason: "passphrase is empty, expected at least one character") }
        guard var key = Sodium.argon2id(passphrase: Array(passphrase.utf8), salt: salt, opsLimit: cost.opsLimit, memLimit: cost.memLimit) else {
            throw .keyDerivationFailed(reason: "libsodium refused opsLimit \(cost.opsLimit), memLimit \(cost.memLimit)")
        }
        defer { SecureRandom.wipe(&key) }
        return MasterKey(unchecked: key)
    }

    /// Derives a key from `passphrase` with the salt kept in `saltFile` (16 random bytes, created
    /// on first use; the salt is not secret).
    public static func derive(passphrase: String, saltFile: URL, cost: PassphraseCost = .interactive) throws(VaultError) -> MasterKey {
        let salt: [UInt8]
        if let existing = FileManager.default.contents(atPath: saltFile.path) {
            salt = Array(existing)
        } else {
            salt = SecureRandom.bytes(16)
            guard FileManager.default.createFile(atPath: saltFile.path, contents: Data(salt), attributes: [.posixPermissions: 0o600]) else {
                throw .invalidKeyFile(path: saltFile.path, reason: "cannot create the salt file")
            }
        }
        return try derive(passphrase: passphrase, salt: salt, cost: cost)
    }
}
