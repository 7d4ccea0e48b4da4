import DatatrustKit
import Foundation
import LedgerCore
import MarketKit
import ModelMarketKit
import ModelHostKit
import Testing

/// The model that wins a bounty is the one that is sold: the trainer mints the revealed ONNX
/// bytes as a `$Model`, publishes them to a model host, and a paying user gets from the host
/// exactly the predictions the trainer committed to in the bounty.
@Suite struct BountyWinnerHostingTests {
    @Test func theBountyWinningModelPublishedToAHostServesTheCommittedPredictions() async throws {
        let world = try World(modules: [ModelBountyModule.self, DataBountyModule.self, RolesModule.self])
        let f = try BountyFixture(world: world)
        let trainer = f.trainer(1), user = world.accounts[5], hostKey = world.accounts[6]
        // The bounty round, won by the reference learner's exported model.
        let (entry, onnxBytes) = try f.exportedReferenceEntry()
        let committed = entry.predictions
        try f.winAlone(entry, by: trainer)
        let bounty = try #require(f.bounty)
        #expect(bounty.outcome == .paid && bounty.winner == trainer.address)
        let winningHash = try #require(bounty.modelHash)
        #expect(winningHash == Keccak256.hash(onnxBytes))

        // The requester lists the training data; the winner mints the revealed hash as a $Model.
        try world.chain.send(RolesModule.Call.mintData(dataHash: f.publication.trainingDataHash, listing: nil,
                                                       disclosure: Disclosure(referenceable: true), name: nil),
                             to: RolesModule.self, from: f.requester)
        let data = world.chain.state.ledger.nextNFTID - 1
        let price = u(3)
        try world.chain.send(RolesModule.Call.mintModel(modelHash: winningHash, trainedOn: .data(data), bounty: "model-bounty \(f.id)",
                                                        paymentToken: world.token, pricePerUse: price, name: "bounty winner"),
                             to: RolesModule.self, from: trainer)
        let modelID = world.chain.state.ledger.nextNFTID - 1

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bounty-host-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let vault = try Vault(folder: folder, masterKey: .generate(), syncWrites: false)
        let chain = world.chain
        let host = ModelHost(name: "bounty-host", address: hostKey.address, library: ModelLibrary(vault: vault),
                             chain: { chain.state }, clock: { chain.clock.now() })
        // Only the revealed bytes are accepted: a different model does not match the NFT's hash.
        let other = LogisticRegression.train(features: f.publication.train.features, labels: f.publication.train.labels,
                                             options: TrainingOptions(epochs: 20, seed: 9))
        let otherBytes = [UInt8](try other.onnxModel())
        await #expect(throws: ModelHostError.self) { try await host.publish(model: modelID, file: otherBytes) }
        #expect(try await host.publish(model: modelID, file: [UInt8](onnxBytes)) == winningHash)

        // A user buys one use per test row and gets the committed predictions back.
        let rows = f.publication.test.features
        try world.chain.send(RolesModule.Call.buyUseBundle(model: modelID, host: hostKey.address, uses: UInt64(rows.count), maxPrice: price,
                                                           expiresAt: world.now + 3_600), to: RolesModule.self, from: user)
        let bundle = world.chain.state(of: RolesModule.self).nextBundleID - 1
        let served = try await host.predict(model: modelID, bundle: bundle, rows: rows.map { $0.map { Float($0) } }, caller: user.address)
        let labels = try #require(served.outputs.first { $0.name == "label" }?.integers)
        #expect(labels == committed)
        // The bundle is used up: one more row is refused.
        let oneMore = [rows[0].map { Float($0) }]
        await #expect(throws: ModelHostError.self) { try await host.predict(model: modelID, bundle: bundle, rows: oneMore, caller: user.address) }
    }
}
