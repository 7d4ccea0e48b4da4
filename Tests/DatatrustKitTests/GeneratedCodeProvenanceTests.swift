import CSodium
import Foundation
import Testing

/// The generated HTTP code (Sources/DatatrustKit/Generated) is what scripts/generate-openapi.sh
/// makes from the committed document: each file's header records the SHA-256 of the document
/// it came from and of its own body, so editing the document without regenerating, or editing
/// the generated code by hand, fails here.
@Suite struct GeneratedCodeProvenanceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let document = root.appendingPathComponent("Sources/DatatrustKit/Resources/openapi.json")
    static let folder = root.appendingPathComponent("Sources/DatatrustKit/Generated")
    /// Every generated file (Types*, Server, Client).
    static let generated: [URL] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".swift") }.sorted().map { folder.appendingPathComponent($0) }

    @Test func theGeneratedFolderHoldsTypesServerAndClient() {
        let names = Set(Self.generated.map(\.lastPathComponent))
        #expect(names.isSuperset(of: ["Types.swift", "Server.swift", "Client.swift"]), "\(names.sorted())")
    }

    /// The four header lines and the body after them.
    func header(_ file: URL) throws -> (lines: [String], body: Data) {
        let data = try Data(contentsOf: file)
        var lines: [String] = []
        var offset = data.startIndex
        for _ in 0..<4 {
            guard let newline = data[offset...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            lines.append(String(decoding: data[offset..<newline], as: UTF8.self))
            offset = newline + 1
        }
        return (lines, data[offset...])
    }

    @Test(arguments: generated)
    func generatedFileCameFromTheCommittedDocument(_ file: URL) throws {
        let (lines, _) = try header(file)
        #expect(lines.count == 4)
        #expect(lines[1] == "// spec-sha256: \(sha256Hex(try Data(contentsOf: Self.document)))", "\(file.lastPathComponent): regenerate with scripts/generate-openapi.sh DatatrustKit")
        #expect(lines[2] == "// generator: swift-openapi-generator 1.14.3", "\(lines[2])")
    }

    @Test(arguments: generated)
    func generatedBodyIsUnedited(_ file: URL) throws {
        let (lines, body) = try header(file)
        #expect(lines.count == 4)
        #expect(lines.last == "// body-sha256: \(sha256Hex(body))", "\(file.lastPathComponent) was edited by hand")
    }
}

/// SHA-256 (libsodium) as lowercase hex.
private func sha256Hex(_ data: Data) -> String {
    var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
    let bytes = [UInt8](data)
    _ = crypto_hash_sha256(&digest, bytes, UInt64(bytes.count))
    return digest.map { String(format: "%02x", $0) }.joined()
}
