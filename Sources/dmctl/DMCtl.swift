import ArgumentParser
import Foundation
import LedgerCore

@main
struct DMCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dmctl",
        abstract: "DataMarket control: keys, chain, markets, bounties, Paillier and the datatrust.",
        discussion: """
            Exit status: 0 success, 1 refused by the protocol, 2 usage error, \
            3 storage or I/O problem. Every command takes --home DIR (default $DMCTL_HOME, else \
            ./.dmctl) and --json for machine-readable output; long work shows progress on \
            standard error when it is a terminal. `dmctl <command> --help` explains each command.

            Example:
              export DMCTL_PASSPHRASE='a long passphrase'
              dmctl key new --name alice
              dmctl chain init --genesis Examples/genesis.json
              dmctl token balance --token DMT --account alice --json
            """,
        subcommands: [
            KeyCommand.self, ChainCommand.self, TokenCommand.self, NFTCommand.self, StreamCommand.self,
            TxCommand.self, NodeCommand.self, HashCommand.self, SignCommand.self, VerifyCommand.self, MarketCommand.self, DatatrustCommand.self, HECommand.self,
            DatasetCommand.self, BountyCommand.self, DataBountyCommand.self,
            DataCommand.self, PortfolioCommand.self, ModelCommand.self, EvalCommand.self, PoolCommand.self,
            DemoCommand.self,
        ])

    /// Parses, runs, and maps every failure to dmctl's documented exit statuses.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
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
                message = fullMessage(for: error)
            } else {
                status = ErrorReporting.status(for: error)
                message = "error: " + ErrorReporting.message(for: error)
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(status.rawValue)
        }
    }
}
