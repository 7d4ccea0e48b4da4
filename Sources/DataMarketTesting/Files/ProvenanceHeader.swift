public import Foundation
internal import SodiumSupport

/// The header a generator script writes at the top of a generated file, and the body after it.
///
/// The project's generator scripts (`scripts/generate-openapi.sh`, `scripts/generate-onnx-proto.sh`)
/// start each file with four comment lines: what made it, where the input came from (with the
/// input's SHA-256), the generator's version, and `// body-sha256: <hex>` over the bytes after
/// the header. A test reads the header and checks that the body is unedited and the input is
/// the committed one.
public struct ProvenanceHeader: Sendable {
    /// The file's name (its last path component).
    public let name: String
    /// The header lines, without their newlines (fewer than asked when the file is shorter).
    public let lines: [String]
    /// The bytes after the header.
    public let body: Data

    /// Reads the first `headerLines` lines of `file` as its header.
    public init(file: URL, headerLines: Int = 4) throws {
        let data = try Data(contentsOf: file)
        var lines: [String] = []
        var offset = data.startIndex
        for _ in 0..<headerLines {
            guard let newline = data[offset...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            lines.append(String(decoding: data[offset..<newline], as: UTF8.self))
            offset = newline + 1
        }
        name = file.lastPathComponent
        self.lines = lines
        body = Data(data[offset...])
    }

    /// Every `.swift` file directly in `folder`, by name, with its header.
    public static func swiftFiles(in folder: URL, headerLines: Int = 4) throws -> [ProvenanceHeader] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }.sorted()
            .map { try ProvenanceHeader(file: folder.appendingPathComponent($0), headerLines: headerLines) }
    }

    /// The SHA-256 the header records for the body (the text after `// body-sha256: ` on the
    /// last header line), or nil when there is no such line.
    public var recordedBodyHash: String? {
        guard let last = lines.last, last.hasPrefix("// body-sha256: ") else { return nil }
        return String(last.dropFirst("// body-sha256: ".count))
    }

    /// The SHA-256 of the body as it is now, lowercase hex.
    public var bodyHash: String { sha256Hex(body) }

    /// Whether the body is what the generator wrote: its hash is the recorded one.
    public var bodyIsUnedited: Bool { recordedBodyHash == bodyHash }
}

/// SHA-256 of `data` as lowercase hex.
public func sha256Hex(_ data: Data) -> String {
    Sodium.sha256([UInt8](data)).map { String(format: "%02x", $0) }.joined()
}
