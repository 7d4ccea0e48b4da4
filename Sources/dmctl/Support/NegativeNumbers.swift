import Foundation

/// Negative numbers on the command line (`--value -7`, `--amount -5`).
///
/// argument-parser reads a word that starts with `-` as an option name, so `--value -7` would
/// say "Missing value". dmctl joins such a word to the option before it (`--value=-7`), so the
/// option's own rule decides: a number that may be negative (`he add --value`) is read, and an
/// amount or a count says that it must not be negative. A negative number where a positional
/// argument is expected goes after `--` (`dmctl he encrypt --key k -- -4`).
enum NegativeNumbers {
    /// Whether `word` is a negative number literal: `-7`, `-0.5`, `-1e3`, `-.5`.
    static func isNegativeNumber(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word.count > 1, !word.hasPrefix("--") else { return false }
        let rest = word.dropFirst()
        guard let first = rest.first, first.isNumber || first == "." else { return false }
        return Double(rest) != nil || rest.allSatisfy(\.isNumber)
    }

    /// `arguments` with every negative number that follows a long option (before any `--`)
    /// joined to it: `--value -7` becomes `--value=-7`.
    static func joined(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                out += arguments[index...]
                break
            }
            if word.hasPrefix("--"), word.count > 2, !word.contains("="), index + 1 < arguments.count,
               isNegativeNumber(arguments[index + 1]) {
                out.append(word + "=" + arguments[index + 1])
                index += 2
                continue
            }
            out.append(word)
            index += 1
        }
        return out
    }

    /// The negative numbers of `arguments` left where argument-parser reads an option name
    /// (not joined to an option, before any `--`).
    static func stray(_ arguments: [String]) -> [String] {
        arguments.prefix { $0 != "--" }.filter(isNegativeNumber)
    }

    /// A clearer message for a parser error about a negative number, or nil to keep the
    /// parser's own: an unsigned option given a negative value, or a negative positional.
    static func message(forParserError message: String, arguments: [String]) -> String? {
        // "The value '-5' is invalid for '--from <from>'"
        if let valueStart = message.range(of: "The value '-"),
           let valueEnd = message.range(of: "' is invalid for '", range: valueStart.upperBound..<message.endIndex) {
            let value = "-" + message[valueStart.upperBound..<valueEnd.lowerBound]
            let rest = message[valueEnd.upperBound...]
            let name = rest.prefix { $0 != " " && $0 != "'" }
            if isNegativeNumber(value) {
                return "error: \(name): '\(value)' must not be negative; expected a whole number from 0"
            }
        }
        if let word = stray(arguments).first,
           message.contains("Missing") || message.contains("Unknown option") || message.contains("Unexpected argument") {
            return "error: '\(word)': a negative number here is read as an option name; expected it after `--` where the "
                + "command takes a negative value (dmctl he encrypt --key public.json -- \(word)); amounts, counts and ids must not be negative"
        }
        return nil
    }
}
