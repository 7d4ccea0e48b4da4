import ArgumentParser
import Foundation
import LedgerCore
import MarketKit

/// `dmctl usage`: a `$Data` owner's usage offers and the trainers' agreements on them.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Offer your $Data for use per use, accept an offer, record uses, close or withdraw.",
        discussion: """
            The owner of a $Data offers a price per use (to one trainer, or anyone); a trainer \
            accepts it, prepaying some uses into escrow; each recorded use pays the owner; \
            closing refunds unused prepayment. Prices are token units of --token, or smallest \
            units with --raw (see dmctl amounts).

            Example:
              dmctl usage offer --data 2 --token DMT --price 0.5 --key erin
              dmctl usage accept 1 --prepaid-uses 4 --key trainer
              dmctl usage record 1 --count 2 --key trainer
              dmctl usage close 1 --key trainer
            """,
        subcommands: [Offer.self, Withdraw.self, Accept.self, Record.self, Close.self, Show.self])

    struct Offer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Offer a $Data you own for use at a price per use.",
            discussion: "Example: dmctl usage offer --data 2 --trainer trainer --token DMT --price 0.5 --key erin")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "The $Data NFT id.") var data: UInt64
        @Option(help: "Only this trainer may accept: 0x address or key name (default: anyone).") var trainer: String?
        @Option(help: "Token the uses are paid in.") var token: String
        @Option(parsing: .unconditional, help: AmountRule.help("Price per use", token: "--token")) var price: String
        @OptionGroup var units: RawAmountFlag

        func run() async throws {
            let home = Home(global)
            let tokenID = try RolesCLI.token(token, field: "--token")
            let who = try trainer.map { try LedgerCLI.account($0, field: "--trainer", home: home) }
            let chain = try ChainHome.open(home)
            let value = try AmountRule.parse(price, of: tokenID, raw: units.raw, chain: chain, field: "--price")
            try RolesCLI.run(.offerUsage(data: data, trainer: who, token: tokenID, pricePerUse: value),
                             chain: chain, global: global, signer: signer)
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Withdraw an offer nobody has accepted.", discussion: "Example: dmctl usage withdraw 1 --key erin")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The offer id.") var offer: UInt64

        func run() async throws { try RolesCLI.run(.withdrawOffer(offer: offer), global: global, signer: signer) }
    }

    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept an offer as the trainer, prepaying some uses into escrow.",
            discussion: "Example: dmctl usage accept 1 --prepaid-uses 4 --key trainer")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The offer id.") var offer: UInt64
        @Option(help: "Uses to prepay into escrow (0: pay as you go).") var prepaidUses: UInt64 = 0

        func run() async throws { try RolesCLI.run(.acceptUsage(offer: offer, prepaidUses: prepaidUses), global: global, signer: signer) }
    }

    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record uses under an agreement you accepted; each pays the $Data's owner.",
            discussion: "Example: dmctl usage record 1 --count 2 --key trainer")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The agreement (offer) id.") var offer: UInt64
        @Option(help: "Number of uses (1 or more).") var count: UInt64 = 1

        func run() async throws { try RolesCLI.run(.recordDataUse(offer: offer, count: count), global: global, signer: signer) }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close an agreement you accepted; unused prepayment comes back.", discussion: "Example: dmctl usage close 1 --key trainer")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The agreement (offer) id.") var offer: UInt64

        func run() async throws { try RolesCLI.run(.closeAgreement(offer: offer), global: global, signer: signer) }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an offer or agreement: parties, price, status, uses.", discussion: "Example: dmctl usage show 1 --json")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The offer id.") var offer: UInt64

        func run() async throws {
            let (chain, roles) = try RolesCLI.state(global)
            guard let a = roles.agreements[offer] else {
                throw CLIError.refused("offer: no usage offer \(offer); expected the id printed by dmctl usage offer")
            }
            if global.json { return try Output.json(a) }
            let token = chain.state.ledger.tokens[a.token]
            Output.fields([
                ("offer", "\(a.id)"), ("data", "\(a.data)"), ("offered by", a.offeredBy.checksummed),
                ("for trainer", a.forTrainer?.checksummed ?? "anyone"), ("price per use", AmountRule.text(a.pricePerUse, token)),
                ("status", a.status.rawValue), ("trainer", a.trainer?.checksummed ?? "-"),
                ("prepaid uses", "\(a.prepaidUses)"), ("uses", "\(a.uses)"),
            ])
        }
    }
}
