public import LedgerCore

/// Why a vault operation failed.
public enum VaultError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file system call failed on `path`.
    case io(path: String, detail: String)
    /// No datapoint with this dataHash is stored.
    case notFound(dataHash: Hash32)
    /// A stored file failed authentication, was truncated or is malformed: the data is refused.
    case integrity(dataHash: Hash32, detail: String)
    /// The plaintext's Keccak-256 is not the dataHash it was stored or requested under.
    case hashMismatch(expected: Hash32, actual: Hash32)
    /// The file's per-datapoint key was wrapped by another master key.
    case wrongMasterKey(dataHash: Hash32, fileKeyID: String, expectedKeyID: String)
    /// A master key file is missing, has the wrong size or is readable by others.
    case invalidKeyFile(path: String, reason: String)
    /// Argon2id could not derive a key (bad salt, limits, or out of memory).
    case keyDerivationFailed(reason: String)
    /// A streaming source failed while it was being stored.
    case source(detail: String)

    /// What was wrong and what was expected.
    public var description: String {
        switch self {
        case .io(let path, let detail):
            return "vault: file operation on \(path) failed: \(detail)"
        case .notFound(let hash):
            return "dataHash: \(hash.hex) is not stored in this vault; expected the hash of a datapoint added earlier"
        case .integrity(let hash, let detail):
            return "vault file for \(hash.hex): integrity check failed (\(detail)); expected an untampered, complete file"
        case .hashMismatch(let expected, let actual):
            return "dataHash: Keccak-256 of the data is \(actual.hex), expected \(expected.hex)"
        case .wrongMasterKey(let hash, let fileKeyID, let expectedKeyID):
            return "vault file for \(hash.hex): key wrapped by master key \(fileKeyID), expected master key \(expectedKeyID)"
        case .invalidKeyFile(let path, let reason):
            return "master key file \(path): \(reason)"
        case .keyDerivationFailed(let reason):
            return "master key: Argon2id derivation failed: \(reason)"
        case .source(let detail):
            return "vault: the data source failed while storing: \(detail)"
        }
    }
}
