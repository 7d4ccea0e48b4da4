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

            Batch (one process, all cores; the operand is given as for `he mul`): --input FILE \
            holds many ciphertexts (one JSON object a line, or a JSON array; `-` for standard \
            input); --value adds one number to each, --values FILE one number per ciphertext \
            (a JSON array or one a line), a second --input adds element by element. Prints one \
            ciphertext a line (a JSON array with --json); --fast re-randomises with one table.
              dmctl he add --key keys/public.json --input values.jsonl --value 10 > shifted.jsonl
              dmctl he add --key keys/public.json --input values.jsonl --input shifted.jsonl > sums.jsonl
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Public key file.", valueName: "public.json"))
    var key: String

    @Option(parsing: .unconditional, help: "A plain number to add instead of a second ciphertext (negative allowed: --value -7).")
    var value: String?

    @OptionGroup var batch: HEBatchOptions

    @Argument(help: ArgumentHelp("One or two ciphertext files, or two or more packed vector files; none with --input.", valueName: "ciphertext.json"))
    var ciphertexts: [String] = []

    func run() throws {
        let publicKey = try HEFiles.publicKey(key)
        if !batch.input.isEmpty {
            guard ciphertexts.isEmpty else {
                throw CLIError.usage("--input: given with ciphertext files too; expected either files or --input")
            }
            let inputs = try batch.input.map { try HEBatch.ciphertexts(HEBatch.items(HEBatch.read($0, option: "--input"), option: "--input", objects: true), key: publicKey) }
            var sums: [Paillier.EncryptedNumber]
            switch inputs.count {
            case 1:
                let operands = try batch.operands(value: value, count: inputs[0].count, key: publicKey)
                sums = try zip(inputs[0], operands).enumerated().map { i, pair in
                    try HEBatch.labelled("--input[\(i)]") { try pair.0.adding(pair.1) }
                }
            case 2:
                guard value == nil, batch.values == nil else {
                    throw CLIError.usage("--value: given with two --input files; expected two --input files, or one with --value or --values")
                }
                guard inputs[0].count == inputs[1].count else {
                    throw CLIError.usage("--input: \(inputs[0].count) and \(inputs[1].count) ciphertexts; expected the same number in both files")
                }
                sums = try zip(inputs[0], inputs[1]).enumerated().map { i, pair in
                    try HEBatch.labelled("--input[\(i)]") { try pair.0.adding(pair.1) }
                }
            default:
                throw CLIError.usage("--input: given \(inputs.count) times; expected one or two files")
            }
            sums = try batch.rerandomized(sums, key: publicKey)
            HEBatch.print(sums, json: global.json)
            return
        }
        guard batch.values == nil, !batch.fast else {
            throw CLIError.usage("\(batch.fast ? "--fast" : "--values"): given without --input; expected it only with --input FILE")
        }
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

            Batch, as for `he add`: --input FILE of ciphertexts, each multiplied by --value or \
            by its own number from --values FILE; one ciphertext a line (a JSON array with \
            --json).

            Example:
              dmctl he mul --key keys/public.json a.json --value 3
              dmctl he mul --key keys/public.json a.json --value -0.5
              dmctl he mul --key keys/public.json --input values.jsonl --value 2 > doubled.jsonl
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Public key file.", valueName: "public.json"))
    var key: String

    @Argument(help: ArgumentHelp("Ciphertext file; not with --input.", valueName: "ciphertext.json"))
    var ciphertext: String?

    @Option(parsing: .unconditional, help: "The plain number to multiply by (negative allowed: --value -3).")
    var value: String?

    @Argument(help: "The plain scalar (the same as --value).")
    var scalar: String?

    @OptionGroup var batch: HEBatchOptions

    func run() throws {
        if !batch.input.isEmpty {
            guard ciphertext == nil, scalar == nil else {
                throw CLIError.usage("--input: given with a ciphertext file too; expected either a file or --input (and the scalar as --value)")
            }
            guard batch.input.count == 1 else {
                throw CLIError.usage("--input: given \(batch.input.count) times; expected one file of ciphertexts")
            }
            let publicKey = try HEFiles.publicKey(key)
            let numbers = try HEBatch.ciphertexts(HEBatch.items(HEBatch.read(batch.input[0], option: "--input"), option: "--input", objects: true), key: publicKey)
            let operands = try batch.operands(value: value, count: numbers.count, key: publicKey)
            let products = try zip(numbers, operands).enumerated().map { i, pair in
                try HEBatch.labelled("--input[\(i)]") { try pair.0.multiplied(by: pair.1) }
            }
            HEBatch.print(try batch.rerandomized(products, key: publicKey), json: global.json)
            return
        }
        guard let ciphertext else {
            throw CLIError.usage("CIPHERTEXT: missing; expected a ciphertext file, or --input FILE")
        }
        guard batch.values == nil, !batch.fast else {
            throw CLIError.usage("\(batch.fast ? "--fast" : "--values"): given without --input; expected it only with --input FILE")
        }
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

/// The batch options `he add` and `he mul` share.
struct HEBatchOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A file of ciphertexts (one JSON object a line, or a JSON array); - for standard input. `he add` takes two to add element by element.", valueName: "file"))
    var input: [String] = []

    @Option(help: ArgumentHelp("With --input: one plain number per ciphertext (a JSON array or one a line), instead of --value.", valueName: "file"))
    var values: String?

    @Flag(help: "With --input: re-randomise with the fast (DJN) table, built once for the batch.")
    var fast = false

    /// The plain operand of each of `count` ciphertexts: `value` for all, or the numbers of `--values`.
    func operands(value: String?, count: Int, key: Paillier.PublicKey) throws -> [Paillier.EncodedNumber] {
        switch (value, values) {
        case (let text?, nil):
            return Array(repeating: try HEFiles.encode(text, field: "--value", key: key), count: count)
        case (nil, let path?):
            let items = try HEBatch.items(HEBatch.read(path, option: "--values"), option: "--values")
            guard items.count == count else {
                throw CLIError.usage("--values: \(items.count) numbers for \(count) ciphertexts; expected one number per ciphertext of --input")
            }
            return try HEBatch.encodings(items, key: key, precision: nil)
        case (nil, nil):
            throw CLIError.usage("--value: missing; expected --value NUMBER or --values FILE with --input")
        case (.some, .some):
            throw CLIError.usage("--values: given with --value too; expected exactly one of them")
        }
    }

    /// `numbers` under fresh randomness, on all cores (one fast table with `--fast`).
    func rerandomized(_ numbers: [Paillier.EncryptedNumber], key: Paillier.PublicKey) throws -> [Paillier.EncryptedNumber] {
        try HEBatch.vector(numbers, option: "--input")
            .rerandomized(using: fast ? Paillier.FastEncryptor(publicKey: key) : nil).elements
    }
}
