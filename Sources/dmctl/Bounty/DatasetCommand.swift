import ArgumentParser
import Foundation
import LedgerCore
import ModelMarketKit

/// `dmctl dataset split`: the requester's local preparation of a model bounty.
struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Prepare data sets for bounties.",
        discussion: "Example: dmctl dataset split --input Data/breast_cancer.csv --test-count 143 --seed 7 --out bounty1",
        subcommands: [Split.self])

    struct Split: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Split a labelled CSV with a seeded shuffle; write train.csv, test-features.csv and truth.json.",
            discussion: """
                train.csv (labelled) and test-features.csv (no labels) are the files to publish; \
                truth.json holds the hidden labels for `dmctl bounty create`. Keep it private.
                Progress is shown on standard error when it is a terminal and the split takes over a second.
                Example: dmctl dataset split --input Data/breast_cancer.csv --test-count 143 --seed 7 --out bounty1
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The labelled CSV (project format).") var input: String
        @Option(help: "Number of test rows.") var testCount: Int
        @Option(help: "Seed of the shuffle.") var seed: UInt64 = 1
        @Option(help: "Labels are multiplied by this and must then be integers (regression).") var labelScale: Double = 1
        @Option(help: "Output folder.") var out: String

        func run() async throws {
            var progress = TerminalProgress("dataset split")  // steps on stderr, on a terminal, after the first second
            let dataset: LabeledDataset
            do { dataset = try LabeledDataset.load(contentsOf: URL(fileURLWithPath: input), labelScale: labelScale) } catch {
                // A missing or unreadable file is storage (exit 3) as in every group; bad rows are usage (2).
                if case .unreadable(let path, let reason) = error {
                    throw CLIError.storage("--input: cannot read \(path): \(reason); expected a readable labelled CSV file")
                }
                throw CLIError.usage("--input: \(error)")
            }
            progress.phase("splitting \(dataset.count) rows")
            let publication: BountyPublication
            do { publication = try BountyPublication(dataset: dataset, testCount: testCount, seed: seed) } catch { throw CLIError.usage("\(error)") }
            progress.phase("writing \(out)")
            let dir = URL(fileURLWithPath: out, isDirectory: true)
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                try Data(publication.trainingCSV.utf8).write(to: dir.appendingPathComponent("train.csv"))
                try Data(publication.testFeaturesCSV.utf8).write(to: dir.appendingPathComponent("test-features.csv"))
            } catch { throw CLIError.storage("cannot write to \(out): \(error.localizedDescription)") }
            try ChainCall.writeJSON(IntegerVector(values: publication.truth), to: dir.appendingPathComponent("truth.json").path)
            progress.finish()
            struct Out: Encodable { let train: Int; let test: Int; let trainingDataHash: Hash32; let testFeaturesHash: Hash32; let classes: Int }
            let o = Out(train: publication.train.count, test: publication.test.count, trainingDataHash: publication.trainingDataHash,
                        testFeaturesHash: publication.testFeaturesHash, classes: dataset.classCount)
            if global.json { return try Output.json(o) }
            Output.fields([("train rows", "\(o.train)"), ("test rows", "\(o.test)"), ("training hash", o.trainingDataHash.hex),
                           ("test features hash", o.testFeaturesHash.hex), ("classes", "\(o.classes)")])
        }
    }
}
