import ArgumentParser
import Foundation
import LedgerCore

/// `dmctl demo`: plays a whole, deterministic market round on the breast-cancer data in a
/// fresh state folder and prints what happened.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Play a whole market round on real data: market, datatrust queries, a model bounty, an encrypted data bounty.",
        discussion: """
            Everything runs in this process on a chain kept in a fresh state folder, with a \
            manual clock the demo moves through each voting and response window:
              1. accounts (council, data owners, investors, buyer, trainers, sponsor, users) and \
            the DMT network token at genesis;
              2. a market: the council buys in, authorises the datatrust by poll, lists four \
            shards of Data/breast_cancer.csv that the datatrust stores encrypted and attests, \
            and removes the shard with flipped labels after a challenge;
              3. investors invest and one divests;
              4. a buyer pays for compute and runs a SQL query and a differentially private \
            query at the datatrust, which reports usage so the owners are rewarded;
              5. a model bounty with three trainers (one inflates its claim and is slashed); the \
            winner's model is minted as a $Model over a $Portfolio of the listed $Data and used \
            and rated by paying users;
              6. a data bounty: five owners train a logistic model through Paillier secure \
            aggregation until the target error is reached, and are paid.
            It ends with the balances, the key figures of each phase and a full replay check \
            (chain verify). The same seed gives the same events, balances and state hash.

            Examples:
              dmctl demo                     # seed 42, in a temporary folder
              dmctl demo --seed 7 --json     # event log and summary as JSON
              dmctl demo --home ./demo-run   # keep the chain and the vault

            Exit status: 0 success; 1 a phase was refused by a protocol; 2 bad options or a \
            --home that already holds a chain; 3 the data file or the state folder could not \
            be read or written. A failure names the phase and the reason.
            """)

    @Option(help: ArgumentHelp("Seed of every key, split, salt and ciphertext (same seed, same state hash).", valueName: "n"))
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp(
        "State folder to play in; must not hold a chain yet (default: a temporary folder, removed at the end).", valueName: "dir"))
    var home: String?

    @Option(help: ArgumentHelp(
        "The breast-cancer CSV (default: Data/breast_cancer.csv found above the current folder or the dmctl executable).",
        valueName: "file"))
    var data: String?

    @Option(name: .customLong("paillier-bits"), help: ArgumentHelp(
        "Paillier modulus length for the data bounty: 2048 (default) or 1024 (faster, for slow machines).", valueName: "bits"))
    var paillierBits: Int = 2048

    @Flag(help: "Print the chain's event log and the summary as JSON instead of tables.")
    var json = false

    func validate() throws {
        if paillierBits != 1024, paillierBits != 2048 {
            throw ValidationError("--paillier-bits: \(paillierBits) is not supported; expected 1024 or 2048")
        }
    }

    func run() async throws {
        let configuration = DemoConfiguration(seed: seed, paillierBits: paillierBits)
        let progress = DemoProgress(mode: json ? (DemoProgress.standardErrorIsTerminal ? .standardError : .silent) : .standardOutput)
        let dataURL = try DemoData.locate(explicit: data)
        let dataset = try DemoData.load(dataURL)
        let folder = try DemoFolder.prepare(home)
        defer { folder.cleanUp() }
        progress.banner(configuration: configuration, data: dataURL, folder: folder)
        var scenario = try DemoScenario.start(configuration: configuration, dataset: dataset, folder: folder, progress: progress)
        let summary = try await scenario.play()
        if json {
            try Output.json(DemoJSON(events: try scenario.eventLog(), summary: summary))
        } else {
            DemoReport.print(summary)
        }
    }
}

/// What the demo was asked to play.
struct DemoConfiguration: Sendable {
    /// The seed everything derives from.
    let seed: UInt64
    /// The Paillier modulus length.
    let paillierBits: Int
}
