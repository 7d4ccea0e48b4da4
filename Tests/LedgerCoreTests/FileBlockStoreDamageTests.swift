import Foundation
import Testing
import LedgerCore

/// How the file store tells a torn final write (dropped) from damage (refused), including
/// when another writer crashed while this one had the store open.
@Suite struct FileBlockStoreDamageTests {
    let alice: PrivateKey
    let dmt: TokenID

    init() throws {
        alice = try PrivateKey(hex: "0x" + String(repeating: "11", count: 32))
        dmt = try TokenID("DMT")
    }

    func makeChain(in dir: URL) throws -> Chain {
        let genesis = GenesisConfig(chainID: 7, timestamp: 1_700_000_000, tokens: [
            .init(symbol: dmt, name: "DataMarket Token", minter: alice.address, balances: [.init(account: alice.address, amount: 1000)])
        ])
        return try Chain.create(genesis: genesis, store: try FileBlockStore(folder: dir), clock: ManualClock(1_700_000_000))
    }

    func send(_ chain: Chain, _ n: Int) throws {
        for i in 0..<n {
            try chain.send(.transfer(token: dmt, to: try Address(bytes: [UInt8](repeating: UInt8(i + 1), count: 20)), amount: 1),
                           to: LedgerModule.self, from: alice)
        }
    }

    func tempDir() -> URL {
        URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fbs-\(UUID().uuidString)")
    }

    /// Offsets of the log's records.
    func recordOffsets(_ bytes: [UInt8]) -> [Int] {
        var out: [Int] = []
        var p = 0
        while p + 16 <= bytes.count {
            out.append(p)
            p += 16 + (0..<4).reduce(0) { $0 | Int(bytes[p + 4 + $1]) << (8 * $1) }
        }
        return out
    }

    @Test func aLengthFieldPointingPastTheEndOfAMiddleRecordIsDamageNotATornWrite() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try send(try makeChain(in: dir), 5)
        let log = dir.appendingPathComponent("blocks.log")
        var bytes = [UInt8](try Data(contentsOf: log))
        bytes[recordOffsets(bytes)[2] + 7] = 0x7F
        try Data(bytes).write(to: log)

        #expect {
            _ = try FileBlockStore(folder: dir)
        } throws: { error in
            guard case ChainError.corrupt(height: 2, let reason) = error else { return false }
            return reason.contains("not a torn final write")
        }
        #expect([UInt8](try Data(contentsOf: log)) == bytes)
    }

    @Test func aTailThatDoesNotStartARecordIsDamage() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try send(try makeChain(in: dir), 2)
        let log = dir.appendingPathComponent("blocks.log")
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("garbage".utf8))
        try handle.close()
        #expect(throws: ChainError.corrupt(height: 3, reason: "record marker missing at this block's position in blocks.log")) {
            _ = try FileBlockStore(folder: dir)
        }
    }

    @Test func appendingAfterAnotherWritersTornWriteDropsItFirst() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chain = try makeChain(in: dir)
        try send(chain, 2)
        // Another process crashes half-way through appending block 3 while this one is open.
        let log = dir.appendingPathComponent("blocks.log")
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        // Marker, a 64-byte length, 8 checksum bytes, then the start of the block's RLP list
        // (0xF8 0x3E declares the same 64 bytes) cut short.
        let checksum = [UInt8](repeating: 0xAA, count: 8)
        try handle.write(contentsOf: Data(Array("DMB1".utf8) + [0x40, 0, 0, 0] + checksum + [0xF8, 0x3E] + [UInt8](repeating: 0xAA, count: 8)))
        try handle.close()

        try send(chain, 1)
        #expect(chain.height == 3)
        let reopened = try Chain.open(store: try FileBlockStore(folder: dir), clock: ManualClock(1_700_000_000))
        #expect(reopened.height == 3)
        #expect(try reopened.verify().blocks == 4)
        #expect(try reopened.stateHash() == (try chain.stateHash()))
    }
}
