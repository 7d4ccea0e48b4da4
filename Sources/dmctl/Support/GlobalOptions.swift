import ArgumentParser
import Foundation

/// Options every dmctl command accepts: the state folder and the output format.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "State folder (default: $DMCTL_HOME, else ./.dmctl).", valueName: "dir"))
    var home: String?

    @Flag(name: .long, help: "Print machine-readable JSON instead of tables.")
    var json = false

    /// The state folder this invocation works in.
    var homeURL: URL {
        if let home { return URL(fileURLWithPath: home, isDirectory: true) }
        if let env = ProcessInfo.processInfo.environment["DMCTL_HOME"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        return URL(fileURLWithPath: ".dmctl", isDirectory: true)
    }
}
