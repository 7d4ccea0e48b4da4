import ArgumentParser
import Foundation
import LedgerCore
import MarketKit

/// Helpers shared by the `dmctl market` commands: parsing ids and amounts, signing one call,
/// and printing its receipt.
enum MarketCLI {
    static func marketID(_ text: String) throws -> MarketID {
        do { return try MarketID(text) } catch { throw CLIError.usage("market: \(error)") }
    }

    static func hash(_ text: String, field: String) throws -> Hash32 {
        do { return try Hash32(hex: text, field: field) } catch { throw CLIError.usage("\(error)") }
    }

    /// An amount of `market`'s NetworkToken under the one amount rule (``AmountRule``).
    static func networkAmount(_ text: String, of market: Market, raw: Bool, chain: Chain, field: String) throws -> UInt256 {
        try AmountRule.parse(text, of: market.networkToken, raw: raw, chain: chain, field: field)
    }

    /// An amount of `market`'s MarketToken under the one amount rule (``AmountRule``).
    static func marketTokenAmount(_ text: String, of market: Market, raw: Bool, chain: Chain, field: String) throws -> UInt256 {
        try AmountRule.parse(text, of: market.marketToken, raw: raw, chain: chain, field: field)
    }

    /// Decimals of every MarketToken (fixed by `MarketModule` when it creates the market).
    static let marketTokenDecimals = 18

    /// The value of parameter `parameter` as written on the command line: amounts follow the
    /// amount rule in their token (NetworkToken or MarketToken), seconds and percent are integers.
    static func parameterValue(_ parameter: MarketParameter, _ text: String, networkToken: TokenID, marketTokenSymbol: String,
                               raw: Bool, chain: Chain, field: String) throws -> UInt256 {
        switch parameter {
        case .challengeStake, .applicationDeposit, .priceFloor, .priceSlope, .defaultAccessCost:
            return try AmountRule.parse(text, of: networkToken, raw: raw, chain: chain, field: field)
        case .councilThreshold, .listReward, .accessReward:
            return try AmountRule.parse(text, decimals: marketTokenDecimals, symbol: marketTokenSymbol, raw: raw, field: field)
        case .voteBy, .quorum, .plurality, .dispensation, .makerPayment, .backendPayment, .resolveDeadline, .jobTimeout:
            if text.hasPrefix("-") { throw CLIError.usage("\(field): '\(text)' is negative; expected an integer in \(parameter.bounds)") }
            do { return try UInt256(decimalInteger: text, field: field) } catch {
                throw CLIError.usage("\(error); expected an integer (seconds or percent) in \(parameter.bounds)")
            }
        }
    }

    /// Signs `call` with the `--key` key, submits it as one transaction and prints the receipt.
    static func send(_ call: MarketModule.Call, global: GlobalOptions, signer: SignerOptions) throws {
        try send(global: global, signer: signer) { _ in call }
    }

    /// Opens the chain, builds the call from it (amounts need their token's decimals), then
    /// signs, submits and prints the receipt.
    static func send(global: GlobalOptions, signer: SignerOptions, _ build: (Chain) throws -> MarketModule.Call) throws {
        let chain = try ChainHome.open(Home(global))
        let call = try build(chain)
        try LedgerCLI.run(call, to: MarketModule.self, chain: chain, global: global, signer: signer)
    }

    static func market(_ id: MarketID, in chain: Chain) throws -> Market {
        do { return try chain.state(of: MarketModule.self).market(id) } catch { throw CLIError.refused("\(error)") }
    }
}

extension MarketError: ExitClassified {
    var exitStatus: ExitStatus {
        switch self {
        case .invalidMarketID, .invalidText: .usage
        default: .refused
        }
    }
}
