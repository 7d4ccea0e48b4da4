import Foundation
import HECore

/// Batch input and output of the `he` commands (`--input FILE`): many values in one process.
///
/// A file of numbers is a JSON array (`[1, -2.5, "123456789012345678901234567890"]`) or one
/// value per line (a CSV column: `--column NAME|N` picks it when the lines have several
/// fields). A file of ciphertexts is a JSON array of pheutil ciphertext objects or one object a
/// line, which is what a batch `he encrypt` prints. `-` reads standard input. Every bad value is
/// named by its place: `--input line 3` or `--input[2]` (0-based index in a JSON array).
enum HEBatch {
    /// One value of a batch file: its place (for messages) and its text.
    struct Item {
        /// Where the value stands, e.g. `--input line 3` or `--input[2]`.
        let label: String
        /// The value's text: a number literal, or one ciphertext's JSON.
        let text: String
    }

    /// The bytes of `path`, or of standard input for `-`.
    static func read(_ path: String, option: String) throws -> Data {
        if path == "-" { return try readStandardInput() }
        return try HEFiles.read(path, what: option)
    }

    // MARK: - Splitting a file into items

    /// The items of a JSON array, or of the non-blank lines of a text file.
    ///
    /// - Parameter column: with lines, the CSV column to take (a 1-based number or a header
    ///   name); nil takes whole lines and refuses lines with several fields.
    static func items(_ data: Data, option: String, column: String? = nil, objects: Bool = false) throws -> [Item] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError.usage("\(option): the file is not UTF-8 text; expected a JSON array or one value per line")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw CLIError.usage("\(option): the file is empty; expected a JSON array or one value per line")
        }
        if trimmed.hasPrefix("[") {
            guard column == nil else {
                throw CLIError.usage("--column: given for a JSON array; expected --column only with a CSV file")
            }
            return try arrayItems(trimmed, option: option)
        }
        return try lineItems(text, option: option, column: objects ? nil : column, objects: objects)
    }

    /// The elements of a JSON array, each as its own JSON text (strings unquoted).
    static func arrayItems(_ text: String, option: String) throws -> [Item] {
        let data = Data(text.utf8)
        guard (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) is [Any] else {
            throw CLIError.usage("\(option): not a well-formed JSON array; expected e.g. [1, -2.5, \"3\"]")
        }
        // The array is well formed: cut it at the commas of depth 1, outside strings.
        var items: [Item] = []
        var depth = 0, inString = false, escaped = false
        var current: [UInt8] = []
        func finish() throws {
            let element = String(decoding: current, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            current = []
            if element.isEmpty { return }  // only `[]`: JSON allows no other empty element
            var value = element
            if element.hasPrefix("\""),
               let string = try? JSONSerialization.jsonObject(with: Data(element.utf8), options: [.fragmentsAllowed]) as? String {
                value = string
            }
            items.append(Item(label: "\(option)[\(items.count)]", text: value))
        }
        for byte in data {
            if inString {
                current.append(byte)
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                current.append(byte)
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > 1 { current.append(byte) }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth > 1 { current.append(byte) } else { try finish() }
                depth -= 1
            case UInt8(ascii: ",") where depth == 1:
                try finish()
            default:
                if depth >= 1 { current.append(byte) }
            }
        }
        return items
    }

    /// The non-blank lines of `text` (the chosen CSV column of each, after a header when the
    /// column is named).
    static func lineItems(_ text: String, option: String, column: String?, objects: Bool) throws -> [Item] {
        var lines: [(number: Int, text: String)] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if !line.isEmpty { lines.append((index + 1, line)) }
        }
        if objects { return lines.map { Item(label: "\(option) line \($0.number)", text: $0.text) } }
        func fields(_ line: String) -> [String] {
            line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        guard let column else {
            if let wide = lines.first(where: { $0.text.contains(",") }) {
                throw CLIError.usage("\(option) line \(wide.number): \(fields(wide.text).count) comma-separated fields; expected one value per line, or --column NAME|N to pick a CSV column")
            }
            return lines.map { Item(label: "\(option) line \($0.number)", text: $0.text) }
        }
        let index: Int
        var body = lines[...]
        if let number = Int(column) {
            guard number >= 1 else { throw CLIError.usage("--column: \(number); expected a column number from 1 or a header name") }
            index = number - 1
        } else {
            guard let header = lines.first, let found = fields(header.text).firstIndex(of: column) else {
                let names = lines.first.map { fields($0.text).joined(separator: ", ") } ?? ""
                throw CLIError.usage("--column: '\(column)' is not in the header line (\(names)); expected one of its names or a column number from 1")
            }
            index = found
            body = body.dropFirst()
        }
        return try body.map { line in
            let cells = fields(line.text)
            guard index < cells.count else {
                throw CLIError.usage("\(option) line \(line.number): \(cells.count) fields, no column \(index + 1); expected every line to have that column")
            }
            return Item(label: "\(option) line \(line.number)", text: cells[index])
        }
    }

    // MARK: - Values

    /// The encodings of the numbers of `items` (exact integers, decimal numbers like phe, or
    /// with `precision`).
    static func encodings(_ items: [Item], key: Paillier.PublicKey, precision: Double?) throws -> [Paillier.EncodedNumber] {
        try items.map { item in
            let encoded = try HEFiles.encode(item.text, field: item.label, key: key)
            guard let precision else { return encoded }
            guard let double = Double(item.text) else {
                throw CLIError.usage("\(item.label): '\(item.text)' is not a number; expected a decimal number with --precision")
            }
            return try labelled(item.label) { try Paillier.EncodedNumber.encode(double, publicKey: key, precision: precision) }
        }
    }

    /// The ciphertexts of `items` for `key`.
    static func ciphertexts(_ items: [Item], key: Paillier.PublicKey) throws -> [Paillier.EncryptedNumber] {
        try items.map { item in
            try labelled(item.label) { try Paillier.EncryptedNumber(json: Data(item.text.utf8), publicKey: key) }
        }
    }

    /// Runs `body`, putting `label` in front of an HECore error while keeping its exit status.
    static func labelled<T>(_ label: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as HEError {
            throw CLIError(status: error.exitStatus, message: "\(label): \(error)")
        }
    }

    /// The vector of a non-empty batch.
    static func vector(_ numbers: [Paillier.EncryptedNumber], option: String) throws -> Paillier.EncryptedVector {
        guard !numbers.isEmpty else { throw CLIError.usage("\(option): no values; expected at least one") }
        return try Paillier.EncryptedVector(numbers)
    }

    // MARK: - Output

    /// Prints ciphertexts one pheutil JSON object a line, or as one JSON array with `json`.
    static func print(_ numbers: [Paillier.EncryptedNumber], json: Bool) {
        var out = Data()
        if json {
            out.append(Data("[".utf8))
            for (i, number) in numbers.enumerated() {
                if i > 0 { out.append(Data(",\n".utf8)) }
                out.append(number.json())
            }
            out.append(Data("]\n".utf8))
        } else {
            for number in numbers {
                out.append(number.json())
                out.append(Data("\n".utf8))
            }
        }
        FileHandle.standardOutput.write(out)
    }
}
