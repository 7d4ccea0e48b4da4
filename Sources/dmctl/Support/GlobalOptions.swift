import ArgumentParser
import Foundation

/// Options every dmctl command accepts: the state folder and the output format.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "State folder (default: $DMCTL_HOME, else ./.dmctl).", valueName: "dir"))
    var home: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of tables.")
    var json = false

    @Option(name: .long, help: ArgumentHelp(
        "A node to work against (default: $DMCTL_NODE): reads and transactions go through it; keys still sign here, and no chain folder is needed.", valueName: "url"))
    var node: String?

    @Option(name: .long, help: ArgumentHelp(
        "Where the chain's blocks live (default: $DMCTL_STORE, else <home>/chain): postgres://USER@HOST:PORT/DATABASE?schema=NAME.",
        valueName: "url"))
    var store: String?

    /// The chain's store this invocation names (`--store`, else `$DMCTL_STORE`), if not the
    /// home's folder.
    var storeURL: String? {
        store ?? ProcessInfo.processInfo.environment["DMCTL_STORE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The node this invocation works against (`--node`, else `$DMCTL_NODE`), if any.
    func nodeURL() throws(CLIError) -> URL? {
        guard let text = node ?? ProcessInfo.processInfo.environment["DMCTL_NODE"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        guard let url = URL(string: text.hasSuffix("/") ? text : text + "/"), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw CLIError.usage("--node: '\(text)' is not an http(s) URL such as http://127.0.0.1:8545")
        }
        return url
    }

    /// The state folder this invocation works in.
    var homeURL: URL {
        if let home { return URL(fileURLWithPath: home, isDirectory: true) }
        if let env = ProcessInfo.processInfo.environment["DMCTL_HOME"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        return URL(fileURLWithPath: ".dmctl", isDirectory: true)
    }
}

extension GlobalOptions {
    /// The global options that take a value (`--node` is the node branch's, hoisted alike).
    static let valued = ["--home", "--node", "--store"]

    /// `arguments` with the global options written before the command name moved to its end
    /// (before a `--` terminator), where the command's own parser reads them:
    /// `--home D --json key list` becomes `key list --home D --json`.
    static func hoisted(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--json" {
                leading.append(argument)
                index += 1
            } else if Self.valued.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else if Self.valued.contains(where: { argument.hasPrefix($0 + "=") }) {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        var rest = Array(arguments[index...])
        let end = rest.firstIndex(of: "--") ?? rest.endIndex
        rest.insert(contentsOf: leading, at: end)
        return rest
    }

    /// Whether the command line asks for JSON output (before any `--` terminator).
    static func asksForJSON(_ arguments: [String]) -> Bool {
        arguments.prefix { $0 != "--" }.contains("--json")
    }
}
