import ChainNode
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerCore
import Testing

/// `NodeAPI.StreamView` holds the chain's `PaymentStream` rather than a copy of its fields, and
/// writes its own JSON: the body must still be one flat object that fits the document's
/// `Stream` schema, carry exactly the stream's own keys plus the four computed at `now`, and
/// decode back to the view it was made from.
struct StreamViewCodingTests {
    @Test func aStreamViewIsOneFlatObjectOfTheStreamsKeysPlusTheFourComputedAtNow() async throws {
        let node = try await NodeFixture.node()
        let alice = NodeFixture.keys[0], bob = NodeFixture.keys[1]
        for amount: UInt256 in [600, 300] {
            _ = try node.chain.send(
                .openStream(payee: bob.address, token: NodeFixture.dmt, amount: amount, start: NodeFixture.start + 10, end: NodeFixture.start + 70),
                to: LedgerModule.self, from: alice)
        }
        // The second stream is cancelled, so it carries `cancelledAt` and the first does not.
        _ = try node.chain.send(.cancelStream(id: 2), to: LedgerModule.self, from: alice)
        let bytes = try #require(NodeServer.openAPIDocument())
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let check = SchemaCheck(document: document)
        let app = Application(router: NodeServer.router(for: node))
        let bodies = try await app.test(.router) { client in
            var bodies: [Data] = []
            for uri in ["/streams/1", "/streams/2"] {
                let r = try await client.execute(uri: uri, method: .get)
                #expect(r.status == .ok, "\(uri)")
                bodies.append(Data(r.body.readableBytesView))
            }
            return bodies
        }
        let computed: Set<String> = ["now", "vested", "claimable", "status"]
        for (id, body) in zip([UInt64(1), 2], bodies) {
            let stream = try #require(node.chain.state.ledger.streams[id])
            let json = try #require(JSONValue.parse(body))
            #expect(check.problems(json, ["$ref": "#/components/schemas/Stream"]).isEmpty, "stream \(id)")
            guard case .object(let fields) = json else {
                Issue.record("stream \(id): not a JSON object")
                continue
            }
            // The stream's own keys, as PaymentStream encodes itself, beside the computed four.
            let ownKeys = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(stream)) as? [String: Any]).keys
            #expect(Set(fields.keys) == Set(ownKeys).union(computed), "stream \(id)")
            #expect(Set(ownKeys).isDisjoint(with: computed))
            let view = try JSONDecoder().decode(NodeAPI.StreamView.self, from: body)
            #expect(view.stream == stream)
            #expect(view == NodeAPI.StreamView(stream, now: view.now))
            #expect(view.id == id && view.payee == bob.address && view.amount == stream.amount)
            // Written by the view itself and read back, nothing is lost or added.
            #expect(try JSONDecoder().decode(NodeAPI.StreamView.self, from: JSONEncoder().encode(view)) == view)
        }
        #expect(try JSONDecoder().decode(NodeAPI.StreamView.self, from: bodies[0]).cancelledAt == nil)
        #expect(try JSONDecoder().decode(NodeAPI.StreamView.self, from: bodies[1]).status == "cancelled")
    }

    @Test func aStreamViewMissingAStreamFieldOrAComputedFieldIsRefused() throws {
        let stream = try #require(try Self.openedStream())
        let whole = try JSONEncoder().encode(NodeAPI.StreamView(stream, now: NodeFixture.start + 30))
        #expect(try JSONDecoder().decode(NodeAPI.StreamView.self, from: whole).vested == 30)
        for missing in ["vested", "payer"] {
            var object = try #require(try JSONSerialization.jsonObject(with: whole) as? [String: Any])
            object[missing] = nil
            let broken = try JSONSerialization.data(withJSONObject: object)
            #expect(throws: DecodingError.self, "without \(missing)") { try JSONDecoder().decode(NodeAPI.StreamView.self, from: broken) }
        }
    }

    /// A chain's first stream, opened by the fixture's first key.
    static func openedStream() throws -> PaymentStream? {
        let chain = try NodeFixture.chain()
        _ = try chain.send(
            .openStream(payee: NodeFixture.keys[1].address, token: NodeFixture.dmt, amount: 60, start: NodeFixture.start, end: NodeFixture.start + 60),
            to: LedgerModule.self, from: NodeFixture.keys[0])
        return chain.state.ledger.streams[1]
    }
}
