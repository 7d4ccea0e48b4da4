import DataMarketTesting
import DatatrustKit
import Foundation
import LedgerCore
import Testing

/// Very large datapoints through the HTTP API, each party a separate `dmctl` process: the
/// upload and the download stream (peak RSS of server and client read from /proc), an
/// interrupted upload leaves nothing behind and can be retried.
@Suite(.serialized) struct DatatrustStreamingTests {
    /// What a measured client did: its status and stderr, its whole-process peak, and its peak
    /// while streaming (VmHWM reset once `streaming` says the transfer is under way).
    struct Measured {
        var status: Int32 = -1
        var stderr = ""
        var wholePeak = 0
        var streamingPeak = 0
        var reset = false
    }

    /// Runs a client to completion, sampling its VmHWM every 2 ms. Every dmctl that unlocks a
    /// keystore key first spends Argon2id's 64 MiB (the keystore's interactive cost) on it, so
    /// the peak is reset once `streaming(rchar, wchar)` says the transfer is under way; both
    /// figures are returned.
    static func runMeasured(_ home: TestHome, _ args: [String], tag: String, streaming: (Int, Int) -> Bool) async throws -> Measured {
        let client = try home.runner.background(args + ["--home", home.url.path], tag: tag, in: home.url)
        let pid = client.pid
        var m = Measured()
        while client.isRunning {
            if let now = ProcessStats.peakRSS(pid) {
                if m.reset { m.streamingPeak = max(m.streamingPeak, now) }
                m.wholePeak = max(m.wholePeak, now)
            }
            if !m.reset, let counts = ProcessStats.io(pid), streaming(counts.read, counts.written) {
                ProcessStats.resetPeak(pid)
                m.reset = true
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        m.status = await client.exitStatus() ?? -1
        m.stderr = client.stderr
        return m
    }

    /// Writes a CSV datapoint of `age,note` rows of about 4 KiB each, at least `bytes` long, in pieces.
    static func writeLargeCSV(to url: URL, bytes: Int) throws -> Int {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var written = 0
        var piece = Data("age,note\n".utf8)
        var row = 0
        while written + piece.count < bytes {
            let note = String(repeating: Character(UnicodeScalar(UInt8(0x61 + row % 26))), count: 4000)
            piece.append(contentsOf: Array("\(row % 121),\(note) \(row)\n".utf8))
            row += 1
            if piece.count >= 1 << 20 {
                try handle.write(contentsOf: piece)
                written += piece.count
                piece.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: piece)
        return written + piece.count
    }

    /// Keccak-256 and size of a file, read in pieces.
    static func digest(_ path: String) throws -> (Hash32, Int64) {
        let result = try DatatrustClient.hash(file: URL(fileURLWithPath: path))
        return (result.hash, result.size)
    }

    /// The market's datapoints and the vault's temporary files.
    static func held(_ market: DatatrustMarket, url: String) async throws -> (datapoints: Int, parts: [String]) {
        let markets = try #require(try await market.home.jsonAsync(["datatrust", "markets", "--url", url]) as? [[String: Any]])
        let count = markets.first { $0["market"] as? String == "heart" }?["datapoints"] as? Int ?? -1
        let tmp = market.folder.appendingPathComponent("vault/tmp").path
        return (count, ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).filter { $0.hasSuffix(".part") })
    }

    // 7 minutes under a full parallel `swift test` on two shared cores (debug build); 2 alone.
    @Test(.timeLimit(.minutes(15)))
    func a256MiBDatapointStreamsBothWaysInBoundedMemoryAndAnInterruptedUploadLeavesNothing() async throws {
        let market = try await DatatrustMarket.make()
        let home = market.home
        // A market whose rows carry a long text column, so 256 MiB is some 65,000 rows.
        let config = """
            {"name": "dt-e2e", "markets": [{"market": "heart", "allowRawSQL": true, "schema": {"format": "csv", "columns": [
              {"name": "age", "type": "integer", "min": 0, "max": 120}, {"name": "note", "type": "text"}]}}]}
            """
        try Data(config.utf8).write(to: market.folder.appendingPathComponent("config.json"))
        let file = home.url.appendingPathComponent("large.csv")
        let size = try Self.writeLargeCSV(to: file, bytes: 256 << 20)
        #expect(size >= 256 << 20)
        try await home.okAsync(["market", "apply", "heart", "--file", file.path, "--key", "bob"])
        let (hash, _) = try Self.digest(file.path)

        // 1. The client killed mid-upload: nothing stored, no .part left, and a retry succeeds.
        let first = try await market.serveAsync(tag: "interrupted")
        defer { first.handle.kill9() }
        let client = try home.runner.background(
            ["datatrust", "add", "--url", first.url, "--market", "heart", "--key", "bob", file.path, "--home", home.url.path], tag: "killed", in: home.url)
        // Wait until the upload is under way (a .part file holds some MiB), then SIGKILL the client.
        let tmp = market.folder.appendingPathComponent("vault/tmp").path
        let sawPart = await eventually(timeout: .seconds(120), every: .milliseconds(2)) {
            guard client.isRunning else { return false }
            return ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).contains { name in
                name.hasSuffix(".part")
                    && ((try? FileManager.default.attributesOfItem(atPath: tmp + "/" + name)[.size] as? NSNumber)?.intValue ?? 0) > 8 << 20
            }
        }
        #expect(sawPart, "the upload never got under way: \(client.stderr)")
        client.kill9()
        await client.exitStatus()
        // The server notices the broken connection and drops the temporary file at once.
        var after = try await Self.held(market, url: first.url)
        _ = try await eventually(timeout: .seconds(20), every: .milliseconds(50)) {
            after = try await Self.held(market, url: first.url)
            return after.parts.isEmpty
        }
        #expect(after.datapoints == 0)
        #expect(after.parts.isEmpty, "left behind: \(after.parts)")
        await first.handle.stop()

        // 2. A fresh server (nothing earlier inflates its peak): the retried upload and the download.
        // Its peak is reset once it serves (its key was unlocked at start, see runMeasured).
        let server = try await market.serveAsync(tag: "fresh")
        defer { server.handle.kill9() }
        let serverPID = server.handle.pid
        let serverStartPeak = try #require(ProcessStats.peakRSS(serverPID))
        ProcessStats.resetPeak(serverPID)
        // The add client hashes the file (reads it once), logs in, then uploads (reads it again).
        let add = try await Self.runMeasured(home, ["datatrust", "add", "--url", server.url, "--market", "heart", "--key", "bob", file.path, "--json"],
                                       tag: "add", streaming: { read, _ in read > size + (8 << 20) })
        #expect(add.status == 0, "\(add.stderr)")
        let stored = try await Self.held(market, url: server.url)
        #expect(stored.datapoints == 1)
        #expect(stored.parts.isEmpty)
        let copy = home.url.appendingPathComponent("copy.csv")
        // The get client logs in, then writes the download.
        let get = try await Self.runMeasured(home, ["datatrust", "get", "--url", server.url, "--market", "heart", "--key", "bob",
                                              "--out", copy.path, hash.hex], tag: "get", streaming: { _, written in written > 8 << 20 })
        #expect(get.status == 0, "\(get.stderr)")
        let serverPeak = try #require(ProcessStats.peakRSS(serverPID))
        let (copyHash, copySize) = try Self.digest(copy.path)
        #expect(copySize == Int64(size))
        #expect(copyHash == hash)
        // Byte-exact, compared piece by piece.
        let a = try FileHandle(forReadingFrom: file), b = try FileHandle(forReadingFrom: copy)
        defer { try? a.close(); try? b.close() }
        var same = true
        while same, let x = try a.read(upToCount: 1 << 20), !x.isEmpty { same = (try b.read(upToCount: x.count)) == x }
        #expect(same)

        let limit = 100 << 20
        print("256 MiB datapoint, VmHWM while streaming: server \(serverPeak >> 20) MiB (\(serverStartPeak >> 20) MiB at start, key unlock included), "
              + "add client \(add.streamingPeak >> 20) MiB (whole process \(add.wholePeak >> 20)), get client \(get.streamingPeak >> 20) MiB (whole process \(get.wholePeak >> 20))")
        #expect(serverPeak < limit, "server peak \(serverPeak) bytes")
        #expect(add.reset && add.streamingPeak > 0 && add.streamingPeak < limit, "add client streaming peak \(add.streamingPeak) bytes")
        #expect(get.reset && get.streamingPeak > 0 && get.streamingPeak < limit, "get client streaming peak \(get.streamingPeak) bytes")
    }
}
