import DataMarketTesting
import Foundation
import Testing

/// `dmctl calls` lists every call of the chain's modules (dmctl switches over each module's
/// `Call`, so a new case does not compile until it is listed) with the command that submits
/// it: each named command exists in the help tree, and the README's table is exactly the list.
@Test func everyProtocolCallNamesACommandThatExistsAndTheReadmeTableIsTheList() async throws {
    let r = try await CLIRunner().runAsync(["calls", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: String]])
    let calls = rows.compactMap { $0["call"] }
    #expect(calls.count == rows.count && Set(calls).count == calls.count, "every row names one call, once")
    for module in ["ledger", "market", "roles", "bounty", "databounty"] {
        #expect(calls.contains { $0.hasPrefix(module + ".") }, "no call of \(module)")
    }
    let tree = Set(try await HelpTests.walk(CLIRunner()).map { $0.path.joined(separator: " ") })
    var readmeRows: [String] = []
    for row in rows {
        let call = row["call"] ?? "?"
        if let command = row["command"] {
            let words = String(command.dropFirst("dmctl ".count))
            #expect(tree.contains(words), "\(call): '\(command)' is not a dmctl command")
            readmeRows.append("| `\(call)` | `\(command)` |")
        } else {
            let by = try #require(row["submittedBy"], "\(call) names neither a command nor who submits it")
            #expect(by.hasPrefix("dmctl ") && tree.contains(by.dropFirst("dmctl ".count).split(separator: ":")[0].description),
                    "\(call): '\(by)' does not start with the dmctl command of the server that submits it")
            readmeRows.append("| `\(call)` | \(by) |")
        }
    }
    let readme = try String(contentsOf: ExampleRuns.root.appendingPathComponent("README.md"), encoding: .utf8)
    let table = readme.split(separator: "\n").map(String.init).filter { line in
        line.hasPrefix("| `") && ["ledger.", "market.", "roles.", "bounty.", "databounty."].contains { line.hasPrefix("| `" + $0) }
    }
    #expect(table == readmeRows, "the README's table of calls differs from dmctl calls:\n\(readmeRows.joined(separator: "\n"))")
}
