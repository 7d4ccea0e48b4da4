import Testing
import Foundation
@testable import LedgerCore

@Test func transferBlockRoundTrip() throws {
    let alice = try PrivateKey(hex: "0x" + String(repeating: "11", count: 32))
    let bob = try PrivateKey(hex: "0x" + String(repeating: "22", count: 32))
    let dmt = try TokenID("DMT")
    let genesis = GenesisConfig(chainID: 7, timestamp: 1_700_000_000, tokens: [
        .init(symbol: dmt, name: "DataMarket Token", minter: alice.address, balances: [.init(account: alice.address, amount: 1000)])
    ])
    let chain = try Chain.create(genesis: genesis)
    let r = try chain.send(.transfer(token: dmt, to: bob.address, amount: 250), to: LedgerModule.self, from: alice)
    #expect(r.events.first?.kind == "Transfer")
    #expect(chain.state.ledger.balance(of: bob.address, in: dmt) == 250)
    #expect(throws: LedgerError.insufficientBalance(token: dmt, account: bob.address, balance: 250, needed: 251)) {
        try chain.send(.transfer(token: dmt, to: alice.address, amount: 251), to: LedgerModule.self, from: bob)
    }
    #expect(chain.height == 1)
    let v = try chain.verify()
    #expect(v.blocks == 2)
    let blocks = try chain.blocks()
    let decoded = try Block(encoded: blocks[1].encoded)
    #expect(decoded == blocks[1])
}

@Test func fileStoreReopens() throws {
    let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fs-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let alice = try PrivateKey(hex: "0x" + String(repeating: "11", count: 32))
    let dmt = try TokenID("DMT")
    let genesis = GenesisConfig(chainID: 7, timestamp: 1_700_000_000, tokens: [
        .init(symbol: dmt, name: "DataMarket Token", minter: alice.address, balances: [.init(account: alice.address, amount: 1000)])
    ])
    let clock = ManualClock(1_700_000_000)
    do {
        let chain = try Chain.create(genesis: genesis, store: try FileBlockStore(folder: dir), clock: clock, snapshotInterval: 3)
        for i in 0..<7 {
            try chain.send(.transfer(token: dmt, to: Address(bytes: [UInt8](repeating: UInt8(i + 1), count: 20)), amount: 1), to: LedgerModule.self, from: alice)
        }
    }
    let reopened = try Chain.open(store: try FileBlockStore(folder: dir), clock: clock)
    #expect(reopened.height == 7)
    #expect(reopened.state.ledger.balance(of: alice.address, in: dmt) == 993)
    #expect(try reopened.verify().blocks == 8)
}
