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

            Batch: --input FILE encrypts every value of a JSON array or of one column of a CSV \
            file (one value per line; --column NAME|N picks a column), `-` reading standard \
            input, in one process on all cores; --fast builds its table once for the whole \
            batch. It prints one ciphertext JSON a line (a JSON array with --json), the form \
            `he decrypt|add|mul --input` read back. A bad value is named by its line or index.
              dmctl he encrypt --fast --key keys/public.json --input values.csv > values.jsonl
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

    @Option(help: ArgumentHelp("Encrypt every value of this file: a JSON array, or one value per line (a CSV column); - for standard input.", valueName: "file"))
    var input: String?

    @Option(help: ArgumentHelp("With --input: the CSV column to read (a header name, or a number from 1).", valueName: "name|n"))
    var column: String?

    @Argument(help: "The number to encrypt (with --packed: comma-separated numbers); not with --input.")
    var value: String?

    func run() throws {
        let publicKey = try HEFiles.publicKey(key)
        let items: [HEBatch.Item]?
        switch (value, input) {
        case (nil, nil): throw CLIError.usage("VALUE: missing; expected a number to encrypt, or --input FILE")
        case (.some, .some): throw CLIError.usage("--input: given with a VALUE too; expected exactly one of them")
        case (_, let path?): items = try HEBatch.items(HEBatch.read(path, option: "--input"), option: "--input", column: column)
        case (.some, nil):
            guard column == nil else { throw CLIError.usage("--column: given without --input; expected it only with --input FILE") }
            items = nil
        }
        if packed {
            guard let range else { throw CLIError.usage("--range: missing, expected the bound R of every |value| with --packed") }
            let layout = try Paillier.PackingLayout(publicKey: publicKey, valueBits: bits, maxParties: parties, range: range)
            let fields = items ?? (value ?? "").split(separator: ",", omittingEmptySubsequences: false).enumerated().map { i, field in
                HEBatch.Item(label: "VALUE[\(i)]", text: field.trimmingCharacters(in: .whitespaces))
            }
            let values = try fields.map { item in
                guard let v = Double(item.text), v.isFinite else {
                    throw CLIError.usage("\(item.label): '\(item.text)' is not a number, expected numbers such as 0.5,-2")
                }
                return v
            }
            HEFiles.print(try layout.encrypt(values, using: fast ? Paillier.FastEncryptor(publicKey: publicKey) : nil))
            return
        }
        if let items {
            let encodings = try HEBatch.encodings(items, key: publicKey, precision: precision)
            guard !encodings.isEmpty else { throw CLIError.usage("--input: no values; expected at least one") }
            // One table for the whole batch, and all cores.
            let numbers = try publicKey.encryptBatch(encodings, using: fast ? Paillier.FastEncryptor(publicKey: publicKey) : nil)
            HEBatch.print(numbers, json: global.json)
            return
        }
        guard let value else { return }
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
