import Foundation
import Testing
import HECore
import LedgerCore
import ModelMarketKit

@Suite struct AttributionTests {
    /// Data-Shapley values of the five owners' round gradients: the utility of a coalition is
    /// the validation accuracy (basis points, the chain's integer evaluation) of the model after
    /// one step with the coalition's averaged gradient.
    func shapley(_ f: DataBountyFixture, grads: [[Double]], seed: UInt64) -> [Double] {
        DataShapley.monteCarlo(players: 5, permutations: 60, seed: seed) { members in
            let n = members.reduce(0) { $0 + f.shards[$1].count }
            let sum = (0..<31).map { j in members.reduce(0.0) { $0 + grads[$1][j] } }
            let w = TaylorLogistic.step(weights: f.weights, gradientSum: sum, count: n, learningRate: 0.3)
            guard let q = IntegerModel.quantize(w),
                  let e = try? IntegerModel.error(.logistic, weights: q, features: f.validationFeatures, labels: f.validationLabels) else { return 0 }
            return Double(10_000 - Int(e))
        }
    }

    @Test func labelFlippedOwnerHasNegativeValueIsSlashedAndPaidNothing() throws {
        let world = try World()
        var f = try DataBountyFixture(world: world, split: .contribution, flipOwner: 3)
        #expect(throws: DataBountyError.attributionRequired(bounty: f.id)) {
            try f.send(.join(bounty: f.id, declaredSamples: 10, attribution: false), from: f.owner(1))
        }
        try f.joinAll(attribution: true)
        let grads = f.gradients()
        let values = shapley(f, grads: grads, seed: 7)
        #expect(values == shapley(f, grads: grads, seed: 7))  // deterministic for a seed
        #expect(values[2] < 0, "flipped owner valued \(values[2])")
        for i in [0, 1, 3, 4] { #expect(values[i] > 0, "owner \(i + 1) valued \(values[i])") }
        let scores = DataShapley.scores(values, scale: 100)
        let contributions = (0..<5).map { DataBounty.Contribution(owner: f.owner($0 + 1).address, score: scores[$0]) }
        // A contribution split needs a score for every participant.
        try f.commitRound(grads.map { Keccak256.hash("\($0)") }, aggregate: Keccak256.hash("sum"))
        #expect(throws: DataBountyError.missingContribution(bounty: f.id, round: 1, owner: f.owner(5).address)) {
            try f.send(.postRound(bounty: f.id, round: 1, weightsHash: .zero, error: 1000, contributions: Array(contributions.prefix(4))), from: f.sponsor)
        }
        // The sponsor applies only the honest owners' gradients (it sees each in attribution mode).
        let honestSum = (0..<31).map { j in [0, 1, 3, 4].reduce(0.0) { $0 + grads[$1][j] } }
        let r = try f.post(sum: honestSum, contributions: contributions)
        #expect(r.events.contains { $0.kind == "OwnerSlashed" && $0.accounts == [f.owner(3).address] })
        let b = try #require(f.bounty)
        let payout = try #require(b.rounds.last).payout
        #expect(!payout.isZero)
        #expect(b.owners[2].earned == .zero && b.owners[2].slashed)
        // Positive scores share the round by contribution (floor).
        let positive = UInt256(UInt64(scores.filter { $0 > 0 }.reduce(0, +)))
        let error = try #require(b.rounds.last?.error)
        let total = try UInt256.multiplyThenDivide(f.terms.bounty, UInt256(f.terms.initialError - max(error, f.terms.targetError)),
                                                   UInt256(f.terms.initialError - f.terms.targetError)).quotient
        for i in [0, 1, 3, 4] {
            #expect(b.owners[i].earned == (try UInt256.multiplyThenDivide(total, UInt256(UInt64(scores[i])), positive).quotient))
        }
        // The slashed owner takes no further part.
        #expect(throws: DataBountyError.ownerSlashed(bounty: f.id, owner: f.owner(3).address)) {
            try f.send(.commitGradient(bounty: f.id, round: 2, gradientHash: .zero), from: f.owner(3))
        }
        // Settlement: its stake is shared by the honest owners, never the sponsor.
        try world.warp(86_400)
        try f.reveal()
        try world.warp(3600)
        try f.send(.finalize(bounty: f.id), from: f.owner(1))
        #expect(world.balance(f.owner(3)) == u(1_000_000 - 1000))
        for i in [1, 2, 4, 5] {
            #expect(world.balance(f.owner(i)) == (try u(1_000_000 + 250) + b.owners[i - 1].earned))
        }
        #expect(world.escrowHeld(b.escrow) == .zero)
    }

    @Test func dataShapleyOnPackedExactGradientsFindsTheLabelFlippedOwner() throws {
        // Attribution mode with the default training: each owner's exact gradient travels as a
        // packed ciphertext, which the sponsor may decrypt alone; coalitions add in plaintext.
        let world = try World()
        let f = try DataBountyFixture(world: world, split: .contribution, flipOwner: 3)
        let key = try #require(sharedPaillierKey)
        let layout = try Paillier.PackingLayout(publicKey: key.publicKey, valueBits: 32, maxParties: 5, range: 1024)
        // One exact step from zero weights is a weak model; value gradients a few steps in.
        var weights = [Double](repeating: 0, count: 31)
        let n = f.shards.reduce(0) { $0 + $1.count }
        for _ in 0..<5 {
            let sum = (0..<31).map { j in f.shards.reduce(0.0) { $0 + ExactGradient.logisticSum(weights: weights, features: $1.features, labels: $1.labels)[j] } }
            weights = ExactGradient.step(weights: weights, gradientSum: sum, count: n, learningRate: 4, inverseRegularization: 1, stride: 31)
        }
        let packed = try f.shards.map { shard in
            try layout.encrypt(ExactGradient.logisticSum(weights: weights, features: shard.features, labels: shard.labels))
        }
        let grads = try packed.map { try layout.decrypt($0, with: key) }
        let values = DataShapley.monteCarlo(players: 5, permutations: 60, seed: 7) { members in
            let rows = members.reduce(0) { $0 + f.shards[$1].count }
            let sum = (0..<31).map { j in members.reduce(0.0) { $0 + grads[$1][j] } }
            let w = ExactGradient.step(weights: weights, gradientSum: sum, count: max(rows, 1), learningRate: 4, inverseRegularization: 1, stride: 31)
            guard let q = IntegerModel.quantize(w),
                  let e = try? IntegerModel.error(.logistic, weights: q, features: f.validationFeatures, labels: f.validationLabels) else { return 0 }
            return Double(10_000 - Int(e))
        }
        #expect(values[2] < 0, "flipped owner valued \(values[2])")
        #expect(values[2] == values.min(), "values \(values)")
    }
}

/// A 1024-bit Paillier key made once per test process.
let sharedPaillierKey: Paillier.PrivateKey? = try? Paillier.PrivateKey.generate(bits: 1024)
