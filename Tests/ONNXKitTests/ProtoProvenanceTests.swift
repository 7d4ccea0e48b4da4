import DataMarketTesting
import Foundation
import SwiftProtobuf
import Testing

/// The generated protobuf code is what scripts/generate-onnx-proto.sh makes: its header
/// records the generator version (which must be the SwiftProtobuf runtime's) and the SHA-256
/// of the body, so a hand edit or a runtime upgrade without regenerating fails here.
@Suite struct ProtoProvenanceTests {
    private static let file = PackageRoot.file("Sources/ONNXKit/Proto/onnx-ml.pb.swift")

    @Test func generatorVersionMatchesTheLinkedSwiftProtobufRuntime() throws {
        let lines = try ProvenanceHeader(file: Self.file).lines
        #expect(lines.count == 4)
        #expect(lines.dropFirst(2).first?.hasSuffix("protoc-gen-swift \(SwiftProtobuf.Version.versionString)") == true, "\(lines)")
        #expect(lines.dropFirst().first?.contains("onnx-ml.proto from the onnx 1.23.2 wheel, sha256 ") == true)
    }

    @Test func generatedBodyIsUnedited() throws {
        let header = try ProvenanceHeader(file: Self.file)
        #expect(header.bodyIsUnedited, "recorded \(header.recordedBodyHash ?? "none"), now \(header.bodyHash)")
    }
}
