import Foundation
import LedgerCore
import ModelMarketKit

/// Finding and reading the breast-cancer data the demo plays on.
enum DemoData {
    /// The file looked for under `Data/`.
    static let fileName = "breast_cancer.csv"

    /// `explicit` if given, else `Data/breast_cancer.csv` in the current folder or one of its
    /// parents, else next to the executable or one of its parents (a clean clone runs
    /// `.build/release/dmctl` three levels below the package).
    ///
    /// - Throws: ``CLIError/storage(_:)`` naming every place searched when nothing is found.
    static func locate(explicit: String?, fileManager: FileManager = .default) throws -> URL {
        if let explicit {
            let url = URL(fileURLWithPath: explicit)
            guard fileManager.isReadableFile(atPath: url.path) else {
                throw CLIError.storage("--data: cannot read \(url.path); expected the breast-cancer CSV (Data/\(fileName))")
            }
            return url
        }
        let starts = [
            URL(fileURLWithPath: fileManager.currentDirectoryPath, isDirectory: true),
            (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath().deletingLastPathComponent(),
        ]
        for start in starts {
            var folder = start.standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent("Data").appendingPathComponent(fileName)
                if fileManager.isReadableFile(atPath: candidate.path) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        throw CLIError.storage(
            "cannot find Data/\(fileName) in \(starts[0].path) or \(starts[1].path) or any of their parents; "
                + "run dmctl from the project folder or pass --data FILE")
    }

    /// Parses the file.
    ///
    /// - Throws: ``CLIError/storage(_:)`` when it cannot be read, ``CLIError/usage(_:)`` when it
    ///   is not a two-class table of 30 features.
    static func load(_ url: URL) throws -> LabeledDataset {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw CLIError.storage("cannot read \(url.path): \(error.localizedDescription)")
        }
        let dataset: LabeledDataset
        do { dataset = try LabeledDataset.parse(csv: text) } catch {
            throw CLIError.usage("\(url.path): \(error)")
        }
        guard dataset.featureCount == 30, dataset.classCount == 2, dataset.count >= 200 else {
            throw CLIError.usage(
                "\(url.path): \(dataset.count) rows of \(dataset.featureCount) features and \(dataset.classCount) classes; "
                    + "expected the breast-cancer table (at least 200 rows, 30 features, 2 classes)")
        }
        return dataset
    }
}

/// The state folder the demo plays in: a fresh temporary one, or the `--home` given.
struct DemoFolder {
    /// The folder.
    let url: URL
    /// Whether the demo made it and removes it at the end.
    let isTemporary: Bool

    /// The chain's folder inside it.
    var chain: URL { url.appendingPathComponent("chain", isDirectory: true) }
    /// The datatrust's folder inside it.
    var datatrust: URL { url.appendingPathComponent("datatrust", isDirectory: true) }

    /// Makes a temporary folder, or checks that `home` holds no chain (and creates it).
    ///
    /// - Throws: ``CLIError/usage(_:)`` when `home` already holds a chain or a datatrust
    ///   (the demo never mixes into existing state); ``CLIError/storage(_:)`` when the folder
    ///   cannot be created.
    static func prepare(_ home: String?, fileManager: FileManager = .default) throws -> DemoFolder {
        guard let home else {
            let url = fileManager.temporaryDirectory.appendingPathComponent("dmctl-demo-\(UUID().uuidString)", isDirectory: true)
            do { try fileManager.createDirectory(at: url, withIntermediateDirectories: true) } catch {
                throw CLIError.storage("cannot create a temporary folder \(url.path): \(error.localizedDescription)")
            }
            return DemoFolder(url: url, isTemporary: true)
        }
        let folder = DemoFolder(url: URL(fileURLWithPath: home, isDirectory: true), isTemporary: false)
        for part in [folder.chain, folder.datatrust] {
            let entries = (try? fileManager.contentsOfDirectory(atPath: part.path)) ?? []
            if !entries.isEmpty {
                throw CLIError.usage(
                    "--home \(folder.url.path) already holds a \(part.lastPathComponent) (\(part.path) is not empty); "
                        + "the demo plays on fresh state only: give a new or empty folder, or omit --home")
            }
        }
        do { try fileManager.createDirectory(at: folder.url, withIntermediateDirectories: true) } catch {
            throw CLIError.storage("cannot create --home \(folder.url.path): \(error.localizedDescription)")
        }
        return folder
    }

    /// Removes the folder if the demo made it.
    func cleanUp() {
        guard isTemporary else { return }
        try? FileManager.default.removeItem(at: url)
    }
}

/// A phase that failed, with the step it was on and why.
struct DemoFailure: Error, CustomStringConvertible, ExitClassified {
    /// The phase.
    let phase: String
    /// The step within it.
    let step: String
    /// The underlying error.
    let underlying: any Error

    var description: String { "demo phase '\(phase)' failed at step '\(step)': \(ErrorReporting.message(for: underlying))" }

    /// The underlying error's status (a protocol refusal is 1, storage 3).
    var exitStatus: ExitStatus { ErrorReporting.status(for: underlying) }
}

extension DemoData {
    /// The 30 feature columns of the Wisconsin Diagnostic Breast Cancer table, in file order.
    static let featureColumns: [String] = {
        let measures = [
            "radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity", "concave_points", "symmetry",
            "fractal_dimension",
        ]
        return measures.map { "mean_" + $0 } + measures.map { $0 + "_error" } + measures.map { "worst_" + $0 }
    }()

    /// The label column and its values (0 malignant, 1 benign).
    static let labelColumn = "diagnosis"
    static let labelNames = ["malignant", "benign"]

    /// A shard as the CSV a data owner uploads: a header of column names, then one row per
    /// biopsy with the diagnosis as a word.
    static func csv(_ rows: LabeledDataset) -> [UInt8] {
        var text = (featureColumns + [labelColumn]).joined(separator: ",") + "\n"
        for (features, label) in zip(rows.features, rows.labels) {
            let name = label >= 0 && Int(label) < labelNames.count ? labelNames[Int(label)] : "\(label)"
            text += features.map { "\($0)" }.joined(separator: ",") + "," + name + "\n"
        }
        return Array(text.utf8)
    }
}
