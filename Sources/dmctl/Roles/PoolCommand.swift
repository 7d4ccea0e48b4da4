import ArgumentParser
import Foundation
import LedgerCore
import MarketKit

/// `dmctl pool`: reward pools paying base rewards to listed `$Data` and admitted `$Portfolio`s.
struct PoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool",
        abstract: "Create, fund, admit portfolios to and close base-reward pools.",
        discussion: "Example: dmctl pool fund 1 --amount 100 --key sponsor",
        subcommands: [Create.self, Fund.self, Admit.self, Close.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a reward pool paying per second per listed $Data and per admitted portfolio.",
            discussion: "Example: dmctl pool create --token DMT --market cancer --data-rate 0.001 --duration 2592000 --funding 5000 --key sponsor")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Token the pool pays in.") var token: String
        @Option(help: "Only pay $Data listed in this market.") var market: String?
        @Option(parsing: .unconditional, help: AmountRule.help("Paid per second per listed $Data", token: "--token")) var dataRate = "0"
        @Option(parsing: .unconditional, help: AmountRule.help("Paid per second per admitted portfolio", token: "--token")) var portfolioRate = "0"
        @Option(help: "Seconds from now until accrual stops.") var duration: UInt64
        @Option(parsing: .unconditional, help: AmountRule.help("Initial funding from the signer", token: "--token")) var funding = "0"
        @OptionGroup var units: RawAmountFlag

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            let tokenID = try RolesCLI.token(token, field: "--token")
            let (endsAt, overflow) = max(chain.state.timestamp, chain.clock.now()).addingReportingOverflow(duration)
            guard !overflow else { throw CLIError.usage("--duration \(duration) is too long") }
            try RolesCLI.run(.createPool(
                token: tokenID, market: try market.map { try RolesCLI.market($0) },
                dataRatePerSecond: try RolesCLI.amount(dataRate, of: tokenID, raw: units.raw, chain: chain, field: "--data-rate"),
                portfolioRatePerSecond: try RolesCLI.amount(portfolioRate, of: tokenID, raw: units.raw, chain: chain, field: "--portfolio-rate"),
                endsAt: endsAt, funding: try RolesCLI.amount(funding, of: tokenID, raw: units.raw, chain: chain, field: "--funding")),
                chain: chain, global: global, signer: signer)
        }
    }

    struct Fund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add funds to a reward pool.", discussion: "Example: dmctl pool fund 1 --amount 100 --key sponsor")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The pool id.") var pool: UInt64
        @Option(parsing: .unconditional, help: AmountRule.help("Amount to add", token: "the pool's token")) var amount: String
        @OptionGroup var units: RawAmountFlag

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            let p = try RolesCLI.lookup(chain) { try $0.pool(pool) }
            let value = try RolesCLI.amount(amount, of: p.token, raw: units.raw, chain: chain, field: "--amount")
            try RolesCLI.run(.fundPool(pool: pool, amount: value), chain: chain, global: global, signer: signer)
        }
    }

    struct Admit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Admit a portfolio to your pool.", discussion: "Example: dmctl pool admit 1 --portfolio 5 --key sponsor")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The pool id.") var pool: UInt64
        @Option(help: "The $Portfolio id.") var portfolio: UInt64

        func run() async throws { try RolesCLI.run(.admitPortfolio(pool: pool, portfolio: portfolio), global: global, signer: signer) }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close your pool after its claim grace and take back what it holds.", discussion: "Example: dmctl pool close 1 --key sponsor")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The pool id.") var pool: UInt64

        func run() async throws { try RolesCLI.run(.closePool(pool: pool), global: global, signer: signer) }
    }
}
