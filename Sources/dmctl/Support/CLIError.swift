import ArgumentParser
import Foundation

/// The process exit statuses dmctl promises (stated in the README).
enum ExitStatus: Int32 {
    /// The command did what was asked.
    case success = 0
    /// The protocol (ledger, market, bounty, datatrust) refused the request.
    case refused = 1
    /// The command line or an input value was malformed.
    case usage = 2
    /// A file, the state folder or the network failed.
    case storage = 3

    /// The status's name in a JSON error object.
    var code: String {
        switch self {
        case .success: "ok"
        case .refused: "refused"
        case .usage: "usage"
        case .storage: "storage"
        }
    }
}

/// An error raised by dmctl itself, carrying its exit status and a one-line message.
struct CLIError: Error, CustomStringConvertible {
    /// How the process should exit.
    let status: ExitStatus
    /// What was wrong and what was expected.
    let message: String

    var description: String { message }

    /// A malformed command-line value.
    static func usage(_ message: String) -> CLIError { CLIError(status: .usage, message: message) }
    /// A refusal by the protocol.
    static func refused(_ message: String) -> CLIError { CLIError(status: .refused, message: message) }
    /// A storage or I/O problem.
    static func storage(_ message: String) -> CLIError { CLIError(status: .storage, message: message) }
}

/// Errors from the libraries that map to an exit status other than "refused".
///
/// Library error types conform in `Support/ExitStatus+Library.swift` so the mapping lives in
/// one place; anything unlisted is a protocol refusal.
protocol ExitClassified: Error {
    /// The exit status this error stands for.
    var exitStatus: ExitStatus { get }
}

extension CLIError: ExitClassified {
    var exitStatus: ExitStatus { status }
}

enum ErrorReporting {
    /// Exit status for any error thrown by a command.
    static func status(for error: any Error) -> ExitStatus {
        if let classified = error as? any ExitClassified { return classified.exitStatus }
        if error is CocoaError || error is POSIXError { return .storage }
        return .refused
    }

    /// The one-line message printed on standard error.
    static func message(for error: any Error) -> String {
        String(describing: error)
    }

    /// Writes the error as one JSON object on standard error (instead of the text line):
    /// `{"code":"usage","error":"error: --amount: ...","status":2}`.
    static func writeJSON(message: String, status: ExitStatus) {
        struct Out: Encodable { let error: String; let code: String; let status: Int32 }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = try? encoder.encode(Out(error: text, code: status.code, status: status.rawValue)) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}
