import Foundation
import Testing
import LedgerCore
import ModelMarketKit

@Suite struct DataBountyTests {
    /// Expected payout for a round that moves the best error from `previous` to `new`.
    func payout(_ f: DataBountyFixture, from previous: UInt64, to new: UInt64) throws -> UInt256 {
        let effective = max(new, f.terms.targetError)
        guard effective < previous else { return .zero }
        return try UInt256.multiplyThenDivide(f.terms.bounty, UInt256(previous - effective), UInt256(f.terms.initialError - f.terms.targetError)).quotient
    }

    @Test func fiveOwnersReachTheTargetAndArePaidExactly() throws {
        let world = try World()
        var f = try DataBountyFixture(world: world)
        try f.joinAll()
        var expected = [UInt256](repeating: .zero, count: 5)
        var previous = f.terms.initialError
        var rounds = 0
        while f.bounty?.targetReachedAt == nil, rounds < 30 {
            rounds += 1
            let grads = f.gradients()
            try f.commitRound(grads.map { Keccak256.hash("\($0)") }, aggregate: Keccak256.hash("sum \(rounds)"))
            let sum = (0..<31).map { j in grads.reduce(0) { $0 + $1[j] } }
            try f.post(sum: sum)
            let error = try #require(f.bounty?.rounds.last?.error)
            let p = try payout(f, from: previous, to: error)
            for i in 0..<5 { expected[i] = try expected[i] + (try p.dividedReportingRemainder(by: 5).quotient) }
            previous = min(previous, error)
        }
        let b = try #require(f.bounty)
        #expect(b.targetReachedAt != nil, "target not reached in \(rounds) rounds, best \(b.bestError)")
        for i in 0..<5 { #expect(b.owners[i].earned == expected[i], "owner \(i + 1)") }
        #expect(b.paid <= f.terms.bounty)
        #expect(world.escrowHeld(b.escrow) == (try b.expectedEscrowHeld()))
        // Rounds are closed once the target is reached.
        #expect(throws: DataBountyError.wrongPhase(bounty: f.id, action: "commit a gradient", phase: .awaitingReveal, expected: [.training])) {
            try f.send(.commitGradient(bounty: f.id, round: b.currentRound, gradientHash: .zero), from: f.owner(1))
        }
        try f.reveal()
        // An honest round's error cannot be challenged.
        #expect(throws: DataBountyError.errorMatches(bounty: f.id, round: 0, posted: f.terms.initialError, recomputed: f.terms.initialError)) {
            try f.send(.challengeError(bounty: f.id, round: 0, weights: [Int64](repeating: 0, count: 31)), from: f.owner(2))
        }
        let challengeEnd = try #require(f.bounty?.challengeDeadline)
        #expect(throws: DataBountyError.windowStillOpen(bounty: f.id, window: .challenge, closesAt: challengeEnd, now: world.now)) {
            try f.send(.finalize(bounty: f.id), from: f.owner(2))
        }
        try world.warp(3600)
        try f.send(.finalize(bounty: f.id), from: f.owner(2))
        let end = try #require(f.bounty)
        #expect(end.finalized && world.escrowHeld(end.escrow) == .zero)
        for i in 0..<5 { #expect(world.balance(f.owner(i + 1)) == (try u(1_000_000) + expected[i])) }
        #expect(world.balance(f.sponsor) == (try u(1_000_000) - end.paid))
        #expect(try world.totalHeld() == u(8_000_000))
    }

    @Test func payoutsAreCappedWhenTheErrorFallsBelowTheTarget() throws {
        let world = try World()
        // A target just under the initial error: the first round overshoots it.
        var f = try DataBountyFixture(world: world, split: .declaredSamples, targetError: 3000)
        try f.joinAll()
        let grads = f.gradients()
        try f.commitRound(grads.map { Keccak256.hash("\($0)") }, aggregate: Keccak256.hash("sum"))
        try f.post(sum: (0..<31).map { j in grads.reduce(0) { $0 + $1[j] } })
        let b = try #require(f.bounty)
        #expect(try #require(b.rounds.last?.error) < 3000)
        // Sonar would pay bounty·(initial − new)/(initial − target) > bounty; here at most the bounty,
        // split by declared samples with floor rounding.
        #expect(b.paid <= f.terms.bounty)
        let total = f.shards.reduce(0) { $0 + $1.count }
        for i in 0..<5 {
            #expect(b.owners[i].earned == (try UInt256.multiplyThenDivide(f.terms.bounty, UInt256(UInt64(f.shards[i].count)), UInt256(UInt64(total))).quotient))
        }
        #expect(b.phase(at: world.now) == .awaitingReveal)
    }

    @Test func aFalsePostedErrorIsChallengedAndTheBondGoesToTheOwners() throws {
        let world = try World()
        var f = try DataBountyFixture(world: world)
        try f.joinAll()
        let grads = f.gradients()
        try f.commitRound(grads.map { Keccak256.hash("\($0)") }, aggregate: Keccak256.hash("sum"))
        // The sponsor updates honestly but reports a worse error, to pay less.
        let sum = (0..<31).map { j in grads.reduce(0) { $0 + $1[j] } }
        f.weights = TaylorLogistic.step(weights: f.weights, gradientSum: sum, count: 455, learningRate: 0.3)
        let honest = try f.validationError()
        let roundWeights = f.quantized
        try f.send(.postRound(bounty: f.id, round: 1, weightsHash: IntegerModel.weightsHash(roundWeights), error: f.terms.initialError - 1, contributions: []), from: f.sponsor)
        // Round 2 is honest; the sponsor then reveals (its final error is right).
        let grads2 = f.gradients()
        try f.commitRound(grads2.map { Keccak256.hash("\($0)") }, aggregate: Keccak256.hash("sum2"))
        try f.post(sum: (0..<31).map { j in grads2.reduce(0) { $0 + $1[j] } })
        try world.warp(86_400)
        try f.reveal()
        #expect(f.bounty?.sponsorSlashed == false)
        let before = (1...5).map { world.balance(f.owner($0)) }
        let r = try f.send(.challengeError(bounty: f.id, round: 1, weights: roundWeights), from: f.owner(3))
        #expect(r.events.contains { $0.kind == "SponsorSlashed" && $0[field: "reason"] == "round 1 error posted \(f.terms.initialError - 1), recomputed \(honest)" })
        for i in 0..<5 { #expect(world.balance(f.owner(i + 1)) == (try before[i] + u(10_000))) }
        #expect(throws: DataBountyError.sponsorAlreadySlashed(bounty: f.id)) {
            try f.send(.challengeError(bounty: f.id, round: 1, weights: roundWeights), from: f.owner(3))
        }
        try world.warp(3600)
        try f.send(.finalize(bounty: f.id), from: f.owner(1))
        let b = try #require(f.bounty)
        #expect(world.escrowHeld(b.escrow) == .zero)
        #expect(world.balance(f.sponsor) == (try u(1_000_000) - b.paid - u(50_000)))
    }

    @Test func aMissedRevealSlashesTheBond() throws {
        let world = try World()
        let f = try DataBountyFixture(world: world, deadlineIn: 600)
        try f.joinAll()
        try world.warp(600)
        #expect(throws: DataBountyError.windowStillOpen(bounty: f.id, window: .reveal, closesAt: world.now + 3600, now: world.now)) {
            try f.send(.finalize(bounty: f.id), from: f.owner(1))
        }
        try world.warp(3600)
        #expect(throws: DataBountyError.windowClosed(bounty: f.id, window: .reveal, closedAt: world.now, now: world.now)) { try f.reveal() }
        try f.send(.finalize(bounty: f.id), from: f.owner(1))
        for i in 1...5 { #expect(world.balance(f.owner(i)) == u(1_000_000 + 10_000)) }
        #expect(world.balance(f.sponsor) == u(1_000_000 - 50_000))
    }

    @Test func refusalsNameTheRuleAndChangeNothing() throws {
        let world = try World()
        let f = try DataBountyFixture(world: world)
        func refused(_ call: DataBountyModule.Call, from key: PrivateKey, _ error: DataBountyError, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let before = try world.chain.stateHash()
            #expect(throws: error, sourceLocation: sourceLocation) { try f.send(call, from: key) }
            #expect(try world.chain.stateHash() == before, sourceLocation: sourceLocation)
        }
        var t = f.terms
        t.id = 2
        t.targetError = t.initialError
        try refused(.create(t), from: f.sponsor, .invalidTerms(field: "targetError", reason: "\(t.initialError) must be below the initial error \(t.initialError)"))
        t = f.terms
        try refused(.create(t), from: f.sponsor, .wrongBountyID(requested: 1, next: 2))
        try refused(.join(bounty: f.id, declaredSamples: 10, attribution: false), from: f.sponsor, .sponsorMayNotJoin(bounty: f.id))
        try refused(.commitGradient(bounty: f.id, round: 1, gradientHash: .zero), from: f.owner(1), .notOwner(bounty: f.id, caller: f.owner(1).address))
        try f.joinAll()
        try refused(.join(bounty: f.id, declaredSamples: 10, attribution: false), from: f.owner(1), .alreadyJoined(bounty: f.id, owner: f.owner(1).address))
        try refused(.commitAggregate(bounty: f.id, round: 1, aggregateHash: .zero), from: f.owner(1), .noGradients(bounty: f.id, round: 1))
        try refused(.commitGradient(bounty: f.id, round: 2, gradientHash: .zero), from: f.owner(1), .wrongRound(bounty: f.id, round: 2, current: 1))
        try f.send(.commitGradient(bounty: f.id, round: 1, gradientHash: .zero), from: f.owner(2))
        try f.send(.commitGradient(bounty: f.id, round: 1, gradientHash: .zero), from: f.owner(3))
        try refused(.commitGradient(bounty: f.id, round: 1, gradientHash: .zero), from: f.owner(2), .alreadyCommitted(bounty: f.id, round: 1, owner: f.owner(2).address))
        try refused(.postRound(bounty: f.id, round: 1, weightsHash: .zero, error: 1, contributions: []), from: f.sponsor, .aggregateMissing(bounty: f.id, round: 1))
        // Round 1 rotates to the first committer by join order (owner 2).
        try refused(.commitAggregate(bounty: f.id, round: 1, aggregateHash: .zero), from: f.owner(3),
                    .notAggregator(bounty: f.id, round: 1, caller: f.owner(3).address, aggregator: f.owner(2).address))
        try f.send(.commitAggregate(bounty: f.id, round: 1, aggregateHash: .zero), from: f.owner(2))
        try refused(.commitGradient(bounty: f.id, round: 1, gradientHash: .zero), from: f.owner(4), .aggregateCommitted(bounty: f.id, round: 1))
        try refused(.postRound(bounty: f.id, round: 1, weightsHash: .zero, error: 1, contributions: []), from: f.owner(1),
                    .notSponsor(bounty: f.id, caller: f.owner(1).address, sponsor: f.sponsor.address))
        try refused(.postRound(bounty: f.id, round: 1, weightsHash: .zero, error: 1, contributions: [.init(owner: f.owner(2).address, score: 1)]), from: f.sponsor,
                    .contributionNotAllowed(bounty: f.id, owner: f.owner(2).address, reason: "the owner did not opt in to attribution mode"))
        try refused(.postRound(bounty: f.id, round: 1, weightsHash: .zero, error: 1, contributions: [.init(owner: f.owner(4).address, score: 1)]), from: f.sponsor,
                    .contributionNotAllowed(bounty: f.id, owner: f.owner(4).address, reason: "not a participant of round 1"))
        try refused(.reveal(bounty: f.id, features: f.validationFeatures, labels: f.validationLabels, salt: f.salt, finalWeights: []), from: f.sponsor,
                    .windowStillOpen(bounty: f.id, window: .training, closesAt: f.terms.deadline, now: world.now))
        try refused(.challengeError(bounty: f.id, round: 0, weights: []), from: f.owner(1),
                    .wrongPhase(bounty: f.id, action: "challenge an error", phase: .training, expected: [.challenge]))
        try world.warp(86_400)
        try refused(.join(bounty: f.id, declaredSamples: 10, attribution: false), from: f.owner(6),
                    .windowClosed(bounty: f.id, window: .training, closedAt: f.terms.deadline, now: world.now))
        let wrongSalt = Salt.deterministic(seed: 1)
        let computed = Commitment.make(.validation, bountyID: f.id, committer: f.sponsor.address, salt: wrongSalt,
                                       payloadHash: IntegerModel.validationPayloadHash(features: f.validationFeatures, labels: f.validationLabels))
        try refused(.reveal(bounty: f.id, features: f.validationFeatures, labels: f.validationLabels, salt: wrongSalt, finalWeights: f.quantized), from: f.sponsor,
                    .validationMismatch(bounty: f.id, committed: f.terms.validationCommitment, computed: computed))
    }

    @Test func integerModelMatchesTheDefinitionAndRefusesOutOfRange() throws {
        // Two features, w = (1, −1), b = 0: predict 1 iff x₁ ≥ x₂.
        let s = IntegerModel.scale
        let features: [[Int64]] = [[2 * s, s], [s, 2 * s], [s, s]]
        #expect(try IntegerModel.error(.logistic, weights: [s, -s, 0], features: features, labels: [1, 0, 0]) == 3333)
        // Linear: ŷ = x₁ (scale units); squared errors 0, 0, (s)² → mean s²/3.
        #expect(try IntegerModel.error(.linear, weights: [s, 0, 0], features: features, labels: [2 * s, s, 0]) == UInt64(s * s / 3))
        #expect(throws: IntegerModelError.outOfRange(field: "weights", index: 0, value: IntegerModel.maximumMagnitude + 1)) {
            try IntegerModel.error(.logistic, weights: [IntegerModel.maximumMagnitude + 1, 0, 0], features: features, labels: [1, 0, 0])
        }
        #expect(throws: IntegerModelError.label(index: 0, value: 2, reason: "expected 0 or 1")) {
            try IntegerModel.error(.logistic, weights: [0, 0, 0], features: features, labels: [2, 0, 0])
        }
    }
}
