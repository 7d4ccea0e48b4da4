import ArgumentParser
import Foundation
import HECore

/// `dmctl he encrypt`: one ciphertext JSON for a number.
struct HEEncrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt a number with a public key; prints the ciphertext JSON.",
        discussion: """
            VALUE is an integer (encoded exactly at exponent 0) or a decimal number (encoded \
            like phe: every bit of the Double is kept). Put `--` before a negative value.

            Example:
              dmctl he encrypt --key keys/public.json 3.25 > a.json
              dmctl he encrypt --fast --key keys/public.json -- -17 > b.json
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Public key file (pheutil JSON).", valueName: "public.json"))
    var key: String

    @Flag(help: "Use the Damgård–Jurik–Nielsen fast encryption (fixed-base table).")
    var fast = false

    @Option(help: "Encode with this precision instead of the value's own (e.g. 0.001).")
    var precision: Double?

    @Argument(help: "The number to encrypt.")
    var value: String

    func run() throws {
        let publicKey = try HEFiles.publicKey(key)
        var encoded = try HEFiles.encode(value, field: "VALUE", key: publicKey)
        if let precision {
            guard let double = Double(value) else { throw CLIError.usage("VALUE: '\(value)' is not a number") }
            encoded = try Paillier.EncodedNumber.encode(double, publicKey: publicKey, precision: precision)
        }
        let number = fast
            ? try publicKey.encrypt(encoded, using: Paillier.FastEncryptor(publicKey: publicKey))
            : try publicKey.encrypt(encoded)
        HEFiles.print(number)
    }
}
