import ChainNode
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerCore
import Testing

/// The served OpenAPI document describes the node: every operation answers, with junk path
/// parameters and an empty body, one of the statuses the document lists for it, and never a 5xx.
struct OpenAPIDocumentTests {
    @Test func everyDocumentedOperationAnswersADocumentedStatusForJunkInput() async throws {
        let node = try await NodeFixture.node()
        let app = Application(router: NodeServer.router(for: node))
        try await app.test(.router) { client in
            let r = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(r.status.code == 200)
            let document = NodeFixture.object(r.body)
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            #expect(paths.count >= 23)
            for (path, operations) in paths.sorted(by: { $0.key < $1.key }) {
                for (method, value) in operations {
                    let operation = try #require(value as? [String: Any])
                    let documented = Set((operation["responses"] as? [String: Any] ?? [:]).keys.compactMap(Int.init))
                    var uri = path.replacingOccurrences(of: "{hash}", with: "0x00")
                        .replacingOccurrences(of: "{address}", with: "nope").replacingOccurrences(of: "{height}", with: "999")
                        .replacingOccurrences(of: "{id}", with: "999")
                    if path == "/stream" { uri += "?to=0" }
                    let answer = try await client.execute(
                        uri: uri, method: method == "post" ? .post : .get, body: method == "post" ? ByteBuffer(string: "{}") : nil)
                    let status = Int(answer.status.code)
                    #expect(status < 500, "\(method) \(uri): \(status)")
                    #expect(documented.contains(status), "\(method) \(uri) answered \(status), documented \(documented.sorted())")
                }
            }
        }
        await node.stop()
    }
}
