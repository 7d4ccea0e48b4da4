import ArgumentParser
import Foundation
import LedgerCore

/// The state folder: `keys/` (encrypted keys), `chain/` (blocks and snapshots), and the
/// other components' folders.
struct Home {
    let url: URL
    /// The node this invocation works against (`--node`, `$DMCTL_NODE`), or why it is not a URL.
    let node: Result<URL?, CLIError>
    /// The chain's store when it is not `chain/` (`--store`/`DMCTL_STORE`: a PostgreSQL URL).
    let store: String?

    init(_ options: GlobalOptions) {
        url = options.homeURL
        node = Result { () throws(CLIError) -> URL? in try options.nodeURL() }
        store = options.storeURL
    }

    var keys: URL { url.appendingPathComponent("keys", isDirectory: true) }
    var chain: URL { url.appendingPathComponent("chain", isDirectory: true) }

    func keystore() throws -> Keystore {
        do { return try Keystore(folder: keys) } catch { throw CLIError.storage("\(error)") }
    }
}

/// Where a command gets the keystore passphrase: `--passphrase-file`, else `DMCTL_PASSPHRASE`.
struct PassphraseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "File whose first line is the keystore passphrase (default: $DMCTL_PASSPHRASE).", valueName: "file"))
    var passphraseFile: String?

    func passphrase() throws -> String {
        if let passphraseFile {
            let text: String
            do { text = try String(contentsOfFile: passphraseFile, encoding: .utf8) } catch {
                throw CLIError.storage("cannot read passphrase file \(passphraseFile): \(error.localizedDescription)")
            }
            let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !line.isEmpty else { throw CLIError.usage("passphrase file \(passphraseFile) is empty; expected the passphrase on its first line") }
            return line
        }
        if let env = ProcessInfo.processInfo.environment["DMCTL_PASSPHRASE"], !env.isEmpty { return env }
        throw CLIError.usage("no passphrase: set DMCTL_PASSPHRASE or pass --passphrase-file FILE")
    }
}

/// Reads all of standard input.
///
/// - Throws: ``CLIError/storage(_:)`` when standard input cannot be read (a folder redirected in,
///   a closed descriptor): Foundation's older, non-throwing read-to-end call traps there instead.
func readStandardInput() throws -> Data {
    do { return try FileHandle.standardInput.readToEnd() ?? Data() } catch {
        throw CLIError.storage("standard input: cannot read (\(error.localizedDescription)); expected the data piped or redirected from a file")
    }
}
