import Foundation
import SodiumSupport
import SwiftProtobuf
import Testing

/// The generated protobuf code is what scripts/generate-onnx-proto.sh makes: its header
/// records the generator version (which must be the SwiftProtobuf runtime's) and the SHA-256
/// of the body, so a hand edit or a runtime upgrade without regenerating fails here.
@Suite struct ProtoProvenanceTests {
    private static let file = Paths.root.appendingPathComponent("Sources/ONNXKit/Proto/onnx-ml.pb.swift")

    private func header() throws -> (lines: [String], body: Data) {
        let data = try Data(contentsOf: Self.file)
        var lines: [String] = []
        var offset = 0
        for _ in 0..<4 {
            guard let newline = data[offset...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            lines.append(String(decoding: data[offset..<newline], as: UTF8.self))
            offset = newline + 1
        }
        return (lines, data[offset...])
    }

    @Test func generatorVersionMatchesTheLinkedSwiftProtobufRuntime() throws {
        let (lines, _) = try header()
        #expect(lines.count == 4)
        #expect(lines[2].hasSuffix("protoc-gen-swift \(SwiftProtobuf.Version.versionString)"), "\(lines[2])")
        #expect(lines[1].contains("onnx-ml.proto from the onnx 1.23.2 wheel, sha256 "))
    }

    @Test func generatedBodyIsUnedited() throws {
        let (lines, body) = try header()
        let recorded = lines[3].replacingOccurrences(of: "// body-sha256: ", with: "")
        #expect(sha256Hex(body) == recorded)
    }
}

/// SHA-256 (libsodium) as lowercase hex.
private func sha256Hex(_ data: Data) -> String {
    Sodium.sha256([UInt8](data)).map { String(format: "%02x", $0) }.joined()
}
