import LedgerCore
import ModelMarketKit

// How the libraries' errors map to dmctl's exit statuses. Anything not listed is a refusal
// by the protocol (exit 1).

extension HexError: ExitClassified { var exitStatus: ExitStatus { .usage } }
extension AddressError: ExitClassified { var exitStatus: ExitStatus { .usage } }
extension SignatureError: ExitClassified { var exitStatus: ExitStatus { .usage } }
extension KeyError: ExitClassified { var exitStatus: ExitStatus { .usage } }
extension AmountParseError: ExitClassified { var exitStatus: ExitStatus { .usage } }

extension KeystoreError: ExitClassified {
    var exitStatus: ExitStatus {
        switch self {
        case .invalidName, .notFound, .wrongPassphrase, .emptyPassphrase: .usage
        case .exists: .refused
        case .corrupt, .io: .storage
        }
    }
}

extension ChainError: ExitClassified {
    var exitStatus: ExitStatus {
        switch self {
        // A stored block that does not fit its neighbours is damage, whichever check found it.
        case .storage, .corrupt, .hashMismatch, .genesisMismatch, .replayFailed, .parentMismatch, .heightMismatch,
             .timestampBeforeParent: .storage
        case .notInitialized, .clock: .usage
        default: .refused
        }
    }
}

extension DatasetError: ExitClassified {
    /// A file that cannot be read is storage (3), like every other missing file; bad content is usage (2).
    var exitStatus: ExitStatus {
        if case .unreadable = self { return .storage }
        return .usage
    }
}
extension CommitmentError: ExitClassified { var exitStatus: ExitStatus { .usage } }
