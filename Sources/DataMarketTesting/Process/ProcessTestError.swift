/// Why a helper that drives a child process gave up.
public enum ProcessTestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The command was still running after its time limit, and was ended.
    case timedOut(command: String, seconds: Int64)
    /// The background process exited before printing what the test waited for.
    case exitedEarly(command: String, status: Int32, stderr: String)
    /// The background process did not print `expected` within its time limit.
    case neverPrinted(expected: String, seconds: Int64)
    /// A loopback socket the helper needs could not be made (the call and its errno).
    case socket(String)

    /// What went wrong and what was expected.
    public var description: String {
        switch self {
        case .timedOut(let command, let seconds):
            "\(command): still running after \(seconds) s, expected it to finish; it was ended"
        case .exitedEarly(let command, let status, let stderr):
            "\(command): exited with status \(status) before it was ready; stderr: \(stderr)"
        case .neverPrinted(let expected, let seconds):
            "expected the process to print \"\(expected)\" within \(seconds) s; it did not"
        case .socket(let failure):
            "a loopback socket could not be made: \(failure)"
        }
    }
}
