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
        "A node to submit transactions through (default: $DMCTL_NODE); keys still sign here.", valueName: "url"))
    var node: String?

    /// The node this invocation submits through (`--node`, else `$DMCTL_NODE`), if any.
    func nodeURL() throws -> URL? {
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
