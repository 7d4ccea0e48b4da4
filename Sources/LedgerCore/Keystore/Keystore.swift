internal import SodiumSupport
public import Foundation

/// Private keys kept encrypted at rest in a folder, one file per key, mode 0600.
///
/// Each key is encrypted with XChaCha20-Poly1305 under a key derived from the passphrase by
/// Argon2id (libsodium), with a fresh random salt and nonce per file; the address is bound
/// into the ciphertext as associated data, so a file whose address field was edited does not
/// decrypt. Writes go to a temporary file that is renamed into place, so a failed import or
/// generation leaves nothing behind.
///
/// ```swift
/// let store = try Keystore(folder: home.appendingPathComponent("keys"))
/// let key = PrivateKey.generate()
/// try store.save(key, name: "alice", passphrase: "correct horse")
/// let again = try store.load(name: "alice", passphrase: "correct horse")
/// ```
public struct Keystore: Sendable {
    /// Argon2id cost parameters.
    public struct KDFCost: Sendable, Codable, Equatable {
        /// Passes over memory.
        public var opsLimit: UInt64
        /// Bytes of memory.
        public var memLimit: UInt64
        /// libsodium's interactive level: about 0.1 s and 64 MiB.
        public static let interactive = KDFCost(opsLimit: 2, memLimit: 64 << 20)
        /// libsodium's moderate level: about 0.7 s and 256 MiB.
        public static let moderate = KDFCost(opsLimit: 3, memLimit: 256 << 20)
        /// A cost level.
        public init(opsLimit: UInt64, memLimit: UInt64) {
            self.opsLimit = opsLimit
            self.memLimit = memLimit
        }
    }

    /// A stored key's public facts.
    public struct Entry: Sendable, Codable, Equatable {
        /// The key's name.
        public let name: String
        /// Its address.
        public let address: Address
        /// An entry.
        public init(name: String, address: Address) {
            self.name = name
            self.address = address
        }
    }

    /// The folder holding the key files.
    public let folder: URL
    /// The cost used when saving keys.
    public let cost: KDFCost

    /// A keystore in `folder`, created (mode 0700) if missing.
    public init(folder: URL, cost: KDFCost = .interactive) throws(KeystoreError) {
        self.folder = folder
        self.cost = cost
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .io("cannot create keystore folder \(folder.path): \(error.localizedDescription)")
        }
    }

    /// Whether `name` is a valid key name: 1–64 characters of a–z, A–Z, 0–9, `-`, `_`, `.`, not starting with `.`.
    public static func isValidName(_ name: String) -> Bool {
        let b = Array(name.utf8)
        guard (1...64).contains(b.count), b[0] != 46 else { return false }
        return b.allSatisfy { (97...122).contains($0) || (65...90).contains($0) || (48...57).contains($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    private func file(for name: String) throws(KeystoreError) -> URL {
        guard Keystore.isValidName(name) else { throw .invalidName(name) }
        return folder.appendingPathComponent(name + ".json")
    }

    // MARK: - Saving and loading

    /// Encrypts and saves `key` as `name`; refuses to overwrite an existing name.
    @discardableResult
    public func save(_ key: PrivateKey, name: String, passphrase: String) throws(KeystoreError) -> Entry {
        let url = try file(for: name)
        guard !passphrase.isEmpty else { throw .emptyPassphrase }
        guard !FileManager.default.fileExists(atPath: url.path) else { throw .exists(name) }
        let record = try KeyFile.seal(key, passphrase: passphrase, cost: cost)
        let data: Data
        do { data = Data(try CanonicalJSON.encode(record)) } catch { throw .io("cannot encode key file: \(error)") }
        try writeExclusive(data, to: url)
        return Entry(name: name, address: key.address)
    }

    /// Loads and decrypts the key called `name`.
    public func load(name: String, passphrase: String) throws(KeystoreError) -> PrivateKey {
        let record = try readRecord(name)
        return try record.open(passphrase: passphrase, name: name)
    }

    /// The address of the key called `name` (no passphrase needed).
    public func address(of name: String) throws(KeystoreError) -> Address {
        let record = try readRecord(name)
        do { return try Address(record.address) } catch { throw .corrupt(name: name, reason: "address field: \(error)") }
    }

    /// Every stored key, sorted by name.
    public func list() throws(KeystoreError) -> [Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.filter(Keystore.isValidName).sorted()
        } catch {
            throw .io("cannot list \(folder.path): \(error.localizedDescription)")
        }
        var out: [Entry] = []
        for name in names { out.append(Entry(name: name, address: try address(of: name))) }
        return out
    }

    private func readRecord(_ name: String) throws(KeystoreError) -> KeyFile {
        let url = try file(for: name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw .notFound(name) }
        do {
            return try JSONDecoder().decode(KeyFile.self, from: try Data(contentsOf: url))
        } catch {
            throw .corrupt(name: name, reason: "not a key file: \(CanonicalJSON.describe(error))")
        }
    }

    /// Writes `data` to a temporary file with mode 0600, syncs it, and links it into place
    /// only if no file of that name exists; nothing is left behind on failure.
    private func writeExclusive(_ data: Data, to url: URL) throws(KeystoreError) {
        let tmp = folder.appendingPathComponent(".tmp-\(UUID().uuidString)")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw .io("cannot create \(tmp.path): \(String(cString: strerror(errno)))") }
        var ok = data.withUnsafeBytes { buf in write(fd, buf.baseAddress, buf.count) == buf.count }
        ok = ok && fsync(fd) == 0
        close(fd)
        defer { unlink(tmp.path) }
        guard ok else { throw .io("cannot write \(tmp.path): \(String(cString: strerror(errno)))") }
        // link(2) fails if the target exists, so two concurrent saves cannot clobber each other.
        guard link(tmp.path, url.path) == 0 else {
            if errno == EEXIST { throw .exists(url.deletingPathExtension().lastPathComponent) }
            throw .io("cannot create \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}

/// The on-disk form of one encrypted key (JSON).
struct KeyFile: Codable {
    var version: Int
    var address: String
    var kdf: KDF
    var cipher: Cipher

    struct KDF: Codable {
        var algorithm: String
        var opsLimit: UInt64
        var memLimit: UInt64
        var salt: String
    }

    struct Cipher: Codable {
        var algorithm: String
        var nonce: String
        var ciphertext: String
    }

    static let kdfName = "argon2id13"
    static let cipherName = "xchacha20poly1305-ietf"

    static func seal(_ key: PrivateKey, passphrase: String, cost: Keystore.KDFCost) throws(KeystoreError) -> KeyFile {
        let salt = SecureRandom.bytes(Sodium.passwordSaltBytes)
        let nonce = SecureRandom.bytes(Sodium.aeadNonceBytes)
        var derived = try derive(passphrase: passphrase, salt: salt, cost: cost)
        defer { SecureRandom.wipe(&derived) }
        guard let ciphertext = Sodium.aeadSeal(key.bytes, key: derived, nonce: nonce, ad: key.address.bytes) else {
            throw .io("encryption failed")
        }
        return KeyFile(
            version: 1, address: key.address.checksummed,
            kdf: KDF(algorithm: kdfName, opsLimit: cost.opsLimit, memLimit: cost.memLimit, salt: Hex.encode(salt, prefix: false)),
            cipher: Cipher(algorithm: cipherName, nonce: Hex.encode(nonce, prefix: false), ciphertext: Hex.encode(ciphertext, prefix: false)))
    }

    func open(passphrase: String, name: String) throws(KeystoreError) -> PrivateKey {
        guard version == 1 else { throw .corrupt(name: name, reason: "version \(version) is not supported; expected 1") }
        guard kdf.algorithm == KeyFile.kdfName, cipher.algorithm == KeyFile.cipherName else {
            throw .corrupt(name: name, reason: "algorithms \(kdf.algorithm)/\(cipher.algorithm); expected \(KeyFile.kdfName)/\(KeyFile.cipherName)")
        }
        guard kdf.opsLimit >= 1, kdf.opsLimit <= 16, kdf.memLimit >= 8 << 10, kdf.memLimit <= 4 << 30 else {
            throw .corrupt(name: name, reason: "KDF cost out of range (ops \(kdf.opsLimit), memory \(kdf.memLimit) bytes)")
        }
        let salt: [UInt8], nonce: [UInt8], ciphertext: [UInt8], address: Address
        do {
            salt = try Hex.decode(kdf.salt, field: "kdf.salt", expectedByteCount: Sodium.passwordSaltBytes)
            nonce = try Hex.decode(cipher.nonce, field: "cipher.nonce", expectedByteCount: Sodium.aeadNonceBytes)
            ciphertext = try Hex.decode(cipher.ciphertext, field: "cipher.ciphertext", expectedByteCount: 32 + Sodium.aeadTagBytes)
            address = try Address(self.address)
        } catch {
            throw .corrupt(name: name, reason: "\(error)")
        }
        var derived = try KeyFile.derive(passphrase: passphrase, salt: salt, cost: .init(opsLimit: kdf.opsLimit, memLimit: kdf.memLimit))
        defer { SecureRandom.wipe(&derived) }
        guard var plaintext = Sodium.aeadOpen(ciphertext, key: derived, nonce: nonce, ad: address.bytes), plaintext.count == 32 else {
            throw .wrongPassphrase(name)
        }
        defer { SecureRandom.wipe(&plaintext) }
        let key: PrivateKey
        do { key = try PrivateKey(bytes: plaintext) } catch { throw .corrupt(name: name, reason: "decrypted key is invalid: \(error)") }
        guard key.address == address else { throw .corrupt(name: name, reason: "key does not match its address \(address)") }
        return key
    }

    static func derive(passphrase: String, salt: [UInt8], cost: Keystore.KDFCost) throws(KeystoreError) -> [UInt8] {
        var pass = Array(passphrase.utf8)
        defer { SecureRandom.wipe(&pass) }
        guard let out = Sodium.argon2id(
            passphrase: pass, salt: salt, opsLimit: cost.opsLimit, memLimit: Int(cost.memLimit),
            outputBytes: Sodium.aeadKeyBytes)
        else { throw .io("Argon2id key derivation failed (out of memory for \(cost.memLimit) bytes?)") }
        return out
    }
}

/// Why a keystore operation failed.
public enum KeystoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A key name with characters outside a–z, A–Z, 0–9, `-`, `_`, `.`, or the wrong length.
    case invalidName(String)
    /// A key with this name already exists.
    case exists(String)
    /// No key has this name.
    case notFound(String)
    /// The passphrase does not decrypt the key.
    case wrongPassphrase(String)
    /// An empty passphrase.
    case emptyPassphrase
    /// The key file is damaged or not a key file.
    case corrupt(name: String, reason: String)
    /// A file system failure.
    case io(String)

    /// What the keystore refused (a bad name, a taken name, a wrong passphrase) and what to do instead.
    public var description: String {
        switch self {
        case .invalidName(let n): "key name '\(n)' is invalid: expected 1-64 characters a-z, A-Z, 0-9, '-', '_' or '.', not starting with '.'"
        case .exists(let n): "a key named '\(n)' already exists; choose another name"
        case .notFound(let n): "no key named '\(n)' in the keystore"
        case .wrongPassphrase(let n): "wrong passphrase for key '\(n)'"
        case .emptyPassphrase: "the passphrase is empty; set DMCTL_PASSPHRASE or use --passphrase-file"
        case .corrupt(let n, let r): "key file '\(n)' is damaged: \(r)"
        case .io(let r): r
        }
    }
}
