import DataMarketTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import DatatrustKit
import LedgerCore
import MarketKit
import Testing

/// ADD_DATAPOINT with a declared dataHash streams past the request-body limit up to the
/// market's maximum; what does not hash to the declaration, does not fit the schema or is too
/// large is refused with nothing stored.
@Suite struct StreamingDatapointTests {
    func liveApp(_ f: Fixture) -> some ApplicationProtocol {
        Application(router: DatatrustServer.router(for: f.datatrust), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// Nothing in the vault: no object, no temporary file.
    func vaultIsEmpty(_ f: Fixture) throws -> Bool {
        try f.datatrust.vault.storedHashes().isEmpty && f.datatrust.vault.partFiles().isEmpty
    }

    @Test func aDeclaredUploadMayExceedTheBodyLimitAndRoundTrips() async throws {
        let f = try Fixture(maxBody: 4096); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 2000, seed: 11)
        #expect(data.count > 4096 * 10)
        try await f.asOwner(listing: data) { client, token in
            // Undeclared, the body limit holds.
            #expect(try await client.call(.post, "/markets/heart/datapoints", token: token, body: data).status == 413)
            let added = try await client.call(.post, "/markets/heart/datapoints?dataHash=\(Keccak256.hash(data).hex)", token: token, body: data)
            #expect(added.status == 201, "\(errorDetail(added.body))")
            #expect(try decode(AddResult.self, added.body).rows == 2000)
            let back = try await client.call(.get, "/markets/heart/datapoints/\(Keccak256.hash(data).hex)", token: token)
            #expect(back.status == 200)
            #expect(back.body == data)
        }
    }

    @Test func bytesThatDoNotHashToTheDeclaredHashAreRefusedAfterTheLastByteWithNothingStored() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let declared = Fixture.csv(rows: 50, seed: 12)
        // Valid rows too, one more than declared: only the hash tells them apart.
        let sent = declared + Array("40,200.5,true,benign,\n".utf8)
        try await f.asOwner(listing: declared) { client, token in
            let r = try await client.call(.post, "/markets/heart/datapoints?dataHash=\(Keccak256.hash(declared).hex)", token: token, body: sent)
            #expect(r.status == 422)
            #expect(errorDetail(r.body).contains("expected the declared \(Keccak256.hash(declared).hex); nothing was stored"), "\(errorDetail(r.body))")
            // The right bytes are accepted afterwards.
            let ok = try await client.call(.post, "/markets/heart/datapoints?dataHash=\(Keccak256.hash(declared).hex)", token: token, body: declared)
            #expect(ok.status == 201)
        }
        #expect(try f.datatrust.vault.storedHashes() == [Keccak256.hash(declared)])
        #expect(f.datatrust.vault.partFiles().isEmpty)
        #expect(await f.chain.attestations == [Keccak256.hash(declared)])
    }

    @Test func anUnlistedDeclaredHashIsRefusedBeforeTheBody() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 3, seed: 13)
        try await f.app.test(.router) { client in
            let token = try await client.login(f.owner)
            let r = try await client.call(.post, "/markets/heart/datapoints?dataHash=\(Keccak256.hash(data).hex)", token: token, body: data)
            #expect(r.status == 403)
            let bad = try await client.call(.post, "/markets/heart/datapoints?dataHash=0x12", token: token, body: data)
            #expect(bad.status == 400)
        }
        #expect(try vaultIsEmpty(f))
    }

    @Test func aStreamedRowThatBreaksTheSchemaNamesRowAndColumnAndStoresNothing() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        var text = String(decoding: Fixture.csv(rows: 3000, seed: 14), as: UTF8.self)
        text += "44,abc,true,benign,\n"
        let data = Array(text.utf8)
        try await f.asOwner(listing: data) { client, token in
            let r = try await client.call(.post, "/markets/heart/datapoints?dataHash=\(Keccak256.hash(data).hex)", token: token, body: data)
            #expect(r.status == 422)
            #expect(errorDetail(r.body) == "row 3001, column chol: \"abc\" is not a number")
        }
        #expect(try vaultIsEmpty(f))
        #expect(await f.chain.attestations.isEmpty)
    }

    @Test func aDeclaredSizeOverTheMarketMaximumIs413BeforeTheBodyIsRead() async throws {
        let small = MarketConfiguration(market: try MarketID("small"), schema: Fixture.heartSchema, maxDatapointBytes: 1000)
        let f = try Fixture(extraMarkets: [small]); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 3, seed: 15)
        await f.list(data, market: small.market, by: f.owner)
        try await liveApp(f).test(.live) { client in
            let port = try #require(client.port)
            let token = try await client.login(f.owner)
            // Five GiB announced, one KiB sent: the answer comes at once and the connection is
            // closed instead of being drained (the raw client would otherwise wait 10 s).
            let started = Date()
            let r = try await RawHTTP.send(port: port, from: "127.0.0.1",
                                           head: "POST /markets/small/datapoints?dataHash=\(Keccak256.hash(data).hex) HTTP/1.1\r\nAuthorization: Bearer \(token)\r\nContent-Length: \(5 << 30)",
                                           body: [UInt8](repeating: 0x41, count: 1024))
            #expect(r.status == 413)
            #expect(r.body.contains("payload_too_large") && r.body.contains("expected at most 1000"), "\(r.body)")
            #expect(Date().timeIntervalSince(started) < 5)
            // A chunked body with no length is cut off at the limit.
            var body: [UInt8] = []
            for _ in 0..<4 { body += Array("1f4\r\n".utf8) + [UInt8](repeating: 0x41, count: 500) + Array("\r\n".utf8) }
            body += Array("0\r\n\r\n".utf8)
            let chunked = try await RawHTTP.send(port: port, from: "127.0.0.1",
                                                 head: "POST /markets/small/datapoints?dataHash=\(Keccak256.hash(data).hex) HTTP/1.1\r\nAuthorization: Bearer \(token)\r\nTransfer-Encoding: chunked",
                                                 body: body)
            #expect(chunked.status == 413)
        }
        #expect(try vaultIsEmpty(f))
    }
}

@Suite struct RowStreamTests {
    /// Feeding a datapoint in pieces of every size gives the rows parsing it whole gives.
    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func piecesOfAnySizeGiveTheSameRows(piece: Int) throws {
        let text = "age,chol,smoker,diagnosis,note\r\n40,,true,benign,\"a, \"\"quoted\"\"\r\nnote\"\r\n41,199.5,0,malignant,\n42,1,1,benign,x"
        let bytes = Array(text.utf8)
        let whole = try RowParser.parse(bytes, schema: Fixture.heartSchema)
        var stream = RowStream(schema: Fixture.heartSchema)
        var rows: [[SQLValue]] = []
        var at = 0
        while at < bytes.count {
            let end = min(at + piece, bytes.count)
            try bytes[at..<end].withUnsafeBytes { b in try stream.feed(b) { rows.append($0) } }
            at = end
        }
        try stream.finish { rows.append($0) }
        #expect(rows == whole)
        #expect(rows.count == 3)
        #expect(rows[0][4] == .text("a, \"quoted\"\r\nnote"))
    }

    /// Rows whose quotes, commas and line ends fall at every offset of a 16-byte block (the
    /// width the scan compares at once), fed whole, in 64 KiB pieces with a 1-byte last piece,
    /// and byte by byte: the same rows, and the same row and column for a bad value.
    @Test func separatorsAtEveryOffsetOfAScanBlockGiveTheSameRowsInAnyPieces() throws {
        var text = "age,chol,smoker,diagnosis,note\r\n"
        for i in 0..<3000 {
            let note = String(repeating: "n", count: i % 37)
            let quoted = i % 5 == 0 ? "\"q,\"\"\(String(repeating: "x", count: i % 19))\n\"" : note
            text += "\(20 + i % 60),\(i % 2 == 0 ? "" : "\(150 + i % 17).5"),\(i % 3 == 0 ? "true" : "0"),benign,\(String(quoted.prefix(64)))\(i % 4 == 0 ? "\r\n" : "\n")"
        }
        let bytes = Array(text.utf8)
        let whole = try RowParser.parse(bytes, schema: Fixture.heartSchema)
        #expect(whole.count == 3000)
        #expect(whole[5][4] == .text("q,\"xxxxx\n"))
        for pieces in [[65_536], [1]] {
            var stream = RowStream(schema: Fixture.heartSchema)
            var rows: [[SQLValue]] = []
            var at = 0
            while at < bytes.count {
                // The last piece is one byte whatever the piece size.
                let end = at == bytes.count - 1 ? bytes.count : min(at + pieces[0], bytes.count - 1)
                try bytes[at..<end].withUnsafeBytes { b in try stream.feed(b) { rows.append($0) } }
                at = end
            }
            try stream.finish { rows.append($0) }
            #expect(rows == whole, "pieces of \(pieces[0])")
        }
        // A quote inside an unquoted field, 16 bytes into a long note on row 2999.
        var bad = bytes
        let lastRow = try #require(text.range(of: "\n", options: .backwards, range: text.startIndex..<text.index(before: text.endIndex)))
        let lineStart = text.utf8.distance(from: text.startIndex, to: lastRow.upperBound)
        bad.insert(contentsOf: Array(",,true,benign,abcdefghijklmnop\"q\n".utf8), at: lineStart)
        bad.insert(contentsOf: Array("30".utf8), at: lineStart)
        let lines = text.utf8.filter { $0 == 0x0A }.count
        #expect(throws: DatatrustError.unprocessable("line \(lines): a quote inside an unquoted field; expected the whole field in quotes")) {
            try RowParser.parse(bad, schema: Fixture.heartSchema)
        }
        // An out-of-range value after long runs names its row and column.
        let outOfRange = Array("age,chol,smoker,diagnosis,note\n20,,1,benign,\(String(repeating: "z", count: 40))\n121,,1,benign,\(String(repeating: "z", count: 33))\n".utf8)
        #expect(throws: DatatrustError.unprocessable("row 2, column age: 121.0 is above the maximum 120.0")) {
            try RowParser.parse(outOfRange, schema: Fixture.heartSchema)
        }
    }

    @Test func invalidUTF8NamesTheRowAndColumn() {
        let bytes = Array("age,chol,smoker,diagnosis,note\n40,1,true,benign,ok\n41,1,true,benign,".utf8) + [0xFF, 0x0A]
        #expect(throws: DatatrustError.unprocessable("row 2, column note: not valid UTF-8; expected csv text")) {
            try RowParser.parse(bytes, schema: Fixture.heartSchema)
        }
    }

    @Test func jsonLinesSplitAcrossPiecesParse() throws {
        var schema = Fixture.heartSchema
        schema.format = .jsonl
        let bytes = Array("{\"age\": 40, \"smoker\": true, \"diagnosis\": \"benign\"}\r\n\n{\"age\": 41, \"smoker\": false, \"diagnosis\": \"malignant\"}".utf8)
        var stream = RowStream(schema: schema)
        for i in bytes.indices { try bytes[i...i].withUnsafeBytes { b in try stream.feed(b) } }
        #expect(try stream.finish() == 2)
    }
}
