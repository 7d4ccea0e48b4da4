import ArgumentParser
import Foundation
import LedgerCore
import MarketKit

/// `dmctl portfolio`: curated, weighted `$Portfolio` tokens.
struct PortfolioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portfolio",
        abstract: "Create and show $Portfolio tokens: weighted selections of $Data.",
        discussion: "Example: dmctl portfolio create --entry 1:6000 --entry 2:4000 --bonus-token DMT --key carol",
        subcommands: [Create.self, Use.self, Retire.self, Show.self])

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record uses of a $Portfolio (a trainer training on it); pays the curator's per-use bonus.",
            discussion: "Example: dmctl portfolio use 3 --count 2 --key trainer")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The $Portfolio NFT id.") var id: UInt64
        @Option(help: "Uses to record (at least 1).") var count: UInt64 = 1

        func run() async throws {
            guard count > 0 else { throw CLIError.usage("--count: 0; expected at least 1") }
            try RolesCLI.run(.usePortfolio(portfolio: id, count: count), global: global, signer: signer)
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire your $Portfolio: it takes no more uses or pool admissions.",
            discussion: "Example: dmctl portfolio retire 3 --key carol")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The $Portfolio NFT id.") var id: UInt64

        func run() async throws {
            try RolesCLI.run(.retirePortfolio(portfolio: id), global: global, signer: signer)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mint a $Portfolio over $Data you own or that is disclosed referenceable; weights in basis points sum to 10000.",
            discussion: "Example: dmctl portfolio create --entry 1:6000 --entry 2:4000 --bonus-token DMT --bonus-per-use 0.01 --key carol")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(name: .customLong("entry"), help: ArgumentHelp("A $Data id and its weight in basis points; repeat.", valueName: "id:weight"))
        var entries: [String]
        @Option(help: "Token trainers pay the per-use bonus in.") var bonusToken: String
        @Option(parsing: .unconditional, help: AmountRule.help("Bonus a trainer pays the curator per use", token: "--bonus-token")) var bonusPerUse = "0"
        @OptionGroup var units: RawAmountFlag
        @Option(help: "Display name.") var name: String?

        func run() async throws {
            let parsed = try entries.map { text -> PortfolioEntry in
                let parts = text.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 2, let id = UInt64(parts[0]), let weight = UInt64(parts[1]) else {
                    throw CLIError.usage("--entry: '\(text)' is not id:weight with two whole numbers, e.g. 3:6000")
                }
                return PortfolioEntry(data: id, weight: weight)
            }
            let home = Home(global)
            let chain = try ChainHome.open(home)
            let token = try RolesCLI.token(bonusToken, field: "--bonus-token")
            let bonus = try RolesCLI.amount(bonusPerUse, of: token, raw: units.raw, chain: chain, field: "--bonus-per-use")
            try RolesCLI.run(.createPortfolio(entries: parsed, bonusToken: token, bonusPerUse: bonus, name: name),
                             chain: chain, global: global, signer: signer)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a portfolio's entries, weights and uses, or without an id every active portfolio by uses.",
            discussion: "Example: dmctl portfolio show 3 --json")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The $Portfolio NFT id.") var id: UInt64?

        struct View: Encodable {
            let id: UInt64
            let curator: String
            let entries: [PortfolioEntry]
            let bonusToken: TokenID
            let bonusPerUse: UInt256
            let uses: UInt64
            let active: Bool
        }

        func run() async throws {
            let (chain, roles) = try RolesCLI.state(global)
            let list: [Portfolio]
            if let id {
                do { list = [try roles.portfolio(id)] } catch { throw CLIError.refused("\(error)") }
            } else {
                list = roles.portfoliosByUses()
            }
            let views = list.map {
                View(id: $0.id, curator: RolesCLI.owner($0.id, chain: chain), entries: $0.entries, bonusToken: $0.bonusToken,
                     bonusPerUse: $0.bonusPerUse, uses: $0.uses, active: $0.isActive)
            }
            if global.json { try Output.json(views); return }
            Output.table(["id", "curator", "uses", "active", "bonus/use", "entries (data:bp)"], views.map { v in
                ["\(v.id)", v.curator, "\(v.uses)", "\(v.active)", "\(v.bonusPerUse) \(v.bonusToken)",
                 v.entries.map { "\($0.data):\($0.weight)" }.joined(separator: " ")]
            })
        }
    }
}
