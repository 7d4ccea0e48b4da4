import DataMarketTesting
import Foundation
import Testing

/// Every `dmctl …` line of every `Example:` in the whole `--help` tree is a command line dmctl
/// accepts: the parser (with `DMCTL_CHECK_ARGUMENTS=1`) finds every required option there and
/// every value well formed, so no example misses an option or names one that does not exist.
@Test func everyHelpExampleIsACommandLineDmctlAccepts() async throws {
    let runner = CLIRunner(environment: ["DMCTL_CHECK_ARGUMENTS": "1", "COLUMNS": "10000"])
    let commands = try await HelpTests.walk(runner)
    var checked = 0
    for command in commands {
        for line in HelpExamples.commandLines(in: command.help) {
            let r = try await runner.runAsync(HelpExamples.words(line))
            checked += 1
            #expect(r.status == 0, "\(command.name) --help example '\(line)': \(r.stderr)")
        }
    }
    #expect(checked > 100, "only \(checked) example lines found")
}

/// Reading examples out of help text.
enum HelpExamples {
    /// The `dmctl …` lines between `Example:` and `USAGE:` (help printed with a wide COLUMNS,
    /// so nothing is wrapped), lines ending in `\` joined with the next, without shell
    /// redirections, `# comments` or a trailing `(parenthetical remark)`.
    static func commandLines(in help: String) -> [String] {
        shellLines(in: help).compactMap { full -> String? in
            var line = full
            guard line.hasPrefix("dmctl ") else { return nil }
            for cut in [" > ", " < ", " | ", " #", " ("] { if let r = line.range(of: cut) { line = String(line[..<r.lowerBound]) } }
            return line.trimmingCharacters(in: .whitespaces)
        }
    }

    /// The lines of the `Example:` sections (from the first to `USAGE:`) that a reader would
    /// type, shell syntax kept: `dmctl …` and `export …`, lines ending in `\` joined with the next.
    static func shellLines(in help: String) -> [String] {
        let starts = [help.range(of: "Example:"), help.range(of: "Examples:")].compactMap { $0 }
        guard let start = starts.min(by: { $0.lowerBound < $1.lowerBound }) else { return [] }
        let end = help.range(of: "\nUSAGE:", range: start.upperBound..<help.endIndex)?.lowerBound ?? help.endIndex
        var joined: [String] = []
        var pending: String?
        for raw in help[start.upperBound..<end].split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let full = pending.map { $0 + " " + line } ?? line
            if full.hasSuffix("\\") {
                pending = String(full.dropLast()).trimmingCharacters(in: .whitespaces)
            } else {
                pending = nil
                joined.append(full)
            }
        }
        return joined.map { line in
            for prefix in ["Examples: ", "Example: "] where line.hasPrefix(prefix) { return String(line.dropFirst(prefix.count)) }
            return line
        }.filter { $0.hasPrefix("dmctl ") || $0.hasPrefix("export ") }
    }

    /// Shell words of `line` after `dmctl` (single and double quotes, no expansion).
    static func words(_ line: String) -> [String] {
        var words: [String] = []
        var current = "", quote: Character?, inWord = false
        for ch in line {
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                inWord = true
            } else if ch == " " {
                if inWord { words.append(current); current = ""; inWord = false }
            } else {
                current.append(ch)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return Array(words.dropFirst())
    }
}
