import ArgumentParser
import Foundation
import LedgerCore

/// `dmctl hash keccak [FILE]`.
struct HashCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash", abstract: "Hash data as the chain does.",
        discussion: "Example: dmctl hash keccak shard-1.csv", subcommands: [Keccak.self])

    struct Keccak: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the 0x-hex Keccak-256 of a file's bytes (standard input if no file).",
            discussion: "This is a listing's dataHash. Example: dmctl hash keccak shard-1.csv")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "File to hash; standard input if omitted.") var file: String?

        func run() async throws {
            // Progress (MiB hashed) on standard error when it is a terminal and this takes over a second.
            let digest: Hash32
            if let file {
                digest = try TerminalProgress.keccak(ofFile: file, field: "FILE", label: "keccak")
            } else {
                do { digest = try TerminalProgress.keccak(of: .standardInput, size: nil, label: "keccak") } catch {
                    throw CLIError.storage("standard input: cannot read: \(error.localizedDescription)")
                }
            }
            if global.json {
                struct Out: Encodable { let file: String?; let keccak256: Hash32 }
                return try Output.json(Out(file: file, keccak256: digest))
            }
            print(digest.hex)
        }
    }
}

/// `dmctl sign --key N --message TEXT`: an EIP-191 personal_sign signature.
struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a message as MetaMask's personal_sign does (EIP-191); prints the 65-byte signature.",
        discussion: "Example: dmctl sign --key alice --message 'hello'")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var signer: SignerOptions
    @OptionGroup var message: MessageOptions

    func run() async throws {
        let bytes = try message.bytes()
        let key = try signer.loadKey(global)
        let signature = key.signPersonalMessage(bytes)
        if global.json {
            struct Out: Encodable { let address: Address; let message: String; let signature: String }
            return try Output.json(Out(address: key.address, message: message.display, signature: signature.hex))
        }
        print(signature.hex)
    }
}

/// `dmctl verify --address A --message TEXT --signature S`.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recover the signer of an EIP-191 message; exit 0 only if it is the given address.",
        discussion: """
            --address is a 0x address or the name of a keystore key.

            Example: dmctl verify --address alice --message 'hello' --signature "$(dmctl sign --key alice --message 'hello')"
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "The expected signer: a 0x address (EIP-55 or all one case) or a key name.") var address: String
    @OptionGroup var message: MessageOptions
    @Option(help: "The 65-byte signature in hex (v = 27/28 or 0/1).") var signature: String

    func run() async throws {
        let expected = try LedgerCLI.account(address, field: "--address", home: Home(global))
        let bytes = try message.bytes()
        let sig: Signature
        do { sig = try Signature(hex: signature) } catch { throw CLIError.usage("--signature: \(error)") }
        let recovered: Address
        do { recovered = try PersonalMessage.recoverSigner(of: bytes, signature: sig) } catch {
            throw CLIError.refused("signature does not verify: \(error)")
        }
        if global.json {
            struct Out: Encodable { let recovered: Address; let expected: Address; let valid: Bool }
            try Output.json(Out(recovered: recovered, expected: expected, valid: recovered == expected))
        } else {
            print(recovered.checksummed)
        }
        guard recovered == expected else {
            throw CLIError.refused("signature is by \(recovered.checksummed), not \(expected.checksummed)")
        }
    }
}

/// The message of `sign` and `verify`: UTF-8 text, or any bytes written in hex.
struct MessageOptions: ParsableArguments {
    @Option(help: "The message text (UTF-8).") var message: String?
    @Option(help: ArgumentHelp("The message as hex bytes (0x optional), for binary messages.", valueName: "hex"))
    var messageHex: String?

    /// The bytes to sign or verify.
    ///
    /// - Throws: a usage error unless exactly one of `--message` and `--message-hex` is given
    ///   and the hex is well formed.
    func bytes() throws(CLIError) -> [UInt8] {
        switch (message, messageHex) {
        case (let text?, nil): return Array(text.utf8)
        case (nil, let hex?):
            do { return try Hex.decode(hex, field: "--message-hex") } catch { throw .usage("\(error)") }
        case (nil, nil): throw .usage("message: none given; expected --message TEXT or --message-hex HEX")
        case (.some, .some): throw .usage("message: both --message and --message-hex given; expected exactly one")
        }
    }

    /// The message as `--json` shows it: the text, or the hex as given.
    var display: String { message ?? messageHex ?? "" }
}
