import Foundation
import LedgerCore
import MarketKit

/// Area `roles`: the exact use split over a 256-entry portfolio beside the bare floored
/// divisions it is made of, and one on-chain model use (1 and 256 data owners paid) beside one
/// plain ledger transfer transaction, all measured in this run.
enum RolesBench {
    static func run() throws {
        Bench.section("roles")
        try splitCost()
        try useCost()
    }

    /// A deterministic key.
    static func key(_ n: UInt8) throws -> PrivateKey { try PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [n]) }

    static func splitCost() throws {
        // Weights 39 each (the pure split does not check the sum; the chain does).
        let entries = (0..<256).map { PortfolioEntry(data: UInt64($0 + 1), weight: 39) }
        let price = UInt256(1_000_000_000_000_000_003)
        var sink = UInt256.zero
        let split = try Bench.secondsPerOp(operations: 1_000) {
            for _ in 0..<1_000 {
                sink = try UseSplit.split(price: price, curatorShareBP: 1_000, dataShareBP: 3_000, entries: entries, hasCurator: true).modelOwner
            }
        }
        let raw = try Bench.secondsPerOp(operations: 1_000) {
            for _ in 0..<1_000 {
                for e in entries { sink = try UInt256.multiplyThenDivide(price, UInt256(e.weight), 10_000).quotient }
            }
        }
        CryptoBench.blackHole(sink.uint64Value.map { UInt8(truncatingIfNeeded: $0) } ?? 0)
        Bench.row("UseSplit, 256 entries", value: Bench.duration(split), baseline: "256 mulDiv " + Bench.duration(raw),
                  ratio: split / raw, target: "≤ 2×")
    }

    static func useCost() throws {
        let dmt = try TokenID("DMT")
        let owners = try (1...200).map { try key(UInt8($0)) }
        let user = try key(201), trainer = try key(202), curator = try key(203)
        let everyone = owners + [user, trainer, curator]
        let genesis = GenesisConfig(chainID: 9, timestamp: 1_700_000_000, tokens: [
            .init(symbol: dmt, name: "DMT", balances: everyone.map { .init(account: $0.address, amount: UInt256(littleEndianLimbs: (0, 0, 0, 1 << 8))) })
        ])
        let chain = try Chain.create(genesis: genesis, modules: [MarketModule.self, RolesModule.self], snapshotInterval: 0)
        var data: [UInt64] = []
        for i in 0..<256 {
            try chain.send(.mintData(dataHash: Keccak256.hash([UInt8(i & 255), UInt8(i >> 8)]), listing: nil,
                                     disclosure: Disclosure(referenceable: true), name: nil), to: RolesModule.self, from: owners[i % owners.count])
            data.append(chain.state.ledger.nextNFTID - 1)
        }
        func model(over ids: [UInt64]) throws -> UInt64 {
            let base = UInt64(10_000) / UInt64(ids.count)
            let entries = ids.enumerated().map { PortfolioEntry(data: $0.element, weight: base + ($0.offset == 0 ? 10_000 - base * UInt64(ids.count) : 0)) }
            try chain.send(.createPortfolio(entries: entries, bonusToken: dmt, bonusPerUse: 0, name: nil), to: RolesModule.self, from: curator)
            try chain.send(.mintModel(modelHash: Keccak256.hash([UInt8(ids.count & 255)]), trainedOn: .portfolio(chain.state.ledger.nextNFTID - 1),
                                      bounty: nil, paymentToken: dmt, pricePerUse: 1_000_003, name: nil), to: RolesModule.self, from: trainer)
            return chain.state.ledger.nextNFTID - 1
        }
        let small = try model(over: [data[0]])
        let large = try model(over: data)
        let n = 100
        let transfer = try Bench.secondsPerOp(operations: n, rounds: 3) {
            for _ in 0..<n { try chain.send(.transfer(token: dmt, to: trainer.address, amount: 1), to: LedgerModule.self, from: user) }
        }
        let useSmall = try Bench.secondsPerOp(operations: n, rounds: 3) {
            for _ in 0..<n { try chain.send(.useModel(model: small, maxPrice: 1_000_003), to: RolesModule.self, from: user) }
        }
        let useLarge = try Bench.secondsPerOp(operations: 20, rounds: 3) {
            for _ in 0..<20 { try chain.send(.useModel(model: large, maxPrice: 1_000_003), to: RolesModule.self, from: user) }
        }
        Bench.row("useModel tx, 1 data owner", value: Bench.duration(useSmall), baseline: "transfer tx " + Bench.duration(transfer),
                  ratio: useSmall / transfer, target: "≤ 2×")
        Bench.row("useModel tx, 256 data owners", value: Bench.duration(useLarge), baseline: "transfer tx " + Bench.duration(transfer),
                  ratio: useLarge / transfer, target: "≤ 20×")
    }
}
