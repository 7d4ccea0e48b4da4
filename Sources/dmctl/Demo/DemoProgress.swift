import Foundation

/// The running commentary: a header per phase, a line per step, the phase's time at its end.
/// Goes to standard output for the table view, to standard error (only on a terminal) with
/// `--json`, so the JSON stays clean.
struct DemoProgress: Sendable {
    /// Where lines go.
    enum Mode: Sendable {
        /// Standard output.
        case standardOutput
        /// Standard error.
        case standardError
        /// Nowhere.
        case silent
    }

    /// Where lines go.
    let mode: Mode

    /// Whether standard error is a terminal.
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Writes one line.
    func line(_ text: String) {
        switch mode {
        case .standardOutput:
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        case .standardError:
            FileHandle.standardError.write(Data((text + "\n").utf8))
        case .silent:
            break
        }
    }

    /// The opening lines: what is played, on what, where.
    func banner(configuration: DemoConfiguration, data: URL, folder: DemoFolder) {
        line("DataMarket demo · seed \(configuration.seed) · \(configuration.paillierBits)-bit Paillier keys")
        line("  data   \(data.path)")
        line("  state  \(folder.url.path)\(folder.isTemporary ? " (temporary, removed at the end)" : "")")
    }

    /// A phase starts.
    func phase(_ number: Int, _ title: String) {
        line("")
        line("[\(number)/\(DemoPhase.allCases.count)] \(title)")
    }

    /// A step of the current phase.
    func step(_ text: String) { line("  · " + text) }

    /// The current phase ended after `seconds`.
    func done(seconds: Double) { line(String(format: "  ✓ %.2f s", seconds)) }
}

/// The demo's phases, in order.
enum DemoPhase: String, CaseIterable, Codable, Sendable {
    case accounts
    case market
    case investment
    case queries
    case modelBounty = "model bounty"
    case dataBounty = "data bounty"
    case verify

    /// The heading shown when the phase starts.
    var title: String {
        switch self {
        case .accounts: "Accounts and the DMT network token at genesis"
        case .market: "A curated data market on breast_cancer.csv"
        case .investment: "Investors invest, one divests"
        case .queries: "A buyer pays the datatrust for SQL and differentially private queries"
        case .modelBounty: "A model bounty, a $Model and its paying users"
        case .dataBounty: "A data bounty trained through Paillier secure aggregation"
        case .verify: "Replaying the chain from genesis"
        }
    }
}
