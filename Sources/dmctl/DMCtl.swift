import ArgumentParser
import DatatrustKit
import Foundation
import LedgerCore

@main
struct DMCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dmctl",
        abstract: "DataMarket control: keys, chain, markets, bounties, Paillier and the datatrust.",
        discussion: """
            Exit status: 0 success, 1 refused by the protocol, 2 usage (a malformed value, an \
            unknown name, a wrong passphrase), 3 storage, I/O or network (a missing or unreadable \
            file, a port that cannot be bound). Errors read `error: <what>: <why>; expected \
            <what>`; under --json they are instead one JSON object {"error", "code", "status"} on \
            standard error. Every command takes --home DIR (default $DMCTL_HOME, else ./.dmctl) \
            and --json for machine-readable output, before or after the command name. Amounts \
            are token units, or smallest units with --raw (dmctl amounts). Long work shows \
            progress on standard error when it is a terminal. `dmctl <command> --help` explains \
            each command; argument-parser writes shell completion scripts with \
            `dmctl --generate-completion-script bash` (or zsh, fish). With \
            DMCTL_CHECK_ARGUMENTS=1 a command line is only parsed and validated, not run.

            Example:
              export DMCTL_PASSPHRASE='a long passphrase'
              dmctl key new --name alice
              dmctl chain init --key alice
              dmctl token balance --token DMT --account alice --json
            """,
        subcommands: [
            KeyCommand.self, ChainCommand.self, TokenCommand.self, NFTCommand.self, StreamCommand.self,
            TxCommand.self, NodeCommand.self, HashCommand.self, SignCommand.self, VerifyCommand.self, MarketCommand.self, DatatrustCommand.self, HECommand.self,
            DatasetCommand.self, BountyCommand.self, DataBountyCommand.self,
            DataCommand.self, UsageCommand.self, PortfolioCommand.self, ModelCommand.self, EvalCommand.self, PoolCommand.self,
            DemoCommand.self, AmountsCommand.self, CallsCommand.self,
        ])

    /// Parses, runs, and maps every failure to dmctl's documented exit statuses.
    static func main() async {
        // Streaming commands (datatrust add/get/serve, node serve) reuse their freed buffers.
        ProcessAllocator.tuneForStreaming()
        let arguments = NegativeNumbers.joined(GlobalOptions.hoisted(Array(CommandLine.arguments.dropFirst())))
        let json = GlobalOptions.asksForJSON(arguments)
        do {
            // Swift repairs bad UTF-8 in argv to U+FFFD; refuse such an argument instead.
            for index in 1..<Int(CommandLine.argc) {
                guard let raw = CommandLine.unsafeArgv[index], String(validatingCString: raw) == nil else { continue }
                throw CLIError.usage("argument \(index): its bytes are not valid UTF-8; expected UTF-8 text (file names and values alike)")
            }
            var command = try parseAsRoot(arguments)
            // Documented checking mode: parse and validate the command line, run nothing (help,
            // which the parser returns as a command of its own, still prints).
            if ProcessInfo.processInfo.environment["DMCTL_CHECK_ARGUMENTS"] == "1", !String(describing: type(of: command)).contains("HelpCommand") {
                return
            }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let parserCode = exitCode(for: error)
            if parserCode == .success || error is CleanExit {
                exit(withError: error)  // --help, --version: printed by the parser
            }
            let status: ExitStatus
            let message: String
            if parserCode == .validationFailure || error is ValidationError {
                status = .usage
                let full = fullMessage(for: error)
                message = NegativeNumbers.message(forParserError: full, arguments: arguments)
                    ?? (full.hasPrefix("Error: ") ? "error: " + full.dropFirst("Error: ".count) : full)
            } else {
                status = ErrorReporting.status(for: error)
                message = "error: " + ErrorReporting.message(for: error)
            }
            if json {
                ErrorReporting.writeJSON(message: message, status: status)
            } else {
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            Foundation.exit(status.rawValue)
        }
    }
}
