import ArgumentParser
import Foundation
import HECore

/// `dmctl he add`: E(a + b).
struct HEAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add two ciphertexts, or a ciphertext and a plain number.",
        discussion: """
            The result is re-randomised before it is printed.

            Example:
              dmctl he add --key keys/public.json a.json b.json > sum.json
              dmctl he add --key keys/public.json a.json --value 10.5 > shifted.json
              dmctl he add --key keys/public.json p1.json p2.json p3.json > packed-sum.json
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Public key file.", valueName: "public.json"))
    var key: String

    @Option(parsing: .unconditional, help: "A plain number to add instead of a second ciphertext (negative allowed: --value -7).")
    var value: String?

    @Argument(help: ArgumentHelp("One or two ciphertext files, or two or more packed vector files.", valueName: "ciphertext.json"))
    var ciphertexts: [String]

    func run() throws {
        let publicKey = try HEFiles.publicKey(key)
        let packed = try ciphertexts.map { HEFiles.isPacked(try HEFiles.read($0, what: "ciphertext")) }
        if packed.contains(true) {
            guard packed.allSatisfy({ $0 }), ciphertexts.count >= 2, value == nil else {
                throw CLIError.usage("arguments: expected two or more packed vector files (no --value, no single ciphertexts)")
            }
            let vectors = try ciphertexts.map { try HEFiles.packed($0, key: publicKey) }
            HEFiles.print(try vectors[0].layout.aggregate(vectors))
            return
        }
        let operands = try ciphertexts.map { try HEFiles.ciphertext($0, key: publicKey) }
        let sum: Paillier.EncryptedNumber
        switch (operands.count, value) {
        case (2, nil): sum = try operands[0].adding(operands[1])
        case (1, let text?): sum = try operands[0].adding(HEFiles.encode(text, field: "--value", key: publicKey))
        default:
            throw CLIError.usage("arguments: expected two ciphertext files, or one ciphertext file and --value")
        }
        HEFiles.print(try sum.rerandomized())
    }
}

/// `dmctl he mul`: E(a · k).
struct HEMul: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mul",
        abstract: "Multiply a ciphertext by a plain number.",
        discussion: """
            Negative scalars are applied through the ciphertext's inverse. The result is \
            re-randomised before it is printed.

            The scalar is --value, as for `he add` (negative allowed: --value -0.5); the older \
            positional SCALAR is still read.

            Example:
              dmctl he mul --key keys/public.json a.json --value 3
              dmctl he mul --key keys/public.json a.json --value -0.5
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Public key file.", valueName: "public.json"))
    var key: String

    @Argument(help: ArgumentHelp("Ciphertext file.", valueName: "ciphertext.json"))
    var ciphertext: String

    @Option(parsing: .unconditional, help: "The plain number to multiply by (negative allowed: --value -3).")
    var value: String?

    @Argument(help: "The plain scalar (the same as --value).")
    var scalar: String?

    func run() throws {
        let (text, field): (String, String)
        switch (value, scalar) {
        case (let v?, nil): (text, field) = (v, "--value")
        case (nil, let s?): (text, field) = (s, "SCALAR")
        case (nil, nil): throw CLIError.usage("--value: missing; expected the plain number to multiply by, e.g. --value -3")
        case (.some, .some): throw CLIError.usage("--value: given with a positional SCALAR too; expected exactly one of them")
        }
        let publicKey = try HEFiles.publicKey(key)
        let number = try HEFiles.ciphertext(ciphertext, key: publicKey)
        let product = try number.multiplied(by: HEFiles.encode(text, field: field, key: publicKey))
        HEFiles.print(try product.rerandomized())
    }
}

/// `dmctl he dot`: Σ E(aᵢ)·wᵢ.
struct HEDot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dot",
        abstract: "Dot product of encrypted values with plain weights.",
        discussion: """
            Computed as one multi-exponentiation, then re-randomised.

            Example:
              dmctl he dot --key keys/public.json --weights 0.5,-2,3 x1.json x2.json x3.json
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Public key file.", valueName: "public.json"))
    var key: String

    @Option(help: ArgumentHelp("Comma-separated plain weights, one per ciphertext.", valueName: "w1,w2,…"))
    var weights: String

    @Argument(help: ArgumentHelp("Ciphertext files.", valueName: "ciphertext.json"))
    var ciphertexts: [String]

    func run() throws {
        let publicKey = try HEFiles.publicKey(key)
        let fields = weights.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard fields.count == ciphertexts.count, !ciphertexts.isEmpty else {
            throw CLIError.usage("--weights: \(fields.count) weights for \(ciphertexts.count) ciphertexts, expected one weight per ciphertext file")
        }
        let encoded = try fields.enumerated().map { i, text in
            try HEFiles.encode(text, field: "--weights[\(i)]", key: publicKey)
        }
        let vector = try Paillier.EncryptedVector(ciphertexts.map { try HEFiles.ciphertext($0, key: publicKey) })
        HEFiles.print(try vector.dot(encoded: encoded).rerandomized())
    }
}
