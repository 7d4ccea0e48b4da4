import ArgumentParser
import LedgerCore

@main
struct DMCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dmctl",
        abstract: "DataMarket control: keys, chain, markets, bounties, Paillier and the datatrust.",
        subcommands: [])
}
