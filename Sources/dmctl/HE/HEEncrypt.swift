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

            With --packed, VALUE is a comma-separated list, quantised to --bits bits in \
            [−range, range] with headroom for the sum of --parties vectors, and packed many to \
            a ciphertext; the output is the packed JSON form \
            {"packing":{"valueBits":…,"maxParties":…,"range":…},"count":…,"contributors":1,"v":[…],"key":…}.
              dmctl he encrypt --key keys/public.json --packed --bits 32 --parties 5 --range 8 -- 0.5,-1.25,3
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Public key file (pheutil JSON).", valueName: "public.json"))
    var key: String

    @Flag(help: "Use the Damgård–Jurik–Nielsen fast encryption (fixed-base table).")
    var fast = false

    @Option(help: "Encode with this precision instead of the value's own (e.g. 0.001).")
    var precision: Double?

    @Flag(help: "Pack a comma-separated list of values (BatchCrypt-style) into as few ciphertexts as possible.")
    var packed = false

    @Option(help: "With --packed: bits of each quantised value (1–52).")
    var bits = 32

    @Option(help: "With --packed: the most vectors that will be summed (headroom).")
    var parties = 1

    @Option(help: "With --packed: every value lies in [−range, range].")
    var range: Double?

    @Argument(help: "The number to encrypt (with --packed: comma-separated numbers).")
    var value: String

    func run() throws {
        let publicKey = try HEFiles.publicKey(key)
        if packed {
            guard let range else { throw CLIError.usage("--range: missing, expected the bound R of every |value| with --packed") }
            let layout = try Paillier.PackingLayout(publicKey: publicKey, valueBits: bits, maxParties: parties, range: range)
            let values = try value.split(separator: ",", omittingEmptySubsequences: false).enumerated().map { i, field in
                let text = field.trimmingCharacters(in: .whitespaces)
                guard let v = Double(text), v.isFinite else {
                    throw CLIError.usage("VALUE[\(i)]: '\(text)' is not a number, expected comma-separated numbers such as 0.5,-2")
                }
                return v
            }
            HEFiles.print(try layout.encrypt(values, using: fast ? Paillier.FastEncryptor(publicKey: publicKey) : nil))
            return
        }
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
