import DataMarketTesting
import Foundation
import Testing

/// `dmctl he encrypt|decrypt|add|mul --input FILE`: many values in one process, through the
/// built binary.
@Suite(.serialized) struct HEBatchCommandTests {
    let folder: URL
    let cli: CLIRunner

    init() throws {
        folder = CLIRunner.temporaryFolder("dmctl-he-batch")
        cli = CLIRunner(workingDirectory: folder)
    }

    @discardableResult
    func ok(_ args: [String], stdin: String? = nil) async throws -> String {
        let result = try await cli.runAsync(args, stdin: stdin)
        #expect(result.status == 0, "dmctl \(args.joined(separator: " ")): \(result.stderr)")
        return result.stdout
    }

    func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: folder.appendingPathComponent(name))
    }

    func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init)
    }

    /// 1,000 values: integers (one beyond 64 bits), negative ones and fractions.
    static let thousand: [String] = (0..<1000).map { i in
        switch i % 4 {
        case 0: "\(i * 7 - 3000)"
        case 1: "\(Double(i) / 8 - 60.5)"
        case 2: "-\(i).25"
        default: i == 3 ? "123456789012345678901234567890" : "\(i)"
        }
    }

    @Test func aThousandValuesFromACSVColumnRoundTripThroughFastBatchEncryption() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try await ok(["he", "keygen", "--bits", "1024", "--out", "keys"])
        let csv = "id,x\n" + Self.thousand.enumerated().map { "\($0.offset),\($0.element)" }.joined(separator: "\n") + "\n"
        try write(csv, to: "values.csv")
        let encrypted = try await ok(["he", "encrypt", "--fast", "--key", "keys/public.json", "--input", "values.csv", "--column", "x"])
        #expect(lines(encrypted).count == 1000)
        #expect(Set(lines(encrypted)).count == 1000, "every ciphertext is freshly randomised")
        try write(encrypted, to: "values.jsonl")
        let decrypted = lines(try await ok(["he", "decrypt", "--key", "keys/private.json", "--input", "values.jsonl"]))
        #expect(decrypted.count == 1000)
        for (i, (got, want)) in zip(decrypted, Self.thousand).enumerated() where Double(got) != Double(want) || (!want.contains(".") && got != want) {
            Issue.record("value \(i): decrypted \(got), encrypted \(want)")
            break
        }
        // The same values as a JSON array, through standard input, with JSON out and back.
        let array = "[" + Self.thousand.prefix(50).map { $0.contains(".") ? $0 : "\"\($0)\"" }.joined(separator: ", ") + "]"
        let jsonOut = try await ok(["he", "encrypt", "--json", "--key", "keys/public.json", "--input", "-"], stdin: array)
        let ciphertexts = try #require(try JSONSerialization.jsonObject(with: Data(jsonOut.utf8)) as? [[String: Any]])
        #expect(ciphertexts.count == 50 && ciphertexts.allSatisfy { $0["v"] is String })
        try write(jsonOut, to: "array.json")
        let plain = try #require(try JSONSerialization.jsonObject(with: Data(try await ok(["he", "decrypt", "--json", "--key", "keys/private.json", "--input", "array.json"]).utf8)) as? [[String: String]])
        #expect(plain.compactMap { $0["value"] }.map { Double($0) } == Self.thousand.prefix(50).map { Double($0) })
    }

    @Test func batchResultsEqualOneByOneResultsForEveryCommand() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try await ok(["he", "keygen", "--bits", "1024", "--out", "keys"])
        let values = ["7", "-2.5", "0.125", "-40", "1000000"]
        try write(values.joined(separator: "\n"), to: "v.txt")
        try write("[3, -1, 0.5, 2, -0.25]", to: "w.json")
        let batch = lines(try await ok(["he", "encrypt", "--key", "keys/public.json", "--input", "v.txt"]))
        try write(batch.joined(separator: "\n") + "\n", to: "c.jsonl")
        for (i, line) in batch.enumerated() { try write(line, to: "c\(i).json") }

        func batchDecrypt(_ args: [String]) async throws -> [String] {
            try write(try await ok(args), to: "out.jsonl")
            return lines(try await ok(["he", "decrypt", "--key", "keys/private.json", "--input", "out.jsonl"]))
        }
        func singleDecrypt(_ args: (Int) -> [String]) async throws -> [String] {
            try await values.indices.asyncMap { i in
                try write(try await ok(args(i)), to: "one.json")
                return try await ok(["he", "decrypt", "--key", "keys/private.json", "one.json"]).trimmingCharacters(in: .newlines)
            }
        }
        let weights = ["3", "-1", "0.5", "2", "-0.25"]
        let cases: [(batch: [String], single: (Int) -> [String])] = [
            (["he", "encrypt", "--fast", "--key", "keys/public.json", "--input", "v.txt"],
             { ["he", "encrypt", "--fast", "--key", "keys/public.json", "--", values[$0]] }),
            (["he", "add", "--key", "keys/public.json", "--input", "c.jsonl", "--value", "-7"],
             { ["he", "add", "--key", "keys/public.json", "c\($0).json", "--value", "-7"] }),
            (["he", "add", "--fast", "--key", "keys/public.json", "--input", "c.jsonl", "--values", "w.json"],
             { ["he", "add", "--key", "keys/public.json", "c\($0).json", "--value", weights[$0]] }),
            (["he", "add", "--key", "keys/public.json", "--input", "c.jsonl", "--input", "c.jsonl"],
             { ["he", "add", "--key", "keys/public.json", "c\($0).json", "c\($0).json"] }),
            (["he", "mul", "--key", "keys/public.json", "--input", "c.jsonl", "--value", "-3"],
             { ["he", "mul", "--key", "keys/public.json", "c\($0).json", "--value", "-3"] }),
            (["he", "mul", "--fast", "--key", "keys/public.json", "--input", "c.jsonl", "--values", "w.json"],
             { ["he", "mul", "--key", "keys/public.json", "c\($0).json", "--value", weights[$0]] }),
        ]
        for (batchArgs, single) in cases {
            let many = try await batchDecrypt(batchArgs)
            let one = try await singleDecrypt(single)
            #expect(many == one, "\(batchArgs.joined(separator: " "))")
            #expect(many.count == values.count)
        }
        // A known answer, so equality above is not equality of two wrong things.
        #expect(try await batchDecrypt(["he", "mul", "--key", "keys/public.json", "--input", "c.jsonl", "--values", "w.json"])
            == ["21", "2.5", "0.0625", "-80", "-250000.0"])
        #expect(lines(try await ok(["he", "decrypt", "--key", "keys/private.json", "--input", "c.jsonl"])) == values)
    }

    @Test func badValuesInABatchAreNamedByTheirLineOrIndex() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try await ok(["he", "keygen", "--bits", "1024", "--out", "keys"])
        let pk = ["he", "encrypt", "--key", "keys/public.json", "--input"]
        try write("1\n2\n\nabc\n4\n", to: "bad.txt")
        let word = try await cli.runAsync(pk + ["bad.txt"])
        #expect(word.status == 2 && word.stderr.contains("--input line 4") && word.stderr.contains("'abc'"), "\(word.stderr)")
        try write("[1, 2, \"x\", 4]", to: "bad.json")
        let index = try await cli.runAsync(pk + ["bad.json"])
        #expect(index.status == 2 && index.stderr.contains("--input[2]") && index.stderr.contains("'x'"), "\(index.stderr)")
        try write("[1, 2,", to: "broken.json")
        let broken = try await cli.runAsync(pk + ["broken.json"])
        #expect(broken.status == 2 && broken.stderr.contains("JSON array"), "\(broken.stderr)")
        try write("a,b\n1,2\n", to: "wide.csv")
        let wide = try await cli.runAsync(pk + ["wide.csv"])
        #expect(wide.status == 2 && wide.stderr.contains("line 1") && wide.stderr.contains("--column"), "\(wide.stderr)")
        let column = try await cli.runAsync(pk + ["wide.csv", "--column", "c"])
        #expect(column.status == 2 && column.stderr.contains("'c'") && column.stderr.contains("a, b"), "\(column.stderr)")
        let both = try await cli.runAsync(pk + ["wide.csv", "5"])
        #expect(both.status == 2 && both.stderr.contains("exactly one"), "\(both.stderr)")
        let missing = try await cli.runAsync(pk + ["nowhere.csv"])
        #expect(missing.status == 3 && missing.stderr.contains("nowhere.csv"), "\(missing.stderr)")

        // Ciphertext files: a damaged line is named, and so is a count mismatch with --values.
        let good = try await ok(pk + ["-"], stdin: "1\n2\n3\n")
        let damaged = lines(good)[0] + "\n{\"v\":\"0\",\"e\":0}\n" + lines(good)[2] + "\n"
        try write(damaged, to: "damaged.jsonl")
        let zero = try await cli.runAsync(["he", "decrypt", "--key", "keys/private.json", "--input", "damaged.jsonl"])
        #expect(zero.status == 2 && zero.stderr.contains("--input line 2"), "\(zero.stderr)")
        try write(good, to: "good.jsonl")
        try write("[1, 2]", to: "two.json")
        let count = try await cli.runAsync(["he", "mul", "--key", "keys/public.json", "--input", "good.jsonl", "--values", "two.json"])
        #expect(count.status == 2 && count.stderr.contains("2 numbers for 3 ciphertexts"), "\(count.stderr)")
        try write("[1, 2, \"three\"]", to: "three.json")
        let word3 = try await cli.runAsync(["he", "add", "--key", "keys/public.json", "--input", "good.jsonl", "--values", "three.json"])
        #expect(word3.status == 2 && word3.stderr.contains("--values[2]"), "\(word3.stderr)")
        let stray = try await cli.runAsync(["he", "mul", "--key", "keys/public.json", "--input", "good.jsonl"])
        #expect(stray.status == 2 && stray.stderr.contains("--value"), "\(stray.stderr)")
        let empty = try await cli.runAsync(pk + ["-"], stdin: "\n")
        #expect(empty.status == 2 && empty.stderr.contains("empty"), "\(empty.stderr)")
    }
}
