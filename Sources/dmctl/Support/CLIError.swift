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
    static func status(for error: Error) -> ExitStatus {
        if let classified = error as? ExitClassified { return classified.exitStatus }
        if error is CocoaError || error is POSIXError { return .storage }
        return .refused
    }

    /// The one-line message printed on standard error.
    static func message(for error: Error) -> String {
        String(describing: error)
    }
}
