import ArgumentParser
import Foundation
import LedgerCore
import MarketKit

/// Shared plumbing of the roles commands (`data`, `portfolio`, `model`, `eval`, `pool`):
/// parsing ids, hashes and amounts, submitting one signed roles call, printing its receipt.
enum RolesCLI {
    // MARK: - Reading arguments

    /// A token symbol, or a usage error naming the flag (``LedgerCLI/token(_:field:)``).
    static func token(_ text: String, field: String) throws -> TokenID {
        try LedgerCLI.token(text, field: field)
    }

    /// A market slug, or a usage error naming the flag.
    static func market(_ text: String, field: String = "--market") throws -> MarketID {
        do { return try MarketID(text) } catch { throw CLIError.usage("\(field): \(error)") }
    }

    /// A 32-byte hash in hex (optional 0x), or a usage error naming the flag.
    static func hash(_ text: String, field: String) throws -> Hash32 {
        do { return try Hash32(hex: text, field: field) } catch { throw CLIError.usage("\(error)") }
    }

    /// The hash given in hex with `--<name>-hash`, or Keccak-256 of the file given with
    /// `--<name>-file`; exactly one of them (or neither, when `optional`).
    static func hash(hex: String?, file: String?, name: String, optional: Bool = false) throws -> Hash32? {
        switch (hex, file) {
        case (let h?, nil): return try hash(h, field: "--\(name)-hash")
        case (nil, let f?):
            return try TerminalProgress.keccak(ofFile: f, field: "--\(name)-file")
        case (nil, nil):
            if optional { return nil }
            throw CLIError.usage("give --\(name)-hash HEX or --\(name)-file PATH")
        default: throw CLIError.usage("give either --\(name)-hash or --\(name)-file, not both")
        }
    }

    /// What a model was trained on: exactly one of `--portfolio ID` and `--data ID`.
    static func trainingSource(portfolio: UInt64?, data: UInt64?) throws -> TrainingSource {
        switch (portfolio, data) {
        case (let p?, nil): return .portfolio(p)
        case (nil, let d?): return .data(d)
        default: throw CLIError.usage("give exactly one of --portfolio ID or --data ID")
        }
    }

    /// An amount of `token` under dmctl's one amount rule (see ``AmountRule``).
    static func amount(_ text: String, of token: TokenID, raw: Bool, chain: Chain, field: String) throws -> UInt256 {
        try AmountRule.parse(text, of: token, raw: raw, chain: chain, field: field)
    }

    // MARK: - Submitting

    /// Signs `call` with the signer's key, submits it in a block of its own and prints the receipt.
    static func run(_ call: RolesModule.Call, global: GlobalOptions, signer: SignerOptions) throws {
        try run(call, chain: try ChainHome.open(Home(global)), global: global, signer: signer)
    }

    /// Signs `call` with the signer's key, submits it on `chain` (opened to build the call)
    /// and prints the receipt.
    static func run(_ call: RolesModule.Call, chain: Chain, global: GlobalOptions, signer: SignerOptions) throws {
        try LedgerCLI.run(call, to: RolesModule.self, chain: chain, global: global, signer: signer)
    }

    /// The roles state of the chain in `global`'s home.
    static func state(_ global: GlobalOptions) throws -> (chain: Chain, roles: RolesModule.State) {
        let chain = try ChainHome.open(Home(global))
        return (chain, chain.state(of: RolesModule.self))
    }

    /// What `read` finds in `chain`'s roles state (a model, a pool); what it throws (an unknown
    /// id) exits as refused.
    static func lookup<T>(_ chain: Chain, _ read: (RolesModule.State) throws -> T) throws -> T {
        do { return try read(chain.state(of: RolesModule.self)) } catch { throw CLIError.refused("\(error)") }
    }

    /// The owner of NFT `id`, checksummed, or `-`.
    static func owner(_ id: UInt64, chain: Chain) -> String { chain.state.ledger.nfts[id]?.owner.checksummed ?? "-" }
}
