import Foundation
import Testing
import LedgerCore
import ModelMarketKit

/// Seeded random data-bounty paths (honest and lying sponsors, slashing, challenges, missed
/// reveals): the escrow always holds exactly the unpaid bounty, the unslashed bond and the
/// unsettled stakes; tokens are conserved; the bounty paid never exceeds the bounty; every
/// path ends finalized with an empty escrow.
@Suite struct DataBountyPropertyTests {
    @Test(arguments: 0..<16)
    func escrowIsConservedOnEveryRandomPath(seed: Int) throws {
        var rng = SplitMix64(seed: 0xDA7A &+ UInt64(seed))
        let world = try World()
        let rules: [DataBounty.SplitRule] = [.equal, .declaredSamples, .contribution]
        let rule = rules[Int(rng.below(3))]
        let f = try DataBountyFixture(world: world, split: rule, targetError: 300 + rng.below(900), bounty: 1 + rng.below(200_000), deadlineIn: 5000)
        let total = try world.totalHeld()
        let escrow = try #require(f.bounty).escrow
        var postedWeights: [UInt64: [Int64]] = [0: [Int64](repeating: 0, count: 31)]
        var lastWeights = [Int64](repeating: 0, count: 31)
        func check() throws {
            let b = try #require(f.bounty)
            #expect(world.escrowHeld(escrow) == (try b.expectedEscrowHeld()), "seed \(seed)")
            #expect(try world.totalHeld() == total, "seed \(seed)")
            #expect(b.paid <= f.terms.bounty)
        }
        for _ in 0..<50 {
            let o = f.owner(1 + Int(rng.below(5)))
            let b = try #require(f.bounty)
            let round = b.currentRound
            var call: DataBountyModule.Call?
            switch rng.below(9) {
            case 0: call = .join(bounty: f.id, declaredSamples: 1 + rng.below(100), attribution: rule == .contribution || rng.below(2) == 0)
            case 1, 2: call = .commitGradient(bounty: f.id, round: round, gradientHash: Keccak256.hash("\(seed) \(rng.next())"))
            case 3:
                if let r = b.rounds.last, let a = b.aggregator(of: r), let k = f.owners.first(where: { $0.address == a }) {
                    _ = try? f.send(.commitAggregate(bounty: f.id, round: round, aggregateHash: .zero), from: k)
                }
            case 4:
                // Random small weights; the sponsor lies about the error one time in four.
                let w = (0..<31).map { _ in Int64(rng.below(2001)) - 1000 }
                let honest = try IntegerModel.error(.logistic, weights: w, features: f.validationFeatures, labels: f.validationLabels)
                let posted = rng.below(4) == 0 ? rng.below(10_001) : honest
                let participants = b.rounds.last?.gradients.map(\.owner) ?? []
                let contributions = participants.compactMap { p -> DataBounty.Contribution? in
                    guard b.owner(p)?.attribution == true else { return nil }
                    return .init(owner: p, score: Int64(rng.below(200)) - 40)
                }
                if (try? f.send(.postRound(bounty: f.id, round: round, weightsHash: IntegerModel.weightsHash(w), error: posted, contributions: contributions), from: f.sponsor)) != nil {
                    postedWeights[round] = w
                    lastWeights = w
                }
            case 5:
                if rng.below(3) != 0 {
                    _ = try? f.send(.reveal(bounty: f.id, features: f.validationFeatures, labels: f.validationLabels, salt: f.salt, finalWeights: lastWeights), from: f.sponsor)
                }
            case 6:
                let r = rng.below(UInt64(postedWeights.count))
                call = .challengeError(bounty: f.id, round: r, weights: postedWeights[r] ?? [])
            case 7: call = .finalize(bounty: f.id)
            default: try world.warp(rng.below(2500))
            }
            if let call {
                let before = try world.chain.stateHash()
                do { try f.send(call, from: o) } catch is DataBountyError {
                    #expect(try world.chain.stateHash() == before)
                }
            }
            try check()
        }
        var steps = 0
        while f.bounty?.finalized == false, steps < 10 {
            steps += 1
            try world.warp(4000)
            _ = try? f.send(.finalize(bounty: f.id), from: f.owner(1))
            try check()
        }
        let b = try #require(f.bounty)
        #expect(b.finalized && world.escrowHeld(escrow) == .zero, "seed \(seed)")
        #expect(b.owners.allSatisfy { $0.stakeSettled })
    }
}
