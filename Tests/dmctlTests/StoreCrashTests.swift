import DataMarketTesting
import Foundation
import LedgerCore
import Testing

/// The file store under the built binary: SIGKILL at random moments, damaged bytes, a torn
/// final write, and two processes appending at once.
@Suite struct StoreCrashTests {

    /// One record of `blocks.log`: where it starts and how long its payload is.
    struct Record { let offset: Int; let payloadLength: Int }

    /// Splits `blocks.log` into records: "DMB1", length (UInt32 LE), 8-byte checksum, payload.
    static func records(_ bytes: [UInt8]) -> [Record] {
        var out: [Record] = []
        var p = 0
        while p + 16 <= bytes.count {
            let length = (0..<4).reduce(0) { $0 | Int(bytes[p + 4 + $1]) << (8 * $1) }
            guard p + 16 + length <= bytes.count else { break }
            out.append(Record(offset: p, payloadLength: length))
            p += 16 + length
        }
        return out
    }

    @Test(.timeLimit(.minutes(15)))
    func sigkilledAppendsKeepEveryAcknowledgedBlockAndNothingPartial() async throws {
        let home = try TestHome()
        try await home.initChainAsync()
        var rng = SplitMix64(seed: 0xD47A_3A4B_E7C0_0003)
        var previous = 0
        var killedMidRun = 0
        for round in 0..<20 {
            // A small snapshot interval so some kills land while a snapshot is being written.
            let soak = try home.runner.background(
                ["chain", "soak", "--blocks", "100000", "--txs-per-block", "2", "--snapshot-every", "7", "--home", home.url.path],
                tag: "soak-\(round)", in: home.url)
            // Starting a process and opening the chain can take long on a loaded machine; the
            // bound only catches a soak that never starts.
            let started = await eventually(timeout: .seconds(300), every: .milliseconds(5)) { !soak.stdout.ackedHeights.isEmpty }
            #expect(started, "round \(round): soak never acknowledged a block: \(soak.stderr)")
            try await Task.sleep(for: .microseconds(rng.below(150_000)))
            if soak.isRunning { killedMidRun += 1 }
            soak.kill9()
            await soak.exitStatus()
            #expect(soak.process.terminationReason == .uncaughtSignal, "round \(round): soak ended on its own: \(soak.stderr)")
            let acked = soak.stdout.ackedHeights.max() ?? 0

            let verify = try await home.runAsync(["chain", "verify", "--json"])
            #expect(verify.status == 0, "round \(round): verify failed after a kill at acked height \(acked): \(verify.stderr)")
            let info = try await home.objectAsync(["chain", "info"])
            let height = try #require(info["height"] as? Int)
            #expect(height >= acked, "round \(round): acknowledged block \(acked) is missing; height is \(height)")
            #expect(height >= previous, "round \(round): height went back from \(previous) to \(height)")
            #expect(acked > previous, "round \(round): no new block was acknowledged")
            previous = height
        }
        #expect(killedMidRun == 20)
        // After all the kills, the chain still takes new blocks.
        let more = try await home.runAsync(["chain", "soak", "--blocks", "2", "--txs-per-block", "1"])
        #expect(more.status == 0)
        #expect(more.stdout.ackedHeights == [previous + 1, previous + 2])
    }

    @Test func aFlippedByteInAMiddleRecordRefusesToOpenNamingTheHeight() async throws {
        let home = try TestHome()
        try await home.initChainAsync()
        try await home.okAsync(["chain", "soak", "--blocks", "8", "--txs-per-block", "2"])
        let original = [UInt8](try Data(contentsOf: home.blocksLog))
        let records = Self.records(original)
        #expect(records.count == 9)
        let target = records[4]
        var damaged = original
        damaged[target.offset + 16 + target.payloadLength / 2] ^= 0x01
        try Data(damaged).write(to: home.blocksLog)

        for command in [["chain", "info"], ["chain", "verify"], ["token", "balance", "--token", "DMT"]] {
            let r = try await home.runAsync(command)
            #expect(r.status == 3, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("damaged at block 4"), "\(command): \(r.stderr)")
        }
        // Nothing was "repaired": the file is exactly as damaged.
        #expect([UInt8](try Data(contentsOf: home.blocksLog)) == damaged)
    }

    @Test func aDamagedLengthFieldInAMiddleRecordIsNotMistakenForATornWrite() async throws {
        let home = try TestHome()
        try await home.initChainAsync()
        try await home.okAsync(["chain", "soak", "--blocks", "8", "--txs-per-block", "2"])
        let original = [UInt8](try Data(contentsOf: home.blocksLog))
        let target = Self.records(original)[3]
        var damaged = original
        // The length now points past the end of the file, as a torn final write would.
        damaged[target.offset + 7] = 0x7F
        try Data(damaged).write(to: home.blocksLog)

        let r = try await home.runAsync(["chain", "info"])
        #expect(r.status == 3, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("damaged at block 3"), "\(r.stderr)")
        #expect([UInt8](try Data(contentsOf: home.blocksLog)) == damaged, "blocks after the damage were cut off")
    }

    @Test func aTornFinalWriteIsDroppedWithAWarning() async throws {
        let home = try TestHome()
        try await home.initChainAsync()
        let soak = try await home.okAsync(["chain", "soak", "--blocks", "5", "--txs-per-block", "2"])
        #expect(soak.ackedHeights == [1, 2, 3, 4, 5])
        let stateAt4 = try #require(try await home.jsonAsync(["chain", "blocks", "--from", "4", "--limit", "1"]) as? [[String: Any]]).first?["hash"] as? String
        let bytes = [UInt8](try Data(contentsOf: home.blocksLog))
        let last = try #require(Self.records(bytes).last)
        try Data(bytes[..<(last.offset + 16 + last.payloadLength / 2)]).write(to: home.blocksLog)

        let r = try await home.runAsync(["chain", "info", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: dropped an incomplete record for block 5"), "\(r.stderr)")
        let info = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(info["height"] as? Int == 4)
        #expect(info["tipHash"] as? String == stateAt4)
        #expect((info["warnings"] as? [String])?.first?.contains("never acknowledged") == true)
        #expect([UInt8](try Data(contentsOf: home.blocksLog)) == Array(bytes[..<last.offset]))
        // Reported once: the next open finds a clean log, and appending resumes at 5.
        let again = try await home.runAsync(["chain", "verify"])
        #expect(again.status == 0)
        #expect(!again.stderr.contains("warning"))
        #expect(try await home.okAsync(["chain", "soak", "--blocks", "1", "--txs-per-block", "1"]).ackedHeights == [5])
    }

    @Test(.timeLimit(.minutes(15)))
    func twoProcessesAppendingAtOnceBothSucceedAndSeeEachOther() async throws {
        let home = try TestHome()
        try await home.initChainAsync(keys: ["default", "bob"])
        try await home.okAsync(["token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "1"])
        let base = try await home.heightAsync()
        let gate = home.url.appendingPathComponent("go")
        let n = 30
        var runs: [BackgroundProcess] = []
        // Both wait at the gate, so neither can finish before the other has started. After its
        // first block each waits for one of the other's on top (--await-other), so the two
        // interleave however the scheduler treats them; the other 29 blocks each race for
        // the lock freely.
        for key in ["default", "bob"] {
            runs.append(try home.runner.background(
                ["chain", "soak", "--blocks", "\(n)", "--txs-per-block", "2", "--key", key, "--wait-for", gate.path,
                 "--await-other", "300", "--home", home.url.path],
                tag: key, in: home.url))
        }
        for run in runs {
            let ready = await eventually(timeout: .seconds(300), every: .milliseconds(5)) { run.stdout.hasPrefix("ready") }
            if !ready { for other in runs { await other.killAndWait() } }
            try #require(ready, "a writer never reached the start gate: \(run.stderr)")
        }
        _ = FileManager.default.createFile(atPath: gate.path, contents: nil)

        var heights: [[Int]] = []
        for run in runs {
            #expect(await run.exitStatus(timeout: .seconds(600)) == 0, "\(run.stderr)")
            let out = run.stdout
            heights.append(out.ackedHeights)
            #expect(out.contains("tip \(base + 2 * n)") || out.contains("done \(n)"))
        }
        #expect(heights[0].count == n && heights[1].count == n)
        let all = (heights[0] + heights[1]).sorted()
        #expect(all == Array((base + 1)...(base + 2 * n)), "the two processes' blocks overlap or leave a gap")
        // Each appended a block after one of the other's, which it must have read to do so.
        let a = heights[0], b = heights[1]
        #expect((a.max() ?? 0) > (b.min() ?? .max) && (b.max() ?? 0) > (a.min() ?? .max), "no interleaving: \(a) / \(b)")
        #expect(try await home.heightAsync() == base + 2 * n)
        #expect(try await home.objectAsync(["chain", "verify"])["transactions"] as? Int == 1 + 4 * n)
    }
}
