import ArgumentParser
import Foundation
import LedgerCore

/// dmctl's one rule for amounts, stated once here and applied by every command that reads or
/// prints an amount of a token.
///
/// - Input: token units with the token's own decimals (`1.5` DMT is 1.5 × 10^18 smallest
///   units when DMT has 18 decimals); with `--raw`, an integer in smallest units.
///   Nothing is rounded: more fractional digits than the token has are refused.
/// - Tables: token units followed by the symbol, smallest units in brackets.
/// - JSON: a decimal string of smallest units, with the token named beside it.
enum AmountRule {
    /// The rule as `dmctl amounts` prints it (and `dmctl help amounts` shows it).
    static let statement = """
        How dmctl reads and prints amounts (the same in every command group):

          input            token units of that token, with its decimals: 1.5 DMT is
                           1500000000000000000 smallest units when DMT has 18 decimals
          input + --raw    smallest units, an integer: --amount 1500000000000000000 --raw
          tables           token units and the symbol, smallest units in brackets:
                           1.5 DMT (1500000000000000000)
          --json           a decimal string of smallest units, the token named beside it:
                           "balance": "1500000000000000000", "token": "DMT"

        Amounts are never rounded (more fractional digits than the token has are refused),
        never negative, and at most 2^256-1 smallest units. A market's MarketToken has 18
        decimals. Market parameters that are amounts (challengeStake, applicationDeposit,
        priceFloor, priceSlope, defaultAccessCost in the NetworkToken; councilThreshold,
        listReward, accessReward in the MarketToken) follow the same rule; the others are
        seconds or percent, plain integers.
        """

    /// The help line of an amount option: what it is, and the rule.
    static func help(_ what: String, token: String = "the token") -> ArgumentHelp {
        ArgumentHelp("\(what), in token units of \(token) (1.5 = 1.5 × 10^decimals), or smallest units with --raw (see dmctl amounts).",
                     valueName: "amount")
    }

    // MARK: - Reading

    /// An amount of `token`, whose decimals are read from the chain.
    ///
    /// - Throws: a usage error naming `field` when the text is malformed; a refusal (as the
    ///   ledger would refuse it) when the token does not exist.
    static func parse(_ text: String, of token: TokenID, raw: Bool, chain: Chain, field: String) throws(CLIError) -> UInt256 {
        if raw { return try parse(text, decimals: 0, symbol: token.symbol, raw: true, field: field) }
        let decimals: Int
        do { decimals = Int(try chain.state.ledger.token(token).decimals) } catch {
            throw .refused("\(field): \(error); expected an existing token symbol (see dmctl token list)")
        }
        return try parse(text, decimals: decimals, symbol: token.symbol, raw: false, field: field)
    }

    /// An amount of a token with `decimals` decimals (token units), or smallest units when `raw`.
    static func parse(_ text: String, decimals: Int, symbol: String, raw: Bool, field: String) throws(CLIError) -> UInt256 {
        let expected = raw
            ? "expected an integer number of smallest units of \(symbol), e.g. 1500000000000000000"
            : "expected \(symbol) token units with at most \(decimals) decimals, e.g. 1.5, or smallest units with --raw"
        if text.hasPrefix("-") {
            throw .usage("\(field): '\(text)' is negative; \(expected) (amounts are never negative)")
        }
        do {
            return raw ? try UInt256(decimalInteger: text, field: field) : try UInt256(decimal: text, decimals: decimals, field: field)
        } catch {
            throw .usage("\(error); \(expected)")
        }
    }

    // MARK: - Printing

    /// `1.5 DMT (1500000000000000000)`; the bare integer when the token is unknown.
    static func text(_ amount: UInt256, _ token: Token?) -> String {
        guard let token else { return amount.description }
        return text(amount, decimals: Int(token.decimals), symbol: token.id.symbol)
    }

    /// `1.5 DMT (1500000000000000000)` for a token with `decimals` decimals.
    static func text(_ amount: UInt256, decimals: Int, symbol: String) -> String {
        "\(amount.formatted(decimals: decimals)) \(symbol) (\(amount))"
    }
}

/// The `--raw` switch of a command that reads amounts: every amount it takes is then in
/// smallest units.
struct RawAmountFlag: ParsableArguments {
    @Flag(help: "Read every amount of this command in smallest units (an integer) instead of token units.")
    var raw = false
}

/// `dmctl amounts`: prints the amount rule (also shown by `dmctl help amounts`).
struct AmountsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amounts",
        abstract: "How every command reads and prints amounts (token units, --raw, tables, JSON).",
        discussion: AmountRule.statement + "\n\nExample: dmctl amounts")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        if global.json {
            struct Out: Encodable { let rule: String }
            return try Output.json(Out(rule: AmountRule.statement))
        }
        print(AmountRule.statement)
    }
}
