import Foundation
import LedgerCore
import ModelMarketKit

/// Signing and submitting one module call from the CLI, and printing its receipt.
enum ChainCall {
    /// Signs `call` with `key` at its next nonce, submits it in one block and prints the
    /// receipt, through the same path as every other mutating command (``LedgerCLI``).
    @discardableResult
    static func send<M: ChainModule>(_ call: M.Call, to module: M.Type, key: TxSigner, home: Home, json: Bool) throws -> Receipt {
        let chain = try ChainHome.open(home)
        let (block, receipt) = try LedgerCLI.submit(call, to: module, key: key, chain: chain)
        try LedgerCLI.printReceipt(LedgerCLI.ReceiptView(block: block, receipt: receipt), json: json)
        return receipt
    }

    /// Signs `call` with the `--key` key of `signer` and submits it to the chain in `global`'s
    /// home, printing the receipt as ``send(_:to:key:home:json:)`` does.
    @discardableResult
    static func send<M: ChainModule>(_ call: M.Call, to module: M.Type, global: GlobalOptions, signer: SignerOptions) throws -> Receipt {
        try send(call, to: module, key: try signer.load(global), home: Home(global), json: global.json)
    }

    /// Reads and decodes a JSON file.
    static func readJSON<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw CLIError.storage("cannot read \(path): \(error.localizedDescription)") }
        do { return try JSONDecoder().decode(T.self, from: data) } catch { throw CLIError.usage("\(path): not the expected JSON: \(error)") }
    }

    /// Writes a value as pretty JSON, readable only by the owner (it may hold salts).
    static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(value).write(to: URL(fileURLWithPath: path), options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        } catch { throw CLIError.storage("cannot write \(path): \(error.localizedDescription)") }
    }

    /// Reads a text file.
    static func readText(_ path: String) throws -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch { throw CLIError.storage("cannot read \(path): \(error.localizedDescription)") }
    }

    /// Parses a 0x hash.
    static func hash(_ text: String, option: String) throws -> Hash32 {
        do { return try Hash32(hex: text, field: option) } catch { throw CLIError.usage("\(option): \(error)") }
    }

    /// Parses a token symbol.
    static func token(_ text: String) throws -> TokenID {
        do { return try TokenID(text) } catch { throw CLIError.usage("--token: \(error)") }
    }

    /// Block time now on the home's chain.
    static func now(_ home: Home) throws -> UInt64 { try ChainHome.open(home).clock.now() }
}

/// Integer labels or predictions, one per line (the format of `truth`/predictions files is JSON
/// `{"values": [...]}`).
struct IntegerVector: Codable {
    /// The values.
    var values: [Int64]
}
