import ArgumentParser
import Foundation
import LedgerCore

/// `dmctl key ...`: Ethereum keys kept encrypted in the state folder.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Create, import, list and export Ethereum keys (encrypted at rest).",
        discussion: """
            Keys live in <home>/keys, one file per key (mode 0600), encrypted with \
            XChaCha20-Poly1305 under an Argon2id key derived from the passphrase \
            ($DMCTL_PASSPHRASE or --passphrase-file).

            Example:
              export DMCTL_PASSPHRASE='correct horse battery staple'
              dmctl key new --name alice
              dmctl key list
            """,
        subcommands: [New.self, Import.self, List.self, Show.self, Export.self])

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a new key and store it encrypted.",
            discussion: "Example: dmctl key new --name alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var secret: PassphraseOptions
        @Option(help: "Name of the key.") var name = "default"

        func run() async throws {
            let store = try Home(global).keystore()
            let entry = try store.save(PrivateKey.generate(), name: name, passphrase: try secret.passphrase())
            try KeyCommand.show(entry, json: global.json)
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a private key (64 hex digits, optional 0x) read from standard input.",
            discussion: "Example: echo 0xac09...ff80 | dmctl key import --name deployer")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var secret: PassphraseOptions
        @Option(help: "Name of the key.") var name = "default"

        func run() async throws {
            let text = String(decoding: try readStandardInput(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let key: PrivateKey
            do { key = try PrivateKey(hex: text) } catch {
                throw CLIError.usage("standard input: \(error)")
            }
            let store = try Home(global).keystore()
            let entry = try store.save(key, name: name, passphrase: try secret.passphrase())
            try KeyCommand.show(entry, json: global.json)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored keys and their addresses.", discussion: "Example: dmctl key list --json")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let entries = try Home(global).keystore().list()
            if global.json { return try Output.json(entries) }
            if entries.isEmpty { return Swift.print("no keys; create one with: dmctl key new --name NAME") }
            Output.table(["NAME", "ADDRESS"], entries.map { [$0.name, $0.address.checksummed] })
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a key's address (never its secret).", discussion: "Example: dmctl key show alice")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Name of the key.") var name = "default"

        func run() async throws {
            let address = try Home(global).keystore().address(of: name)
            try KeyCommand.show(Keystore.Entry(name: name, address: address), json: global.json)
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a key's private key in hex. The only command that reveals a secret.",
            discussion: "Example: dmctl key export alice > alice.key")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var secret: PassphraseOptions
        @Argument(help: "Name of the key.") var name: String

        func run() async throws {
            let key = try Home(global).keystore().load(name: name, passphrase: try secret.passphrase())
            if global.json {
                struct Exported: Encodable { let name: String; let address: Address; let privateKey: String }
                return try Output.json(Exported(name: name, address: key.address, privateKey: Hex.encode(key.bytes)))
            }
            Swift.print(Hex.encode(key.bytes))
        }
    }

    static func show(_ entry: Keystore.Entry, json: Bool) throws {
        if json { return try Output.json(entry) }
        Output.fields([("name", entry.name), ("address", entry.address.checksummed)])
    }
}

/// Loads a key from the keystore for a signing command.
struct SignerOptions: ParsableArguments {
    @Option(name: .long, help: "Name of the keystore key that signs.") var key = "default"
    @OptionGroup var secret: PassphraseOptions
    // load(_:) and loadKey(_:) live in Tx/TxSigner.swift, beside `dmctl tx build`.
}
