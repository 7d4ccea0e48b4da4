import Foundation
import Testing
import LedgerCore
import ModelMarketKit

@Suite struct ModelBountyTests {
    @Test func inflatedClaimIsSlashedAndHonestBestWinsOnBreastCancer() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        let (a, b, c) = (f.trainer(1), f.trainer(2), f.trainer(3))
        let ea = f.referenceEntry  // full reference learner
        let eb = f.entry(f.predictions(seed: 2, rows: 25, epochs: 3), seed: 102)  // a weak model
        let ec = f.entry(f.predictions(seed: 3, rows: 60, epochs: 20), seed: 103) // honest model, inflated claim
        let (sa, sb, sc) = (try f.score(ea), try f.score(eb), try f.score(ec))
        try #require(sa > sb && sa >= 9500 && sc < 10_000)
        let requesterBefore = world.balance(f.requester)
        try f.submit(ea, by: a)
        try f.submit(eb, by: b)
        try f.submit(ec, by: c)
        #expect(world.escrowHeld(f.bounty!.escrow) == u(1300))
        try f.pastDeadline()
        #expect(f.phase == .awaitingTruth)
        try f.revealTruth()
        try world.bounty(.claim(bounty: f.id, score: sa), from: a)
        try world.bounty(.claim(bounty: f.id, score: sb), from: b)
        try world.bounty(.claim(bounty: f.id, score: 10_000), from: c)  // inflated
        try world.warp(f.window)
        #expect(f.phase == .selection)
        try world.bounty(.pick(bounty: f.id), from: b)
        #expect(f.bounty?.candidate == 2)
        let slash = try f.reveal(ec, by: c)
        #expect(slash.events.contains { $0.kind == "Slashed" && $0[field: "reason"] == "scoreMismatch" })
        #expect(f.bounty?.candidate == 0)  // the honest best is next
        let paid = try f.reveal(ea, by: a)
        #expect(paid.events.contains { $0.kind == "Paid" })
        let bounty = try #require(f.bounty)
        #expect(bounty.outcome == .paid && bounty.winner == a.address && bounty.winningScore == sa && bounty.modelHash == ea.modelHash)
        // Winner: reward + own stake back + the slashed stake; B: stake back; C: stake lost.
        #expect(world.balance(a) == u(1_000_000 + 1000 + 100))
        #expect(world.balance(b) == u(1_000_000))
        #expect(world.balance(c) == u(1_000_000 - 100))
        #expect(world.balance(f.requester) == requesterBefore)
        #expect(world.escrowHeld(bounty.escrow) == .zero)
        #expect(try world.totalHeld() == u(8_000_000))
        #expect(try world.chain.verify().transactions > 0)
        // Terminal: nothing pays twice.
        #expect(throws: ModelBountyError.wrongPhase(bounty: f.id, action: "time out", phase: .paid, expected: [.awaitingTruth, .selection, .verification])) {
            try world.bounty(.timeout(bounty: f.id), from: b)
        }
    }

    @Test func copiedCommitmentFailsWhenRevealedByTheCopier() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        let (a, copier) = (f.trainer(1), f.trainer(2))
        let ea = f.referenceEntry
        try f.submit(ea, by: a)
        // The copier posts A's commitment verbatim (accepted: refusing duplicates would let a
        // front-runner block A).
        try world.bounty(.submit(bounty: f.id, commitment: f.commitment(ea, by: a)), from: copier)
        try f.pastDeadline()
        try f.revealTruth()
        let sa = try f.score(ea)
        try world.bounty(.claim(bounty: f.id, score: sa), from: a)
        try world.bounty(.claim(bounty: f.id, score: 10_000), from: copier)
        try world.warp(f.window)
        try world.bounty(.pick(bounty: f.id), from: a)
        #expect(f.bounty?.candidate == 1)
        // Even with A's predictions, model hash and salt leaked to it, the copier cannot open
        // the commitment: it is bound to A's address.
        let r = try f.reveal(ea, by: copier)
        #expect(r.events.contains { $0.kind == "Slashed" && $0[field: "reason"] == "commitmentMismatch" })
        #expect(f.commitment(ea, by: copier) != f.commitment(ea, by: a))
        _ = try f.reveal(ea, by: a)
        #expect(f.bounty?.winner == a.address)
        #expect(world.balance(copier) == u(1_000_000 - 100))
        #expect(world.balance(a) == u(1_000_000 + 1000 + 100))
    }

    @Test func truthTimeoutLetsAnyoneCancelAndSharesTheRewardAmongTrainers() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        for n in 1...3 { try f.submit(f.entry([0], seed: UInt64(n)), by: f.trainer(n)) }
        try f.pastDeadline()
        #expect(throws: ModelBountyError.windowStillOpen(bounty: f.id, window: .truth, closesAt: f.deadline + 900, now: f.deadline)) {
            try world.bounty(.timeout(bounty: f.id), from: f.trainer(4))
        }
        try world.warp(f.window)
        let r = try world.bounty(.timeout(bounty: f.id), from: f.trainer(4))  // a bystander
        #expect(r.events.contains { $0.kind == "TruthTimedOut" })
        #expect(f.bounty?.outcome == .cancelled)
        // 1000 / 3 = 333 each, remainder 1 to the earliest trainer; every stake returned.
        #expect(world.balance(f.trainer(1)) == u(1_000_000 + 334))
        #expect(world.balance(f.trainer(2)) == u(1_000_000 + 333))
        #expect(world.balance(f.trainer(3)) == u(1_000_000 + 333))
        #expect(world.balance(f.requester) == u(1_000_000 - 1000))
        #expect(world.escrowHeld(f.bounty!.escrow) == .zero)
        #expect(throws: ModelBountyError.wrongPhase(bounty: f.id, action: "reveal the truth", phase: .cancelled, expected: [.awaitingTruth])) {
            try f.revealTruth()
        }
    }

    @Test func truthTimeoutWithNoTrainersRefundsTheRequester() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        try f.pastDeadline()
        try world.warp(f.window)
        try world.bounty(.timeout(bounty: f.id), from: f.trainer(1))
        #expect(world.balance(f.requester) == u(1_000_000))
        #expect(f.bounty?.outcome == .cancelled)
    }

    @Test func noClaimLosesTheStakeToTheWinner() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        let (ea, _) = try f.submitReferenceAndRevealTruth(against: f.predictions(seed: 2))
        try world.bounty(.claim(bounty: f.id, score: try f.score(ea)), from: f.trainer(1))
        try world.warp(f.window)
        #expect(throws: ModelBountyError.windowClosed(bounty: f.id, window: .claims, closedAt: world.now, now: world.now)) {
            try world.bounty(.claim(bounty: f.id, score: 1), from: f.trainer(2))
        }
        let r = try world.bounty(.timeout(bounty: f.id), from: f.trainer(3))  // timeout in selection = pick
        #expect(r.events.contains { $0.kind == "Forfeited" && $0.accounts == [f.trainer(2).address] })
        _ = try f.reveal(ea, by: f.trainer(1))
        f.expectPaid(winner: 1, loser: 2)
    }

    @Test func candidateTimeoutSlashesAndMovesToTheNextCandidate() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        let (ea, eb) = try f.submitReferenceAndRevealTruth(against: f.predictions(seed: 2, rows: 25, epochs: 3))
        try world.bounty(.claim(bounty: f.id, score: try f.score(ea)), from: f.trainer(1))
        try world.bounty(.claim(bounty: f.id, score: try f.score(eb)), from: f.trainer(2))
        try world.warp(f.window)
        try world.bounty(.pick(bounty: f.id), from: f.requester)
        let deadline = try #require(f.bounty?.candidateDeadline)
        #expect(throws: ModelBountyError.windowStillOpen(bounty: f.id, window: .candidate, closesAt: deadline, now: world.now)) {
            try world.bounty(.timeout(bounty: f.id), from: f.trainer(2))
        }
        #expect(throws: ModelBountyError.notCandidate(bounty: f.id, caller: f.trainer(2).address, candidate: f.trainer(1).address)) {
            try f.reveal(eb, by: f.trainer(2))
        }
        try world.warp(f.window)
        #expect(throws: ModelBountyError.windowClosed(bounty: f.id, window: .candidate, closedAt: deadline, now: world.now)) {
            try f.reveal(ea, by: f.trainer(1))
        }
        let r = try world.bounty(.timeout(bounty: f.id), from: f.trainer(2))
        #expect(r.events.contains { $0.kind == "Slashed" && $0[field: "reason"] == "timeout" })
        #expect(f.bounty?.candidate == 1)
        _ = try f.reveal(eb, by: f.trainer(2))
        #expect(f.bounty?.winner == f.trainer(2).address)
        f.expectPaid(winner: 2, loser: 1)
    }

    @Test func noHonestCandidateRefundsTheRequesterWithTheLostStakes() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        let (ea, _) = try f.submitReferenceAndRevealTruth(against: f.predictions(seed: 2))
        try world.bounty(.claim(bounty: f.id, score: 10_000), from: f.trainer(1))  // inflated
        try world.bounty(.claim(bounty: f.id, score: 9999), from: f.trainer(2))    // inflated too
        try world.warp(f.window)
        try world.bounty(.pick(bounty: f.id), from: f.requester)
        _ = try f.reveal(ea, by: f.trainer(1))   // mismatch: slashed
        try world.warp(f.window)                 // B never reveals
        let r = try world.bounty(.timeout(bounty: f.id), from: f.requester)
        #expect(r.events.contains { $0.kind == "Refunded" })
        #expect(f.bounty?.outcome == .refunded)
        #expect(world.balance(f.requester) == u(1_000_000 + 200))
        #expect(world.balance(f.trainer(1)) == u(1_000_000 - 100))
        #expect(world.balance(f.trainer(2)) == u(1_000_000 - 100))
        #expect(world.escrowHeld(f.bounty!.escrow) == .zero)
    }

    @Test func trainerWithdrawalReturnsTheStakeBeforeTheDeadlineAndForfeitsItAfter() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        let ea = try f.submitReferenceAndTwoOneRowEntries()
        try world.bounty(.withdraw(bounty: f.id), from: f.trainer(2))
        #expect(world.balance(f.trainer(2)) == u(1_000_000))
        #expect(throws: ModelBountyError.submissionStatus(bounty: f.id, trainer: f.trainer(2).address, action: "withdraw", status: .withdrawn, expected: [.committed, .claimed])) {
            try world.bounty(.withdraw(bounty: f.id), from: f.trainer(2))
        }
        try f.pastDeadline()
        try world.bounty(.withdraw(bounty: f.id), from: f.trainer(3))
        #expect(world.balance(f.trainer(3)) == u(1_000_000 - 100))
        try f.revealTruth()
        try world.bounty(.claim(bounty: f.id, score: try f.score(ea)), from: f.trainer(1))
        try world.warp(f.window)
        try world.bounty(.pick(bounty: f.id), from: f.requester)
        #expect(throws: ModelBountyError.candidateMayNotWithdraw(bounty: f.id, trainer: f.trainer(1).address, deadline: world.now + 900)) {
            try world.bounty(.withdraw(bounty: f.id), from: f.trainer(1))
        }
        _ = try f.reveal(ea, by: f.trainer(1))
        f.expectPaid(winner: 1, loser: 3)
    }

    @Test func requesterCancelWithoutSubmissionsRefundsWithoutPenalty() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        try f.submit(f.entry([1], seed: 2), by: f.trainer(1))
        try world.bounty(.withdraw(bounty: f.id), from: f.trainer(1))  // no live submission left
        try world.bounty(.cancel(bounty: f.id), from: f.requester)
        #expect(world.balance(f.requester) == u(1_000_000))
        #expect(world.balance(f.trainer(1)) == u(1_000_000))
        #expect(f.bounty?.outcome == .cancelled)
    }

    @Test func requesterCancelWithSubmissionsSharesTheRewardAmongTrainers() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        try f.submit(f.entry([1], seed: 1), by: f.trainer(1))
        try f.submit(f.entry([1], seed: 2), by: f.trainer(2))
        try world.bounty(.cancel(bounty: f.id), from: f.requester)
        #expect(world.balance(f.trainer(1)) == u(1_000_000 + 500))
        #expect(world.balance(f.trainer(2)) == u(1_000_000 + 500))
        #expect(world.balance(f.requester) == u(1_000_000 - 1000))
    }

    @Test func requesterCancelDuringVerificationPaysGoodStandingTrainersAndTheLostPool() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        let ea = try f.submitReferenceAndTwoOneRowEntries()
        try f.pastDeadline()
        try f.revealTruth()
        try world.bounty(.claim(bounty: f.id, score: try f.score(ea)), from: f.trainer(1))
        try world.bounty(.claim(bounty: f.id, score: 1), from: f.trainer(2))
        try world.warp(f.window)
        try world.bounty(.pick(bounty: f.id), from: f.requester)
        try world.bounty(.cancel(bounty: f.id), from: f.requester)
        // Trainer 3 never claimed: its stake joins the pool shared by trainers 1 and 2.
        #expect(world.balance(f.trainer(1)) == u(1_000_000 + 550))
        #expect(world.balance(f.trainer(2)) == u(1_000_000 + 550))
        #expect(world.balance(f.trainer(3)) == u(1_000_000 - 100))
        #expect(world.escrowHeld(f.bounty!.escrow) == .zero)
    }
}
