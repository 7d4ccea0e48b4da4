import ArgumentParser
import Foundation
import LedgerCore
import ChainNode

/// `dmctl token ...`: fungible tokens with ERC-20 semantics.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, mint, burn, move and inspect fungible tokens (ERC-20 semantics).",
        discussion: """
            Amounts are token units with a decimal point (1.5 DMT = 1.5 × 10^18 smallest units \
            for 18 decimals), or smallest units with --raw. Accounts are 0x addresses or the \
            names of keystore keys. Every changing command signs one transaction with --key, \
            appends one block and prints the receipt.

            Example:
              dmctl token transfer --token DMT --to bob --amount 12.5 --key alice
              dmctl token balance --token DMT --account bob
            """,
        subcommands: [Create.self, Mint.self, Burn.self, Transfer.self, Approve.self, TransferFrom.self,
                      Balance.self, Allowance.self, Supply.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token; the signer becomes its minter.",
            discussion: "Example: dmctl token create --symbol DATA --name 'Data Credits' --decimals 6 --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Symbol: 1-24 of A-Z 0-9 - _ . starting with a letter.") var symbol: String
        @Option(help: "Human-readable name (1-64 bytes).") var name: String
        @Option(help: "Decimal places (0-36).") var decimals: UInt8 = 18

        func run() async throws {
            let id = try LedgerCLI.token(symbol, field: "--symbol")
            try LedgerCLI.run(.createToken(symbol: id, name: name, decimals: decimals), global: global, signer: signer)
        }
    }

    struct Mint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mint new units to an account (minter only).",
            discussion: "Example: dmctl token mint --token DMT --to bob --amount 100 --key minter")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @OptionGroup var payment: PaymentOptions

        func run() async throws {
            try payment.submit(global: global, signer: signer) { .mint(token: $0, to: $1, amount: $2) }
        }
    }

    struct Burn: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Burn units from the signer's own balance (minter only).",
            discussion: "Example: dmctl token burn --token DMT --amount 5 --key minter")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Token symbol.") var token: String
        @OptionGroup var amount: AmountOptions

        func run() async throws {
            let id = try LedgerCLI.token(token)
            let chain = try ChainHome.open(Home(global))
            let value = try amount.value(of: id, chain: chain)
            try LedgerCLI.run(LedgerModule.Call.burn(token: id, amount: value), to: LedgerModule.self,
                              chain: chain, global: global, signer: signer)
        }
    }

    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move the signer's tokens to another account.",
            discussion: "Example: dmctl token transfer --token DMT --to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --amount 1.5 --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @OptionGroup var payment: PaymentOptions

        func run() async throws {
            try payment.submit(global: global, signer: signer) { .transfer(token: $0, to: $1, amount: $2) }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Allow a spender to move up to an amount of the signer's tokens (0 revokes).",
            discussion: "Example: dmctl token approve --token DMT --spender market-bot --amount 50 --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Token symbol.") var token: String
        @Option(help: "Spender: 0x address or key name.") var spender: String
        @OptionGroup var amount: AmountOptions

        func run() async throws {
            let id = try LedgerCLI.token(token)
            let home = Home(global)
            let who = try LedgerCLI.account(spender, field: "--spender", home: home)
            let chain = try ChainHome.open(home)
            let value = try amount.value(of: id, chain: chain)
            try LedgerCLI.run(LedgerModule.Call.approve(token: id, spender: who, amount: value), to: LedgerModule.self,
                              chain: chain, global: global, signer: signer)
        }
    }

    struct TransferFrom: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "transfer-from",
            abstract: "Move another account's tokens within the allowance it gave the signer.",
            discussion: "Example: dmctl token transfer-from --token DMT --from alice --to carol --amount 20 --key market-bot")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Token symbol.") var token: String
        @Option(help: "Owner whose tokens move: 0x address or key name.") var from: String
        @Option(help: "Recipient: 0x address or key name.") var to: String
        @OptionGroup var amount: AmountOptions

        func run() async throws {
            let id = try LedgerCLI.token(token)
            let home = Home(global)
            let owner = try LedgerCLI.account(from, field: "--from", home: home)
            let recipient = try LedgerCLI.account(to, field: "--to", home: home)
            let chain = try ChainHome.open(home)
            let value = try amount.value(of: id, chain: chain)
            try LedgerCLI.run(LedgerModule.Call.transferFrom(token: id, owner: owner, to: recipient, amount: value), to: LedgerModule.self,
                              chain: chain, global: global, signer: signer)
        }
    }

    // MARK: - Queries

    struct Balance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an account's balance.",
            discussion: "Example: dmctl token balance --token DMT --account bob --json")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Token symbol.") var token: String
        @Option(help: "Account: 0x address or key name.") var account = "default"

        func run() async throws {
            let id = try LedgerCLI.token(token)
            let home = Home(global)
            let who = try LedgerCLI.account(account, field: "--account", home: home)
            let balance: UInt256, decimals: UInt8
            if let node = try global.nodeURL() {
                // Read from the node: the balance as of its newest block.
                guard let entry = try NodeClient(base: node).account(who).balances.first(where: { $0.token == id }) else {
                    throw CLIError.refused("token \(id) does not exist on the chain of node \(node)")
                }
                (balance, decimals) = (entry.balance, entry.decimals)
            } else {
                let chain = try ChainHome.open(home)
                decimals = try chain.state.ledger.token(id).decimals
                balance = chain.state.ledger.balance(of: who, in: id)
            }
            if global.json {
                struct Out: Encodable { let token: TokenID; let account: Address; let balance: UInt256; let formatted: String; let decimals: UInt8 }
                return try Output.json(Out(token: id, account: who, balance: balance, formatted: balance.formatted(decimals: Int(decimals)), decimals: decimals))
            }
            Output.fields([("account", who.checksummed), ("balance", "\(balance.formatted(decimals: Int(decimals))) \(id) (\(balance))")])
        }
    }

    struct Allowance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print how much a spender may still move from an owner's balance.",
            discussion: "Example: dmctl token allowance --token DMT --owner alice --spender market-bot")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Token symbol.") var token: String
        @Option(help: "Owner: 0x address or key name.") var owner: String
        @Option(help: "Spender: 0x address or key name.") var spender: String

        func run() async throws {
            let id = try LedgerCLI.token(token)
            let home = Home(global)
            let o = try LedgerCLI.account(owner, field: "--owner", home: home)
            let s = try LedgerCLI.account(spender, field: "--spender", home: home)
            let chain = try ChainHome.open(home)
            let info = try chain.state.ledger.token(id)
            let value = chain.state.ledger.allowance(token: id, owner: o, spender: s)
            if global.json {
                struct Out: Encodable { let token: TokenID; let owner: Address; let spender: Address; let allowance: UInt256 }
                return try Output.json(Out(token: id, owner: o, spender: s, allowance: value))
            }
            Output.fields([("owner", o.checksummed), ("spender", s.checksummed), ("allowance", LedgerCLI.amountText(value, info))])
        }
    }

    struct Supply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a token's total supply (balances + escrow + unvested streams).",
            discussion: "Example: dmctl token supply --token DMT")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Token symbol.") var token: String

        func run() async throws {
            let id = try LedgerCLI.token(token)
            let chain = try ChainHome.open(Home(global))
            let info = try chain.state.ledger.token(id)
            if global.json { return try Output.json(TokenView(info)) }
            Output.fields([("token", id.symbol), ("supply", LedgerCLI.amountText(info.totalSupply, info))])
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every token on the chain.",
            discussion: "Example: dmctl token list --json")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            let tokens = chain.state.ledger.tokens.values
            if global.json { return try Output.json(tokens.map(TokenView.init)) }
            Output.table(["SYMBOL", "NAME", "DECIMALS", "MINTER", "SUPPLY"], tokens.map {
                [$0.id.symbol, $0.name, "\($0.decimals)", $0.minter.description, AmountRule.text($0.totalSupply, $0)]
            })
        }
    }

    /// The `--token`, `--to` and `--amount` of a command that sends units to an account
    /// (`mint`, `transfer`).
    struct PaymentOptions: ParsableArguments {
        @Option(help: "Token symbol.") var token: String
        @Option(help: "Recipient: 0x address or key name.") var to: String
        @OptionGroup var amount: AmountOptions

        /// Reads the options (token, recipient, then amount, so errors come in that order),
        /// signs the ledger call `call` makes of them with `signer`'s key, submits it and
        /// prints the receipt.
        func submit(global: GlobalOptions, signer: SignerOptions,
                    _ call: (TokenID, Address, UInt256) -> LedgerModule.Call) throws {
            let id = try LedgerCLI.token(token)
            let home = Home(global)
            let recipient = try LedgerCLI.account(to, field: "--to", home: home)
            let chain = try ChainHome.open(home)
            let value = try amount.value(of: id, chain: chain)
            try LedgerCLI.run(call(id, recipient, value), to: LedgerModule.self, chain: chain, global: global, signer: signer)
        }
    }

    /// A token as dmctl prints it in JSON.
    struct TokenView: Encodable {
        let symbol: TokenID
        let name: String
        let decimals: UInt8
        let minter: String
        let totalSupply: UInt256
        init(_ t: Token) {
            symbol = t.id
            name = t.name
            decimals = t.decimals
            minter = t.minter.description
            totalSupply = t.totalSupply
        }
    }
}
