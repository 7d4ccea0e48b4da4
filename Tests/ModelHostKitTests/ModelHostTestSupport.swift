// Shared by the ModelHostKit tests: a chain with a curated $Model on a tiny ONNX linear model,
// and a host serving it from a vault in a temporary folder.

import DataMarketTesting
import DatatrustKit
import Foundation
import HECore
import LedgerCore
import MarketKit
import ModelHostKit
import ONNXKit

/// A deterministic key from a small number (``TestKeys/small(_:)``).
func key(_ n: UInt8) -> PrivateKey { TestKeys.small(n) }

/// `Y = X·Wᵀ + b` for 3 features and 2 outputs, as an ONNX Gemm.
func linearModelFile() throws -> [UInt8] {
    var b = ONNXModelBuilder(graphName: "linear", producer: "ModelHostKitTests")
    b.addInput("X", elementType: .float, shape: [.symbolic("N"), .fixed(3)])
    b.addOutput("Y", elementType: .float, shape: [.symbolic("N"), .fixed(2)])
    b.addInitializer("W", try Tensor(shape: [2, 3], floats: [0.5, -1.25, 2, 1, 0.25, -0.75]))
    b.addInitializer("B", try Tensor(shape: [2], floats: [0.125, -2]))
    b.addNode("Gemm", inputs: ["X", "W", "B"], outputs: ["Y"], attributes: ["transB": .int(1)])
    return [UInt8](try b.serialized())
}

/// The plaintext scores of ``linearModelFile()``.
func linearScores(_ x: [Double]) -> [Double] {
    [0.5 * x[0] - 1.25 * x[1] + 2 * x[2] + 0.125, 1 * x[0] + 0.25 * x[1] - 0.75 * x[2] - 2]
}

/// A clock the tests move.
final class TestClock: @unchecked Sendable {
    // @unchecked: `now` is only touched under `lock`.
    private let lock = NSLock()
    private var value: UInt64
    init(_ start: UInt64) { value = start }
    var now: UInt64 { lock.withLock { value } }
    func advance(_ s: UInt64) { lock.withLock { value += s } }
}

struct HostFixture {
    static let dmt = TokenID(unchecked: "DMT")
    static let start: UInt64 = 1_700_000_000

    let chain: Chain
    let owners = [key(30), key(31)]
    let curator = key(40)
    let trainer = key(41)
    let hostKey = key(50)
    let users = [key(60), key(61), key(62)]
    let file: [UInt8]
    let model: UInt64
    let host: ModelHost
    let folder: URL
    let clock: TestClock

    init(price: UInt256 = 1_000_003) throws {
        let everyone = owners + [curator, trainer, hostKey] + users
        var builder = TestChain(chainID: 9, start: Self.start)
        builder.fund(Self.dmt, everyone.map { ($0.address, 1_000_000_000_000) })
        chain = try builder.build(modules: [MarketModule.self, RolesModule.self], snapshotInterval: 0)
        var data: [UInt64] = []
        for (i, o) in owners.enumerated() {
            try chain.send(RolesModule.Call.mintData(dataHash: Keccak256.hash([UInt8(i)]), listing: nil,
                                                     disclosure: Disclosure(referenceable: true), name: nil), to: RolesModule.self, from: o)
            data.append(chain.state.ledger.nextNFTID - 1)
        }
        try chain.send(RolesModule.Call.createPortfolio(entries: [.init(data: data[0], weight: 7_000), .init(data: data[1], weight: 3_000)],
                                                        bonusToken: Self.dmt, bonusPerUse: 0, name: nil), to: RolesModule.self, from: curator)
        let portfolio = chain.state.ledger.nextNFTID - 1
        file = try linearModelFile()
        try chain.send(RolesModule.Call.mintModel(modelHash: Keccak256.hash(file), trainedOn: .portfolio(portfolio), bounty: nil,
                                                  paymentToken: Self.dmt, pricePerUse: price, name: "linear"), to: RolesModule.self, from: trainer)
        model = chain.state.ledger.nextNFTID - 1
        folder = temporaryFolder("modelhost")
        let vault = try Vault(folder: folder.appendingPathComponent("vault"), masterKey: .generate(), syncWrites: false)
        let clock = TestClock(Self.start + 10)
        self.clock = clock
        let chain = self.chain
        host = ModelHost(name: "test-host", address: hostKey.address, library: ModelLibrary(vault: vault),
                         chain: { chain.state }, clock: { clock.now })
    }

    func balance(_ k: PrivateKey) -> UInt256 { chain.state.ledger.balance(of: k.address, in: Self.dmt) }

    /// `user` buys `uses` uses valid for an hour; returns the bundle id.
    func buy(_ uses: UInt64, by user: PrivateKey, maxPrice: UInt256 = 1_000_003) throws -> UInt64 {
        try chain.send(RolesModule.Call.buyUseBundle(model: model, host: hostKey.address, uses: uses, maxPrice: maxPrice,
                                                     expiresAt: chain.state.timestamp + 3_600), to: RolesModule.self, from: user)
        return chain.state(of: RolesModule.self).nextBundleID - 1
    }

    /// Sends every pending report, signed by the host's key.
    func settle(_ host: ModelHost? = nil) async throws {
        let host = host ?? self.host
        for call in await host.takeReports() { try chain.send(call, to: RolesModule.self, from: hostKey) }
    }
}
