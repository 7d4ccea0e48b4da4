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

    static func address(_ text: String, field: String) throws -> Address {
        do { return try Address(text) } catch { throw CLIError.usage("\(field): \(error)") }
    }

    /// A token amount written with up to 18 decimals (`10`, `0.5`).
    static func amount(_ text: String, field: String) throws -> UInt256 {
        do { return try UInt256(decimal: text, decimals: 18, field: field) } catch { throw CLIError.usage("\(error)") }
    }

    /// A raw integer (base units, seconds or percent).
    static func integer(_ text: String, field: String) throws -> UInt256 {
        do { return try UInt256(decimalInteger: text, field: field) } catch { throw CLIError.usage("\(error)") }
    }

    /// Signs `call` with the `--key` key, submits it as one transaction and prints the receipt.
    static func send(_ call: MarketModule.Call, global: GlobalOptions, signer: SignerOptions) throws {
        let chain = try ChainHome.open(Home(global))
        try LedgerCLI.run(call, to: MarketModule.self, key: try signer.load(global), chain: chain, json: global.json)
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
