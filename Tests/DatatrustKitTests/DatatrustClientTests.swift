import DataMarketTesting
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import DatatrustKit
import LedgerCore
import MarketKit
import Testing

/// The generated client over async-http-client against a live server on loopback: datapoints
/// stream from and to files byte-exact, and every refusal arrives as the server's DatatrustError.
@Suite struct DatatrustClientTests {
    func liveApp(_ f: Fixture) -> some ApplicationProtocol {
        Application(router: DatatrustServer.router(for: f.datatrust), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// Serves `f`'s datatrust live on a loopback port and runs `body` with a client of it (logged
    /// in as the owner unless `loggedIn` is false) and the port.
    func withLiveClient(_ f: Fixture, loggedIn: Bool = true, _ body: @escaping @Sendable (inout DatatrustClient, Int) async throws -> Void) async throws {
        try await liveApp(f).test(.live) { http in
            let port = try #require(http.port)
            var client = DatatrustClient(baseURL: try #require(URL(string: "http://127.0.0.1:\(port)")))
            if loggedIn { try await client.login(with: f.owner) }
            try await body(&client, port)
        }
    }

    @Test func aFileStreamsUpAndDownByteExactAcrossChunkBoundaries() async throws {
        let f = try Fixture(maxBody: 4096); defer { f.folder.cleanup() }
        // Larger than the body limit and than two client chunks, and not a multiple of either.
        let rows = Fixture.csv(rows: 100_000, seed: 31)
        let data = rows.count % DatatrustClient.chunkBytes == 0 ? rows + Array("30,200.5,true,benign,\n".utf8) : rows
        #expect(data.count > 2 * DatatrustClient.chunkBytes)
        await f.list(data, by: f.owner)
        let source = f.folder.url.appendingPathComponent("up.csv")
        try Data(data).write(to: source)
        let hash = Keccak256.hash(data)
        let local = try DatatrustClient.hash(file: source)
        #expect(local.hash == hash && local.size == Int64(data.count))
        try await withLiveClient(f) { client, _ in
            let progress = ProgressLog()
            let added = try await client.addDatapoint(file: source, market: "heart") { sent, total in progress.record(sent, total) }
            #expect(added.dataHash == hash && added.rows == (data.count == rows.count ? 100_000 : 100_001) && added.size == Int64(data.count))
            #expect(progress.last?.0 == Int64(data.count) && progress.last?.1 == Int64(data.count))
            let back = f.folder.url.appendingPathComponent("down.csv")
            var verified: Int64 = 0
            let size = try await client.getDatapoint(market: "heart", dataHash: hash, to: back) { verified = $0 }
            #expect(size == Int64(data.count) && verified == size)
            #expect(try Data(contentsOf: back) == Data(data))
            #expect(try await client.getDatapoint(market: "heart", dataHash: hash) == data)
        }
    }

    /// A datapoint of one client chunk and one byte: the body's last piece is a single byte,
    /// which still reaches the schema check, the hash and the vault's final chunk.
    @Test func aBodyWhoseLastPieceIsOneByteIsStoredWhole() async throws {
        let f = try Fixture(maxBody: 4096); defer { f.folder.cleanup() }
        let target = DatatrustClient.chunkBytes + 1
        var text = "age,chol,smoker,diagnosis,note\n"
        while target - text.utf8.count > 17 + 64 { text += "40,,true,benign,\(String(repeating: "n", count: 40))\n" }
        text += "41,,true,benign,\(String(repeating: "m", count: target - text.utf8.count - 17))\n"
        let data = Array(text.utf8)
        #expect(data.count == target)
        await f.list(data, by: f.owner)
        let source = f.folder.url.appendingPathComponent("one-more.csv")
        try Data(data).write(to: source)
        try await withLiveClient(f) { client, _ in
            let added = try await client.addDatapoint(file: source, market: "heart", dataHash: Keccak256.hash(data))
            #expect(added.size == Int64(target) && added.rows == data.filter { $0 == 0x0A }.count - 1)
            let back = f.folder.url.appendingPathComponent("one-more-back.csv")
            #expect(try await client.getDatapoint(market: "heart", dataHash: added.dataHash, to: back) == Int64(target))
            #expect(try Data(contentsOf: back) == Data(data))
        }
        #expect(f.datatrust.vault.partFiles().isEmpty)
    }

    @Test func refusalsArriveAsTheServersErrorsAndLeaveNoFileBehind() async throws {
        let f = try Fixture(); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 10, seed: 32)
        try await withLiveClient(f, loggedIn: false) { client, _ in
            // Not logged in: 401 from the server, as the typed error.
            let anonymous = await refusal { () async throws(DatatrustError) in _ = try await client.addDatapoint(data, market: "heart") }
            #expect(anonymous.map(DatatrustServer.status(for:)) == 401 && anonymous?.code == "unauthenticated", "\(String(describing: anonymous))")
            try await client.login(with: f.owner)
            // Unlisted: 403 naming the hash.
            let unlisted = await refusal { () async throws(DatatrustError) in _ = try await client.addDatapoint(data, market: "heart") }
            #expect(unlisted.map(DatatrustServer.status(for:)) == 403 && unlisted?.detail.contains("neither applied for nor listed") == true, "\(String(describing: unlisted))")
            // A missing datapoint: 404, and the destination is neither created nor left as a part file.
            let target = f.folder.url.appendingPathComponent("missing.csv")
            let missing = await refusal { () async throws(DatatrustError) in _ = try await client.getDatapoint(market: "heart", dataHash: Keccak256.hash(data), to: target) }
            #expect(missing.map(DatatrustServer.status(for:)) == 404, "\(String(describing: missing))")
            let left = try FileManager.default.contentsOfDirectory(atPath: f.folder.url.path).filter { $0.contains("missing") }
            #expect(left.isEmpty, "\(left)")
            #expect(try await client.markets().map(\.market.slug) == ["heart", "open"])
        }
        // Nothing listening: an internal failure naming the server, not a crash or a hang.
        let nowhere = DatatrustClient(baseURL: try #require(URL(string: "http://127.0.0.1:9")))
        let started = Date()
        let unreachable = await refusal { () async throws(DatatrustError) in _ = try await nowhere.markets() }
        // Refused connections are not retried until the call's one-minute deadline.
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(unreachable?.code == "internal_error" && unreachable?.detail.contains("127.0.0.1:9") == true, "\(String(describing: unreachable))")
    }

    /// GET_DATAPOINT is served without the server's own Keccak pass (the vault's chunk cipher
    /// authenticates every chunk and the end); a stored file damaged after the first response chunk, or cut at
    /// a chunk boundary so that every chunk left authenticates, ends the response short: the
    /// client reports the typed integrity error and writes nothing, and on the wire the body is
    /// shorter than its Content-Length with the connection closed, never a short body passed off as whole.
    @Test(arguments: ["tampered", "truncated"])
    func aDamagedFileCutsTheDownloadShortAndTheClientRefusesIt(damage: String) async throws {
        let f = try Fixture(maxBody: 8 << 20); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 120_000, seed: 33)
        let version = VaultFileFormat.Version.current
        let vaultChunk = 65_536, stored = vaultChunk + version.chunkOverhead, header = version.headerBytes
        #expect(data.count > 32 * vaultChunk)
        let hash = Keccak256.hash(data)
        await f.list(data, by: f.owner)
        try await withLiveClient(f) { client, port in
            _ = try await client.addDatapoint(data, market: "heart")
            let file = URL(fileURLWithPath: f.datatrust.vault.path(for: hash).file)
            var bytes = try Data(contentsOf: file)
            if damage == "tampered" {
                bytes[header + 20 * stored + 1000] ^= 0x01  // in chunk 20, after the first 1 MiB response chunk
            } else {
                bytes = bytes.prefix(header + 30 * stored)  // 30 whole chunks, no final tag
            }
            try bytes.write(to: file)

            let target = f.folder.url.appendingPathComponent("back.csv")
            let refused = await refusal { () async throws(DatatrustError) in _ = try await client.getDatapoint(market: "heart", dataHash: hash, to: target) }
            #expect(refused?.code == "integrity_error", "\(String(describing: refused))")
            #expect(refused?.detail.contains("the response ended after") == true && refused?.detail.contains("of \(data.count) bytes") == true,
                    "\(String(describing: refused))")
            #expect(!FileManager.default.fileExists(atPath: target.path))
            let parts = try FileManager.default.contentsOfDirectory(atPath: f.folder.url.path).filter { $0.hasSuffix(".part") }
            #expect(parts.isEmpty, "\(parts)")
            let inMemory = await refusal { () async throws(DatatrustError) in _ = try await client.getDatapoint(market: "heart", dataHash: hash) }
            #expect(inMemory?.code == "integrity_error", "\(String(describing: inMemory))")

            let token = try #require(client.token)
            let raw = try await RawHTTP.send(port: port, from: "127.0.0.1", head: "GET /markets/heart/datapoints/\(hash.hex) HTTP/1.1\r\nAuthorization: Bearer \(token)")
            #expect(raw.status == 200)
            #expect(raw.body.utf8.count >= 16 * vaultChunk && raw.body.utf8.count < data.count, "\(raw.body.utf8.count) of \(data.count) bytes")
        }
    }

    /// Who checks Keccak-256: a file that authenticates but holds other bytes (rewrapped for
    /// another dataHash, which takes the master key) is streamed by GET_DATAPOINT, whose client
    /// refuses it by its hash and keeps no file, while the server's internal reads refuse it too.
    @Test func aFileRewrappedUnderAnotherHashIsRefusedByTheClientsHashAndByInternalReads() async throws {
        let f = try Fixture(maxBody: 8 << 20); defer { f.folder.cleanup() }
        let data = Fixture.csv(rows: 20_000, seed: 34)
        var changed = data
        changed[changed.count / 2] ^= 0x01
        let other = changed
        let hash = Keccak256.hash(data), otherHash = Keccak256.hash(other)
        await f.list(data, by: f.owner)
        try await withLiveClient(f) { client, _ in
            _ = try await client.addDatapoint(data, market: "heart")
            // The other bytes' file, its key rewrapped for `hash`, in place of the datapoint's file.
            let vault = f.datatrust.vault
            try vault.put(other)
            var file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: vault.path(for: otherHash).file)))
            let (_, key) = try VaultFileFormat.unwrap(header: Array(file[0..<VaultFileFormat.wrapHeaderBytes]), master: vault.masterKey, hash: otherHash)
            file.replaceSubrange(0..<VaultFileFormat.wrapHeaderBytes, with: try VaultFileFormat.wrapHeader(dataKey: key, master: vault.masterKey, hash: hash))
            try Data(file).write(to: URL(fileURLWithPath: vault.path(for: hash).file))
            try vault.remove(otherHash)

            let target = f.folder.url.appendingPathComponent("back.csv")
            let refused = await refusal { () async throws(DatatrustError) in _ = try await client.getDatapoint(market: "heart", dataHash: hash, to: target) }
            #expect(refused == .integrity("dataHash: the server sent \(data.count) bytes hashing to \(otherHash.hex), expected \(hash.hex)"),
                    "\(String(describing: refused))")
            #expect(!FileManager.default.fileExists(atPath: target.path))
            let inMemory = await refusal { () async throws(DatatrustError) in _ = try await client.getDatapoint(market: "heart", dataHash: hash) }
            #expect(inMemory?.code == "integrity_error", "\(String(describing: inMemory))")
        }
        #expect(throws: VaultError.hashMismatch(expected: hash, actual: otherHash)) { try f.datatrust.vault.get(hash) }
        // An in-process read has no client to hash after it: it checks Keccak-256 itself.
        let inProcess = await refusal { () async throws(DatatrustError) in _ = try await f.datatrust.getDatapoint(market: "heart", dataHash: hash, caller: f.owner.address) }
        #expect(inProcess != nil, "the in-process read handed back bytes that do not hash to \(hash.hex)")
    }

    /// The error `body` throws, or nil when it succeeds.
    func refusal(_ body: () async throws(DatatrustError) -> Void) async -> DatatrustError? {
        do { try await body() } catch { return error }
        return nil
    }
}

/// The last progress report of an upload (reports arrive on the transport's task).
final class ProgressLog: @unchecked Sendable {
    // @unchecked: every access holds `lock`.
    private let lock = NSLock()
    private var latest: (Int64, Int64)?

    func record(_ sent: Int64, _ total: Int64) { lock.withLock { latest = (sent, total) } }
    var last: (Int64, Int64)? { lock.withLock { latest } }
}
