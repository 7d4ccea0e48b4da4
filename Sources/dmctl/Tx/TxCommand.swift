import ArgumentParser
import Foundation
import LedgerCore

/// `dmctl tx ...`: transactions signed by a wallet (EIP-712 typed data) instead of the keystore.
struct TxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tx",
        abstract: "Build EIP-712 typed data for any chain command, sign it elsewhere, and submit it.",
        discussion: """
            A wallet (MetaMask's eth_signTypedData_v4, eth-account's sign_typed_data, a hardware \
            wallet) signs the typed data `tx build` prints; `tx submit` puts the signed transaction \
            on the chain. The chain checks the same chain id, nonce and low-s rules as for keystore \
            transactions, and refuses a signature that does not recover the typed data's `from`.

            Example:
              dmctl tx build --from 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 token transfer --token DMT --to alice --amount 5 > transfer.json
              dmctl tx sign --key bob transfer.json
              dmctl tx submit --typed-data transfer.json --signature "$(dmctl tx sign --key bob transfer.json)"

            (bob's key is 0x7099…79C8 here; a wallet signs the same typed data with \
            eth_signTypedData_v4.)
            """,
        subcommands: [Build.self, Sign.self, Submit.self])

    // MARK: - Reading typed data

    /// Typed data from a file holding either the `eth_signTypedData_v4` object itself or a
    /// JSON-RPC request `{"method": "eth_signTypedData_v4", "params": [from, typedData]}`
    /// (typedData as an object or as a JSON string, as MetaMask takes it).
    static func readTypedData(_ path: String) throws -> TypedData {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIError.storage("cannot read \(path): \(error.localizedDescription)")
        }
        struct Request: Decodable {
            let method: String
            let params: [TypedData.Value]
        }
        var bytes = Array(data)
        if let request = try? JSONDecoder().decode(Request.self, from: data) {
            guard request.method == "eth_signTypedData_v4", request.params.count == 2 else {
                throw CLIError.usage("\(path): a JSON-RPC request for \(request.method) with \(request.params.count) params; expected eth_signTypedData_v4 with [address, typedData]")
            }
            switch request.params[1] {
            case .string(let text): bytes = Array(text.utf8)
            case let other: bytes = Array(try JSONEncoder().encode(other))
            }
            let typed: TypedData
            do { typed = try TypedData(json: bytes) } catch { throw CLIError.usage("\(path): \(error)") }
            // The account the page asked to sign must be the transaction's sender.
            if let asked = request.params[0].stringValue.flatMap({ try? Address($0) }),
               let from = typed.message["from"]?.stringValue.flatMap({ try? Address($0) }), asked != from {
                throw CLIError.usage("\(path): the request asks \(asked) to sign, but the typed data is from \(from)")
            }
            return typed
        }
        do { return try TypedData(json: bytes) } catch { throw CLIError.usage("\(path): \(error)") }
    }

    /// The JSON-RPC request a web page sends to the wallet for `typed`.
    struct RPCRequest: Encodable {
        let jsonrpc = "2.0"
        let id = 1
        let method = "eth_signTypedData_v4"
        let params: [String]

        init(_ typed: TypedData, from: Address) throws {
            params = [from.checksummed, String(decoding: try typed.json(pretty: false), as: UTF8.self)]
        }
    }

    // MARK: - build

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the eth_signTypedData_v4 JSON of the transaction a chain command would sign.",
            discussion: """
                Takes the wrapped command exactly as it would run (its options, its --key); nothing \
                is signed or submitted. The nonce is the sender's next one on the chain now. The \
                sender is --from (an address or key name), else the wrapped command's --key, read \
                from the keystore without its passphrase.

                Example: dmctl tx build --from 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 token transfer --token DMT --to 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --amount 5
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The sender: a 0x address (a wallet's) or a keystore key name (default: the command's --key).") var from: String?
        @Flag(help: "Print the whole JSON-RPC request body for eth_signTypedData_v4 instead of the typed data alone.") var rpc = false
        @Argument(parsing: .captureForPassthrough, help: "The chain command and its options, e.g. token transfer --token DMT --to bob --amount 5.")
        var command: [String] = []

        func run() async throws {
            // Passthrough capture takes a leading --help too: answer it for this command.
            if let first = command.first, ["-h", "--help", "help"].contains(first) { throw CleanExit.helpRequest(Self.self) }
            guard !command.isEmpty else { throw CLIError.usage("name the command to build, e.g. dmctl tx build token transfer --token DMT --to bob --amount 5") }
            guard command.first != "tx" else { throw CLIError.usage("dmctl tx build cannot wrap another tx command") }
            var arguments = command
            if let home = global.home, !arguments.contains("--home") { arguments += ["--home", home] }
            let sender = try from.map { try LedgerCLI.account($0, field: "--from", home: Home(global)) }
            let wrapped = try DMCtl.parseAsRoot(arguments)
            let typed: TypedData
            do {
                try await TxBuild.$current.withValue(TxBuild.Request(from: sender)) {
                    if var command = wrapped as? any AsyncParsableCommand {
                        try await command.run()
                    } else {
                        var command = wrapped
                        try command.run()
                    }
                }
                throw CLIError.usage("dmctl \(arguments.prefix(2).joined(separator: " ")) does not sign a chain transaction; nothing to build")
            } catch let built as TxBuild.Built {
                typed = built.typedData
            }
            if rpc {
                let from = try TransactionTypedData.fields(of: typed).sender
                return try Output.json(try RPCRequest(typed, from: from))
            }
            FileHandle.standardOutput.write(Data(try typed.json(pretty: true)))
            FileHandle.standardOutput.write(Data("\n".utf8))
        }
    }

    // MARK: - sign

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign DataMarket typed data with a keystore key, as a wallet would; prints the signature.",
            discussion: """
                FILE is what `tx build` printed (or its --rpc request). The key must be the typed \
                data's `from`.

                Example: dmctl tx sign --key bob transfer.json
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The typed data file.") var file: String

        func run() async throws {
            let typed = try TxCommand.readTypedData(file)
            let fields: (sender: Address, chainID: UInt64, nonce: UInt64, module: String, call: [UInt8])
            do { fields = try TransactionTypedData.fields(of: typed) } catch { throw CLIError.usage("\(file): \(error)") }
            let key = try signer.loadKey(global)
            guard key.address == fields.sender else {
                throw CLIError.usage("--key \(signer.key) is \(key.address); the typed data is from \(fields.sender)")
            }
            let digest: Hash32
            do { digest = try typed.signingDigest() } catch { throw CLIError.usage("\(file): \(error)") }
            let signature = key.sign(digest: digest)
            if global.json {
                struct Out: Encodable { let from: Address; let digest: Hash32; let signature: String }
                return try Output.json(Out(from: key.address, digest: digest, signature: signature.hex))
            }
            print(signature.hex)
        }
    }

    // MARK: - submit

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a transaction signed elsewhere: its typed data and the wallet's signature.",
            discussion: """
                Refused, changing nothing, when the signature does not recover the typed data's \
                `from` (a field changed after signing), the chain id is another chain's, or the \
                nonce is not the sender's next one.

                Example: dmctl tx submit --typed-data transfer.json --signature "$(dmctl tx sign --key bob transfer.json)"
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The typed data file (from tx build, or its JSON-RPC request).") var typedData: String
        @Option(help: "The 65-byte signature r‖s‖v in 0x hex, as eth_signTypedData_v4 returns it.") var signature: String

        func run() async throws {
            let typed = try TxCommand.readTypedData(typedData)
            let parsed: Signature
            do { parsed = try Signature(hex: signature) } catch { throw CLIError.usage("--signature: \(error)") }
            let tx: SignedTransaction
            do { tx = try SignedTransaction(typedData: typed, signature: parsed) } catch { throw CLIError.usage("\(typedData): \(error)") }
            let chain = try ChainHome.open(Home(global))
            let outcome = try chain.store.exclusively {
                try chain.refresh()
                return try chain.submit([tx])
            }
            guard let receipt = outcome.block.receipts.first else {
                throw CLIError.refused("the transaction was not included in block \(outcome.block.height)")
            }
            try LedgerCLI.printReceipt(LedgerCLI.ReceiptView(block: outcome.block, receipt: receipt), json: global.json)
        }
    }
}
