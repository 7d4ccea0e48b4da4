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
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Private key file (pheutil JSON).", valueName: "private.json"))
    var key: String

    @Argument(help: ArgumentHelp("Ciphertext file ({\"v\":…,\"e\":…}).", valueName: "ciphertext.json"))
    var ciphertext: String

    func run() throws {
        let privateKey = try HEFiles.privateKey(key)
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

/// `dmctl he decrypt --json` of a packed vector.
struct PackedDecryption: Encodable {
    /// The real sums.
    let values: [Double]
    /// The exact quantised slot sums (decimal).
    let sums: [String]
    /// How many vectors were summed.
    let contributors: Int
}
