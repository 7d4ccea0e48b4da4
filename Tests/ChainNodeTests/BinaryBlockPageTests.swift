import DataMarketTesting
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import LedgerCore
import Testing
@testable import ChainNode

/// The binary variant of `GET /blocks` (`Accept: application/octet-stream`): the same blocks as
/// the JSON page, as their framed canonical bytes; the same errors for bad ranges; and a
/// follower that refuses a cut-short or tampered page with the block's height and the reason.
@Suite struct BinaryBlockPageTests {
    static let binary: HTTPFields = [.accept: "application/octet-stream"]

    /// A leader with `count` blocks of one transfer each (heights 1...count), not building more.
    static func leaderChain(blocks count: Int) throws -> Chain {
        let chain = try NodeFixture.chain()
        let keys = NodeFixture.keys
        for nonce in 0..<count {
            try chain.submit(try NodeFixture.transfer(keys[1], to: keys[2].address, amount: UInt256(UInt64(nonce + 1)), nonce: UInt64(nonce)))
        }
        return chain
    }

    @Test func theBinaryPageIsTheJSONPagesCanonicalBytesLengthPrefixed() async throws {
        let node = try Node(chain: try Self.leaderChain(blocks: 5))
        let app = Application(router: NodeServer.router(for: node))
        try await app.test(.router) { client in
            for (from, to) in [(0, nil), (2, 4), (3, 3), (5, nil)] as [(Int, Int?)] {
                let query = "/blocks?from=\(from)" + (to.map { "&to=\($0)" } ?? "")
                let json = try await client.execute(uri: query, method: .get)
                let raw = try await client.execute(uri: query, method: .get, headers: Self.binary)
                #expect(json.status == .ok && raw.status == .ok)
                #expect(json.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(raw.headers[.contentType] == "application/octet-stream")
                let page = try JSONDecoder().decode(NodeAPI.BlockPage.self, from: Data(json.body.readableBytesView))
                // Built here from the JSON page's `encoded` fields: 4-byte big-endian length, then the bytes.
                var expected: [UInt8] = []
                for body in page.blocks {
                    let bytes = try Hex.decode(String(body.encoded.dropFirst(2)), field: "encoded")
                    let n = bytes.count
                    expected += [UInt8(n >> 24 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + bytes
                }
                #expect(Array(raw.body.readableBytesView) == expected, "\(query)")
                #expect(page.blocks.count == (to ?? 5) - from + 1, "\(query)")
                let decoded = try BinaryBlockPage.decode(Array(raw.body.readableBytesView), from: UInt64(from))
                #expect(decoded == (try node.chain.blocks(from: UInt64(from))).filter { to == nil || $0.height <= UInt64(to ?? 0) })
            }
            // Past the head: an empty binary page, as the JSON page has no blocks.
            let past = try await client.execute(uri: "/blocks?from=9", method: .get, headers: Self.binary)
            #expect(past.status == .ok)
            #expect(past.body.readableBytes == 0)
            // JSON stays the answer unless octet-stream is preferred.
            for accept in ["application/json, application/octet-stream", "*/*", "application/octet-stream;q=0.5, application/json"] {
                let r = try await client.execute(uri: "/blocks?from=0", method: .get, headers: [.accept: accept])
                #expect(r.headers[.contentType]?.hasPrefix("application/json") == true, "Accept: \(accept)")
            }
            let preferred = try await client.execute(
                uri: "/blocks?from=0", method: .get, headers: [.accept: "application/json;q=0.2, application/octet-stream"])
            #expect(preferred.headers[.contentType] == "application/octet-stream")
        }
    }

    @Test func badRangesAnswerTheSameTypedErrorsAsTheJSONPage() async throws {
        let node = try Node(chain: try Self.leaderChain(blocks: 2))
        let app = Application(router: NodeServer.router(for: node))
        try await app.test(.router) { client in
            for query in ["/blocks?from=5&to=1", "/blocks?from=x", "/blocks?to=-1", "/blocks?from=18446744073709551616"] {
                let json = try await client.execute(uri: query, method: .get)
                let raw = try await client.execute(uri: query, method: .get, headers: Self.binary)
                #expect(json.status == .badRequest, "\(query)")
                #expect(raw.status == json.status, "\(query)")
                #expect(raw.headers[.contentType]?.hasPrefix("application/json") == true, "\(query)")
                let error = try JSONDecoder().decode(NodeAPI.ErrorBody.self, from: Data(raw.body.readableBytesView))
                #expect(error == (try JSONDecoder().decode(NodeAPI.ErrorBody.self, from: Data(json.body.readableBytesView))), "\(query)")
                #expect(error.detail.contains(query.contains("to=") ? "to" : "from"), "\(query): \(error.detail)")
            }
        }
    }

    @Test func aPageCutShortOrOutOfOrderIsRefusedNamingTheBlock() throws {
        let blocks = try Self.leaderChain(blocks: 3).blocks(from: 1)
        let page = BinaryBlockPage.encode(blocks)
        #expect(try BinaryBlockPage.decode(page, from: 1) == blocks)
        #expect(try BinaryBlockPage.decode([], from: 1).isEmpty)
        let third = BinaryBlockPage.encode(Array(blocks.prefix(2))).count
        // Cut inside block 3's encoding, inside its length prefix, and a page starting elsewhere.
        for (bytes, from, height, reason) in [
            (Array(page.dropLast(7)), UInt64(1), UInt64(3), "-byte encoding"), (Array(page.prefix(third + 2)), 1, 3, "length prefix"),
            (page, 2, 2, "hold block 1"),
        ] as [([UInt8], UInt64, UInt64, String)] {
            do {
                _ = try BinaryBlockPage.decode(bytes, from: from)
                Issue.record("a bad page decoded")
            } catch {
                guard case .badBlock(let h, let why) = error else { Issue.record("\(error)"); continue }
                #expect(h == height)
                #expect(why.contains(reason), "\(why)")
            }
        }
    }

    /// A fake leader serving `served` (already framed) for every `GET /blocks?from=H`, from H on.
    static func fakeLeader(genesis: GenesisConfig, pages: @escaping @Sendable (UInt64) -> [UInt8]) async throws -> (Task<Void, any Error>, RemoteNode) {
        let router = Router()
        router.get("/genesis") { _, _ in NodeServer.json(genesis) }
        router.get("/blocks") { request, _ in
            let from = request.uri.queryParameters.get("from").flatMap(UInt64.init) ?? 0
            return Response(
                status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: pages(from))))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) })
        let (server, port) = try await FollowerTests.serve(app, ports: ports)
        return (server, RemoteNode(base: try #require(URL(string: "http://127.0.0.1:\(port)"))))
    }

    @Test(arguments: ["truncated", "tampered"])
    func aFollowerRefusesABadBinaryPageWithTheHeightAndReason(_ damage: String) async throws {
        let honest = try Self.leaderChain(blocks: 4)
        let blocks = try honest.blocks(from: 0)
        let genesis = honest.genesis
        let (server, remote) = try await Self.fakeLeader(genesis: genesis) { from in
            var page = BinaryBlockPage.encode(blocks.filter { $0.height >= from })
            guard from <= 3 else { return page }
            if damage == "truncated" {
                page.removeLast(5)  // block 4 cut short
            } else {
                // One byte of block 3's transaction signature flipped: its hash, hence the root, changes.
                let offset = BinaryBlockPage.encode(blocks.filter { $0.height >= from && $0.height < 3 }).count
                let encoded = blocks[3].encoded
                let tx = blocks[3].transactions[0].encoded
                let at = Self.index(of: tx, in: encoded) ?? 0
                page[offset + 4 + at + tx.count - 10] ^= 0x01
            }
            return page
        }
        defer { server.cancel() }
        let follower = try Node(following: remote, chain: try NodeFixture.chain())
        await follower.startFollowing()
        #expect(await eventually { await follower.followStatus?.refusedHeight != nil })
        let status = await follower.followStatus
        let refused: UInt64 = damage == "truncated" ? 4 : 3
        #expect(status?.refusedHeight == refused)
        let reason = status?.refusal ?? ""
        #expect(reason.contains(damage == "truncated" ? "the page ends" : "do not decode"), "\(reason)")
        // The page is refused whole: nothing from it is applied.
        #expect(follower.chain.height < refused)
        #expect(await follower.head < refused)
        #expect(try follower.chain.stateHash() != (try honest.stateHash()))
        await follower.stop()
    }

    static func index(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<$0 + needle.count]) == needle }
    }
}
