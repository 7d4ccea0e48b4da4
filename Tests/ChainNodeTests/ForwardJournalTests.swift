import Foundation
import LedgerCore
import Testing
@testable import ChainNode

/// The file a follower keeps its forwarded transactions in: what it replays after a crash, what
/// it refuses to guess about, and that it does not grow without bound.
@Suite struct ForwardJournalTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("forward-journal-\(UUID().uuidString)")
    var file: URL { folder.appendingPathComponent("node/forwarded.journal") }

    static func transfers(_ count: Int) throws -> [SignedTransaction] {
        let keys = NodeFixture.keys
        return try (0..<count).map { try NodeFixture.transfer(keys[1], to: keys[2].address, amount: 1, nonce: UInt64($0)) }
    }

    @Test func reopeningReplaysAddsAndSettlesAndIgnoresALastLineCutShortByACrash() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let txs = try Self.transfers(3)
        do {
            let journal = try ForwardJournal(url: file)
            for tx in txs { try await journal.add(tx).run() }
            try await journal.add(txs[0]).run()  // a second add of the same transaction records nothing
            try journal.settle(txs[1].hash)
        }
        // A crash in the middle of writing the next entry.
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("+ 0xf86c80".utf8))
        try handle.close()

        let reopened = try ForwardJournal(url: file)
        #expect(reopened.transactions.map(\.hash) == [txs[0].hash, txs[2].hash])
        // Rewritten with the live entries only.
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.map(String.init) == [txs[0], txs[2]].map { "+ " + Hex.encode($0.encoded) })
    }

    @Test func aMalformedCompleteLineIsRefusedWithItsNumberRatherThanGuessedAt() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let tx = try Self.transfers(1)[0]
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(("+ " + Hex.encode(tx.encoded) + "\n- 0x1234\n").utf8).write(to: file)
        #expect {
            _ = try ForwardJournal(url: file)
        } throws: { error in
            guard case ForwardJournalError.badLine(let path, let line, let reason)? = error as? ForwardJournalError else { return false }
            return path == file.path && line == 2 && reason.contains("32")
        }
        try Data("* 0x00\n".utf8).write(to: file)
        #expect(throws: ForwardJournalError.badLine(path: file.path, line: 1, reason: "`* 0x00` has no `+ ` or `- ` prefix")) {
            _ = try ForwardJournal(url: file)
        }
    }

    @Test func settledEntriesAreCompactedAwaySoTheFileStaysSmall() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let txs = try Self.transfers(1_100)
        let journal = try ForwardJournal(url: file)
        for tx in txs { try await journal.add(tx).run() }
        let full = try Data(contentsOf: file).count
        for tx in txs.dropLast() { try journal.settle(tx.hash) }
        // 1,100 additions and 1,099 settlements written naively would be more than the 1,100
        // additions alone; after compaction the file holds far less.
        let compacted = try Data(contentsOf: file).count
        #expect(compacted < full / 5, "\(compacted) bytes after settling, \(full) with every entry live")
        #expect(try ForwardJournal(url: file).transactions.map(\.hash) == [txs[1_099].hash])
    }
}
