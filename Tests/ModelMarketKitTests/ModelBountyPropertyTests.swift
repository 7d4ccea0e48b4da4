import Foundation
import Testing
import LedgerCore
import ModelMarketKit

/// Seeded random protocol paths: whatever order calls arrive in, and whichever are refused,
/// the escrow holds exactly the unsettled reward and stakes, tokens are conserved, every path
/// ends in a terminal phase with an empty escrow, and nobody is paid more than reward + stakes.
@Suite struct ModelBountyPropertyTests {
    @Test(arguments: 0..<48)
    func escrowIsConservedOnEveryRandomPath(seed: Int) throws {
        var rng = SplitMix64(seed: 0xB0B0 &+ UInt64(seed))
        let world = try World(accounts: 6)
        let testCount = 12
        let f = try BountyFixture(world: world, reward: 1000 + rng.below(1000), stake: 1 + rng.below(300), testCount: testCount, seed: UInt64(seed))
        let truth = f.publication.truth
        let trainers = (1...5).map { f.trainer($0) }
        // Each trainer's entry: right on a random number of rows.
        let entries = trainers.indices.map { t -> BountyFixture.Entry in
            let wrong = Int(rng.below(UInt64(testCount)))
            let predictions = truth.enumerated().map { i, l in i < wrong ? 1 - l : l }
            return f.entry(predictions, seed: UInt64(seed * 10 + t))
        }
        let total = try world.totalHeld()
        let escrow = try #require(f.bounty).escrow
        var deposited = f.reward

        func check() throws {
            let b = try #require(f.bounty)
            #expect(world.escrowHeld(escrow) == (try b.expectedEscrowHeld()), "seed \(seed)")
            #expect(try world.totalHeld() == total, "seed \(seed)")
        }

        for _ in 0..<60 {
            let t = Int(rng.below(UInt64(trainers.count)))
            let trainer = trainers[t], e = entries[t]
            let call: ModelBountyModule.Call
            var from = trainer
            let phase = try #require(f.bounty).phase(at: world.now)
            // Mostly the calls the phase expects, sometimes any call (to probe refusals);
            // rare requester cancels so that every outcome is reached.
            let roll = rng.below(100)
            let expected: UInt64 = switch phase {
            case .open: roll < 60 ? 0 : roll < 70 ? 2 : 10
            case .awaitingTruth: roll < 80 ? 4 : roll < 85 ? 2 : 10
            case .claims: roll < 75 ? 5 : roll < 80 ? 2 : 10
            case .selection: roll < 80 ? 7 : 9
            case .verification: roll < 70 ? 8 : roll < 80 ? 2 : 10
            default: rng.below(11)
            }
            let action = rng.below(150) == 0 ? 3 : rng.below(10) == 0 ? rng.below(11) : expected
            switch action {
            case 0, 1: call = .submit(bounty: f.id, commitment: f.commitment(e, by: trainer))
            case 2: call = .withdraw(bounty: f.id)
            case 3:
                call = .cancel(bounty: f.id)
                from = f.requester
            case 4: call = .revealTruth(bounty: f.id, labels: truth, salt: f.truthSalt); from = f.requester
            case 5, 6:
                let honest = try f.score(e)
                call = .claim(bounty: f.id, score: rng.below(3) == 0 ? honest + 1 : honest)
            case 7: call = .pick(bounty: f.id)
            case 8:
                // Usually the candidate reveals (honestly or not), sometimes someone else tries.
                let b = try #require(f.bounty)
                if let c = b.candidate, rng.below(4) != 0, let ct = trainers.firstIndex(where: { $0.address == b.submissions[c].trainer }) {
                    let ce = entries[ct]
                    from = trainers[ct]
                    call = .reveal(bounty: f.id, predictions: ce.predictions, modelHash: ce.modelHash, salt: ce.salt)
                } else {
                    call = .reveal(bounty: f.id, predictions: e.predictions, modelHash: e.modelHash, salt: e.salt)
                }
            case 9: call = .timeout(bounty: f.id)
            default:
                try world.warp(rng.below(1400))
                try check()
                continue
            }
            if rng.below(10) == 0 { from = trainers[Int(rng.below(5))] }  // sometimes the wrong caller
            let before = try world.chain.stateHash()
            do {
                try world.bounty(call, from: from)
                if case .submit = call { deposited = try deposited + f.stake }
            } catch is ModelBountyError {
                #expect(try world.chain.stateHash() == before, "a refused call changed the state (seed \(seed))")
            }
            try check()
        }

        // Drive to the end: every state has a way out by time and `timeout`/`pick`.
        var steps = 0
        while let b = f.bounty, !b.phase(at: world.now).isTerminal, steps < 20 {
            steps += 1
            try world.warp(1000)
            _ = try? world.bounty(.timeout(bounty: f.id), from: trainers[0])
            try check()
        }
        let b = try #require(f.bounty)
        #expect(b.phase(at: world.now).isTerminal, "seed \(seed): stuck in \(b.phase(at: world.now))")
        #expect(world.escrowHeld(escrow) == .zero)
        #expect(b.submissions.allSatisfy(\.stakeSettled) && b.rewardSettled)
        // Nobody received more than everything deposited.
        var gained = UInt256.zero
        for a in world.accounts where world.balance(a) > world.initialBalance {
            gained = try gained + (world.balance(a) - world.initialBalance)
        }
        #expect(gained <= deposited, "seed \(seed)")
        #expect(world.chain.state.ledger.escrows[escrow]?.released == deposited)
    }
}
