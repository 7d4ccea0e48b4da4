import DataMarketTesting
import Foundation
import LedgerCore
import ModelMarketKit

/// A file of the repository's `Data/` folder.
func dataFile(_ name: String) -> URL { PackageRoot.file("Data/\(name)") }

/// The breast-cancer data set, parsed once per process.
let breastCancer: LabeledDataset = {
    do { return try LabeledDataset.load(contentsOf: dataFile("breast_cancer.csv")) } catch { return LabeledDataset(features: [], labels: []) }
}()

/// A deterministic key from a small number.
func key(_ n: UInt8) -> PrivateKey {
    var bytes = [UInt8](repeating: 0, count: 32)
    bytes[31] = n
    bytes[0] = 0x42
    // A valid secp256k1 scalar for every n: far below the group order.
    return (try? PrivateKey(bytes: bytes)) ?? PrivateKey.generate()
}

let genesisTime: UInt64 = 1_700_000_000

/// A chain with the two bounty modules, a token `DMT` and funded accounts.
struct World {
    let chain: Chain
    let token: TokenID
    let accounts: [PrivateKey]
    let initialBalance: UInt256 = 1_000_000

    /// - Parameter modules: the chain's modules; the two bounty modules unless a test also
    ///   needs others (the roles module, to mint a winning model and sell its uses).
    init(accounts count: Int = 8, modules: [any ChainModule.Type] = [ModelBountyModule.self, DataBountyModule.self]) throws {
        token = try TokenID("DMT")
        accounts = (1...count).map { key(UInt8($0)) }
        var builder = TestChain(chainID: 31337, start: genesisTime)
        builder.fund(token, accounts.map { ($0.address, 1_000_000) })
        chain = try builder.build(modules: modules)
    }

    var now: UInt64 { chain.clock.now() }

    @discardableResult
    func bounty(_ call: ModelBountyModule.Call, from key: PrivateKey) throws -> Receipt {
        try chain.send(call, to: ModelBountyModule.self, from: key)
    }

    func modelBounty(_ id: UInt64) -> ModelBounty? { chain.state(of: ModelBountyModule.self).bounties[id] }

    func balance(_ key: PrivateKey) -> UInt256 { chain.state.ledger.balance(of: key.address, in: token) }

    func escrowHeld(_ id: UInt64) -> UInt256 { chain.state.ledger.escrows[id]?.held ?? .zero }

    /// Σ balances of the funded accounts plus Σ escrow holdings: constant if nothing is created or lost.
    func totalHeld() throws -> UInt256 {
        var total = UInt256.zero
        for a in accounts { total = try total + balance(a) }
        for e in chain.state.ledger.escrows.values { total = try total + e.held }
        return total
    }

    func warp(_ seconds: UInt64) throws { try chain.warp(by: seconds) }
}

/// Integer helper for amounts in tests.
func u(_ v: UInt64) -> UInt256 { UInt256(v) }
