import Foundation
import Testing
import LedgerCore
import ModelMarketKit

/// Every refusal names its rule, window or status with the times, and changes nothing.
@Suite struct ModelBountyRefusalTests {
    /// Expects `call` from `key` to be refused with exactly `error`, leaving the state hash unchanged.
    func refused(_ world: World, _ call: ModelBountyModule.Call, from key: PrivateKey, _ error: ModelBountyError,
                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try world.chain.stateHash()
        let height = world.chain.height
        #expect(throws: error, sourceLocation: sourceLocation) { try world.bounty(call, from: key) }
        #expect(try world.chain.stateHash() == before, sourceLocation: sourceLocation)
        #expect(world.chain.height == height, sourceLocation: sourceLocation)
        #expect(!error.description.isEmpty)
    }

    @Test func createRefusesBadTerms() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        let r = f.requester
        var t = try #require(f.bounty).terms
        t.id = 5
        try refused(world, .create(t), from: r, .wrongBountyID(requested: 5, next: 2))
        t.id = 2
        var z = t; z.reward = .zero
        try refused(world, .create(z), from: r, .invalidTerms(field: "reward", reason: "must be greater than zero"))
        z = t; z.stake = .zero
        try refused(world, .create(z), from: r, .invalidTerms(field: "stake", reason: "must be greater than zero, or slashing has no effect"))
        z = t; z.submissionDeadline = world.now
        try refused(world, .create(z), from: r, .invalidTerms(field: "submissionDeadline", reason: "\(world.now) is not after the block time \(world.now)"))
        z = t; z.responseWindow = 10
        try refused(world, .create(z), from: r, .invalidTerms(field: "responseWindow", reason: "10 s, expected 60 s to 30 days"))
        z = t; z.metric = .accuracy(classes: 1)
        try refused(world, .create(z), from: r, .invalidTerms(field: "metric.classes", reason: "1, expected at least 2 classes"))
        z = t; z.reward = u(2_000_000)
        try refused(world, .create(z), from: r, .ledger(.insufficientBalance(token: world.token, account: r.address, balance: u(999_000), needed: u(2_000_000))))
        try refused(world, .submit(bounty: 9, commitment: .zero), from: f.trainer(1), .unknownBounty(9))
    }

    @Test func submissionRulesAreEnforced() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        try refused(world, .submit(bounty: f.id, commitment: .zero), from: f.requester, .requesterMayNotSubmit(bounty: f.id, requester: f.requester.address))
        try world.bounty(.submit(bounty: f.id, commitment: .zero), from: f.trainer(1))
        try refused(world, .submit(bounty: f.id, commitment: .zero), from: f.trainer(1), .alreadySubmitted(bounty: f.id, trainer: f.trainer(1).address))
        try refused(world, .withdraw(bounty: f.id), from: f.trainer(2), .noSubmission(bounty: f.id, trainer: f.trainer(2).address))
        try refused(world, .claim(bounty: f.id, score: 1), from: f.trainer(1), .windowNotOpen(bounty: f.id, window: .claims, opensAt: f.deadline, now: world.now))
        try refused(world, .revealTruth(bounty: f.id, labels: f.publication.truth, salt: f.truthSalt), from: f.requester,
                    .windowNotOpen(bounty: f.id, window: .truth, opensAt: f.deadline, now: world.now))
        try refused(world, .timeout(bounty: f.id), from: f.trainer(1), .windowStillOpen(bounty: f.id, window: .submission, closesAt: f.deadline, now: world.now))
        try refused(world, .pick(bounty: f.id), from: f.trainer(1), .wrongPhase(bounty: f.id, action: "pick a candidate", phase: .open, expected: [.selection]))
        try refused(world, .cancel(bounty: f.id), from: f.trainer(1), .notRequester(bounty: f.id, caller: f.trainer(1).address, requester: f.requester.address))
        try f.pastDeadline()
        try refused(world, .submit(bounty: f.id, commitment: .zero), from: f.trainer(2), .windowClosed(bounty: f.id, window: .submission, closedAt: f.deadline, now: f.deadline))
    }

    @Test func truthRevealRulesAreEnforced() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        try f.pastDeadline()
        var labels = f.publication.truth
        try refused(world, .revealTruth(bounty: f.id, labels: labels, salt: f.truthSalt), from: f.trainer(1),
                    .notRequester(bounty: f.id, caller: f.trainer(1).address, requester: f.requester.address))
        try refused(world, .revealTruth(bounty: f.id, labels: Array(labels.dropLast()), salt: f.truthSalt), from: f.requester,
                    .truthLength(bounty: f.id, expected: 143, found: 142))
        labels[3] = 2
        try refused(world, .revealTruth(bounty: f.id, labels: labels, salt: f.truthSalt), from: f.requester,
                    .invalidLabel(bounty: f.id, index: 3, value: 2, classes: 2))
        labels[3] = 1 - f.publication.truth[3]
        let wrong = Commitment.make(.truth, bountyID: f.id, committer: f.requester.address, salt: f.truthSalt, payloadHash: Commitment.truthPayloadHash(labels: labels))
        try refused(world, .revealTruth(bounty: f.id, labels: labels, salt: f.truthSalt), from: f.requester,
                    .truthMismatch(bounty: f.id, committed: try #require(f.bounty).terms.truthCommitment, computed: wrong))
        try world.warp(f.window)
        try refused(world, .revealTruth(bounty: f.id, labels: f.publication.truth, salt: f.truthSalt), from: f.requester,
                    .windowClosed(bounty: f.id, window: .truth, closedAt: f.deadline + 900, now: world.now))
    }

    @Test func claimAndRevealRulesAreEnforced() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        let ea = f.referenceEntry
        try f.submit(ea, by: f.trainer(1))
        try f.pastDeadline()
        try f.revealTruth()
        try world.bounty(.claim(bounty: f.id, score: try f.score(ea)), from: f.trainer(1))
        try refused(world, .claim(bounty: f.id, score: 1), from: f.trainer(1),
                    .submissionStatus(bounty: f.id, trainer: f.trainer(1).address, action: "claim", status: .claimed, expected: [.committed]))
        try refused(world, .claim(bounty: f.id, score: 1), from: f.trainer(2), .noSubmission(bounty: f.id, trainer: f.trainer(2).address))
        let claimsEnd = try #require(f.bounty?.claimsDeadline)
        try refused(world, .pick(bounty: f.id), from: f.trainer(1), .windowStillOpen(bounty: f.id, window: .claims, closesAt: claimsEnd, now: world.now))
        try refused(world, .timeout(bounty: f.id), from: f.trainer(1), .windowStillOpen(bounty: f.id, window: .claims, closesAt: claimsEnd, now: world.now))
        try refused(world, .reveal(bounty: f.id, predictions: ea.predictions, modelHash: ea.modelHash, salt: ea.salt), from: f.trainer(1),
                    .wrongPhase(bounty: f.id, action: "reveal", phase: .claims, expected: [.verification]))
        try refused(world, .cancel(bounty: f.id), from: f.trainer(1), .notRequester(bounty: f.id, caller: f.trainer(1).address, requester: f.requester.address))
    }

    @Test func terminalBountiesRefuseEveryCall() throws {
        let world = try World()
        let f = try BountyFixture(world: world)
        try world.bounty(.cancel(bounty: f.id), from: f.requester)
        let all: [ModelBounty.Phase] = [.open, .awaitingTruth, .claims, .selection, .verification]
        try refused(world, .cancel(bounty: f.id), from: f.requester, .wrongPhase(bounty: f.id, action: "cancel", phase: .cancelled, expected: all))
        try refused(world, .submit(bounty: f.id, commitment: .zero), from: f.trainer(1), .wrongPhase(bounty: f.id, action: "submit", phase: .cancelled, expected: [.open]))
        try refused(world, .withdraw(bounty: f.id), from: f.trainer(1), .wrongPhase(bounty: f.id, action: "withdraw", phase: .cancelled, expected: all))
        try refused(world, .claim(bounty: f.id, score: 1), from: f.trainer(1), .wrongPhase(bounty: f.id, action: "claim", phase: .cancelled, expected: [.claims]))
    }
}
