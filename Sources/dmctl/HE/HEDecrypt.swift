import ArgumentParser
import Foundation
import HECore

/// `dmctl he decrypt`: the decoded number of a ciphertext file.
struct HEDecrypt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt a ciphertext JSON file with a private key; prints the number.",
        discussion: """
            Integers (exponent ≥ 0) print exactly; other values print as the shortest decimal \
            text that reads back to the same Double. A ciphertext outside Z*(n²) (0, ≥ n², or \
            sharing a factor with n) is refused with exit status 2.

            Example:
              dmctl he decrypt --key keys/private.json sum.json

            A packed vector prints its real sums, comma-separated (with --json also the exact \
            quantised slot sums and the number of contributors).

            Batch: --input FILE decrypts every ciphertext of a file (one pheutil JSON object a \
            line, as a batch `he encrypt` prints, or a JSON array of them; `-` reads standard \
            input) on all cores and prints one value a line (with --json an array of \
            {"value":…,"exponent":…}).
              dmctl he decrypt --key keys/private.json --input values.jsonl
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Private key file (pheutil JSON).", valueName: "private.json"))
    var key: String

    @Option(help: ArgumentHelp("Decrypt every ciphertext of this file (one JSON object a line, or a JSON array); - for standard input.", valueName: "file"))
    var input: String?

    @Argument(help: ArgumentHelp("Ciphertext file ({\"v\":…,\"e\":…}); not with --input.", valueName: "ciphertext.json"))
    var ciphertext: String?

    func run() throws {
        let privateKey = try HEFiles.privateKey(key)
        let ciphertext: String
        switch (self.ciphertext, input) {
        case (nil, nil): throw CLIError.usage("CIPHERTEXT: missing; expected a ciphertext file, or --input FILE")
        case (.some, .some): throw CLIError.usage("--input: given with a CIPHERTEXT file too; expected exactly one of them")
        case (let path?, nil): ciphertext = path
        case (nil, let path?):
            try decryptBatch(path, privateKey: privateKey)
            return
        }
        if HEFiles.isPacked(try HEFiles.read(ciphertext, what: "ciphertext")) {
            let vector = try HEFiles.packed(ciphertext, key: privateKey.publicKey)
            let sums = try vector.layout.sums(of: vector, with: privateKey)
            let values = vector.layout.dequantize(sums, contributors: vector.contributors)
            if global.json {
                try Output.json(PackedDecryption(values: values, sums: sums.map(String.init), contributors: vector.contributors))
            } else {
                print(values.map { "\($0)" }.joined(separator: ","))
            }
            return
        }
        let number = try HEFiles.ciphertext(ciphertext, key: privateKey.publicKey)
        let value = try privateKey.decrypt(number)
        if global.json {
            try Output.json(["value": value.description, "exponent": "\(number.exponent)"])
        } else {
            print(value.description)
        }
    }
}

extension HEDecrypt {
    /// Decrypts every ciphertext of `path` on all cores; a ciphertext that does not decrypt is
    /// named by its line or index.
    func decryptBatch(_ path: String, privateKey: Paillier.PrivateKey) throws {
        let items = try HEBatch.items(HEBatch.read(path, option: "--input"), option: "--input", objects: true)
        let numbers = try HEBatch.ciphertexts(items, key: privateKey.publicKey)
        let values: [Paillier.PlainNumber]
        do {
            values = try privateKey.decrypt(HEBatch.vector(numbers, option: "--input"))
        } catch is HEError {
            // Find the first one that fails, to name it.
            for (item, number) in zip(items, numbers) { _ = try HEBatch.labelled(item.label) { try privateKey.decrypt(number) } }
            throw CLIError.refused("--input: a ciphertext did not decrypt; expected each to decrypt alone as well")
        }
        if global.json {
            try Output.json(zip(values, numbers).map { value, number in
                ["value": value.description, "exponent": "\(number.exponent)"]
            })
        } else {
            FileHandle.standardOutput.write(Data(values.map { $0.description + "\n" }.joined().utf8))
        }
    }
}

/// `dmctl he decrypt --json` of a packed vector.
struct PackedDecryption: Encodable {
    /// The real sums.
    let values: [Double]
    /// The exact quantised slot sums (decimal).
    let sums: [String]
    /// How many vectors were summed.
    let contributors: Int
}
