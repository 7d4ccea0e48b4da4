import DataMarketTesting
import Foundation
import Testing

/// The generated HTTP code (Sources/DatatrustKit/Generated) is what scripts/generate-openapi.sh
/// makes from the committed document: each file's header records the SHA-256 of the document
/// it came from and of its own body, so editing the document without regenerating, or editing
/// the generated code by hand, fails here.
@Suite struct GeneratedCodeProvenanceTests {
    static let document = PackageRoot.file("Sources/DatatrustKit/Resources/openapi.json")
    static let folder = PackageRoot.file("Sources/DatatrustKit/Generated")
    /// Every generated file (Types*, Server, Client).
    static let generated: [URL] = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".swift") }.sorted().map { folder.appendingPathComponent($0) }

    @Test func theGeneratedFolderHoldsTypesServerAndClient() {
        let names = Set(Self.generated.map(\.lastPathComponent))
        #expect(names.isSuperset(of: ["Types.swift", "Server.swift", "Client.swift"]), "\(names.sorted())")
    }

    @Test(arguments: generated)
    func generatedFileCameFromTheCommittedDocument(_ file: URL) throws {
        let lines = try ProvenanceHeader(file: file).lines
        #expect(lines.count == 4)
        #expect(lines.dropFirst().first == "// spec-sha256: \(sha256Hex(try Data(contentsOf: Self.document)))",
                "\(file.lastPathComponent): regenerate with scripts/generate-openapi.sh DatatrustKit")
        #expect(lines.dropFirst(2).first == "// generator: swift-openapi-generator 1.14.3", "\(lines)")
    }

    @Test(arguments: generated)
    func generatedBodyIsUnedited(_ file: URL) throws {
        let header = try ProvenanceHeader(file: file)
        #expect(header.lines.count == 4)
        #expect(header.bodyIsUnedited, "\(file.lastPathComponent) was edited by hand")
    }
}
