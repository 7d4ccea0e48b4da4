import LedgerCore

extension DataBounty {
    // MARK: - Create and join

    static func create(_ terms: Terms, nextID: UInt64, context: inout ExecutionContext) throws(DataBountyError) -> DataBounty {
        let now = context.timestamp
        guard terms.id == nextID else { throw .wrongBountyID(requested: terms.id, next: nextID) }
        guard !terms.bounty.isZero else { throw .invalidTerms(field: "bounty", reason: "must be greater than zero") }
        guard !terms.sponsorBond.isZero else { throw .invalidTerms(field: "sponsorBond", reason: "must be greater than zero, or a false error costs the sponsor nothing") }
        guard terms.initialError > terms.targetError else {
            throw .invalidTerms(field: "targetError", reason: "\(terms.targetError) must be below the initial error \(terms.initialError)")
        }
        if terms.model == .logistic, terms.initialError > 10_000 {
            throw .invalidTerms(field: "initialError", reason: "\(terms.initialError) basis points, expected at most 10000 for a logistic model")
        }
        guard (1...UInt32(IntegerModel.maximumFeatures)).contains(terms.featureCount) else {
            throw .invalidTerms(field: "featureCount", reason: "\(terms.featureCount), expected 1 to \(IntegerModel.maximumFeatures)")
        }
        guard (1...100_000).contains(terms.validationSize) else {
            throw .invalidTerms(field: "validationSize", reason: "\(terms.validationSize), expected 1 to 100000 rows")
        }
        guard terms.deadline > now, terms.deadline <= ModelBounty.maximumTime else {
            throw .invalidTerms(field: "deadline", reason: "\(terms.deadline), expected after the block time \(now) and before \(ModelBounty.maximumTime)")
        }
        for (field, window) in [("revealWindow", terms.revealWindow), ("challengeWindow", terms.challengeWindow)] where !(60...2_592_000).contains(window) {
            throw .invalidTerms(field: field, reason: "\(window) s, expected 60 s to 30 days")
        }
        let escrow = try dataLedger { () throws(LedgerError) in try context.openEscrow(token: terms.token, label: "databounty \(terms.id)") }
        let deposit = try dataAmount { () throws(ArithmeticError) in try terms.bounty + terms.sponsorBond }
        try dataLedger { () throws(LedgerError) in try context.depositFromSender(into: escrow, amount: deposit) }
        context.emit("DataBountyCreated", accounts: [context.sender], fields: [
            .init("id", "\(terms.id)"), .init("bounty", terms.bounty.description), .init("bond", terms.sponsorBond.description),
            .init("model", "\(terms.model) \(terms.featureCount)"), .init("initialError", "\(terms.initialError)"),
            .init("targetError", "\(terms.targetError)"), .init("deadline", "\(terms.deadline)"),
            .init("keyFingerprint", terms.keyFingerprint.hex), .init("split", terms.split.rawValue),
        ])
        return DataBounty(id: terms.id, sponsor: context.sender, terms: terms, escrow: escrow, bestError: terms.initialError)
    }

    /// The most owners one bounty accepts, so that settling stays bounded.
    public static let maximumOwners = 256

    mutating func join(declaredSamples: UInt64, attribution: Bool, context: inout ExecutionContext) throws(DataBountyError) {
        let now = context.timestamp, caller = context.sender
        try requireTraining(now, action: "join")
        guard caller != sponsor else { throw .sponsorMayNotJoin(bounty: id) }
        guard owner(caller) == nil else { throw .alreadyJoined(bounty: id, owner: caller) }
        guard owners.count < Self.maximumOwners else { throw .invalidTerms(field: "owners", reason: "limit of \(Self.maximumOwners) owners reached") }
        guard declaredSamples > 0 else { throw .invalidTerms(field: "declaredSamples", reason: "must be greater than zero") }
        if terms.split == .contribution, !attribution { throw .attributionRequired(bounty: id) }
        if !terms.ownerStake.isZero {
            try dataLedger { () throws(LedgerError) in try context.depositFromSender(into: escrow, amount: terms.ownerStake) }
        }
        owners.append(Owner(address: caller, index: UInt32(owners.count), declaredSamples: declaredSamples, attribution: attribution,
                            slashed: false, stakeSettled: terms.ownerStake.isZero, earned: .zero))
        context.emit("OwnerJoined", accounts: [caller], fields: [
            .init("bounty", "\(id)"), .init("samples", "\(declaredSamples)"), .init("attribution", "\(attribution)"),
        ])
    }

    // MARK: - Rounds

    mutating func commitGradient(round: UInt64, hash: Hash32, context: inout ExecutionContext) throws(DataBountyError) {
        let caller = context.sender
        try requireTraining(context.timestamp, action: "commit a gradient")
        guard let o = owner(caller) else { throw .notOwner(bounty: id, caller: caller) }
        guard !o.slashed else { throw .ownerSlashed(bounty: id, owner: caller) }
        guard round == currentRound else { throw .wrongRound(bounty: id, round: round, current: currentRound) }
        if rounds.last?.number != round { rounds.append(Round(number: round)) }
        let r = rounds.count - 1
        guard rounds[r].aggregateHash == nil else { throw .aggregateCommitted(bounty: id, round: round) }
        guard !rounds[r].gradients.contains(where: { $0.owner == caller }) else { throw .alreadyCommitted(bounty: id, round: round, owner: caller) }
        rounds[r].gradients.append(Round.Gradient(owner: caller, hash: hash))
        context.emit("GradientCommitted", accounts: [caller], fields: [.init("bounty", "\(id)"), .init("round", "\(round)"), .init("hash", hash.hex)])
    }

    mutating func commitAggregate(round: UInt64, hash: Hash32, context: inout ExecutionContext) throws(DataBountyError) {
        let caller = context.sender
        try requireTraining(context.timestamp, action: "commit an aggregate")
        guard round == currentRound else { throw .wrongRound(bounty: id, round: round, current: currentRound) }
        guard let r = rounds.indices.last, rounds[r].number == round, !rounds[r].gradients.isEmpty else { throw .noGradients(bounty: id, round: round) }
        guard rounds[r].aggregateHash == nil else { throw .aggregateCommitted(bounty: id, round: round) }
        guard let designated = aggregator(of: rounds[r]) else { throw .noGradients(bounty: id, round: round) }
        guard caller == designated else { throw .notAggregator(bounty: id, round: round, caller: caller, aggregator: designated) }
        rounds[r].aggregator = caller
        rounds[r].aggregateHash = hash
        context.emit("AggregateCommitted", accounts: [caller], fields: [
            .init("bounty", "\(id)"), .init("round", "\(round)"), .init("hash", hash.hex), .init("gradients", "\(rounds[r].gradients.count)"),
        ])
    }

    mutating func postRound(round: UInt64, weightsHash: Hash32, error: UInt64, contributions: [Contribution], context: inout ExecutionContext) throws(DataBountyError) {
        let now = context.timestamp
        guard context.sender == sponsor else { throw .notSponsor(bounty: id, caller: context.sender, sponsor: sponsor) }
        try requireTraining(now, action: "post a round")
        guard round == currentRound else { throw .wrongRound(bounty: id, round: round, current: currentRound) }
        guard let r = rounds.indices.last, rounds[r].number == round, rounds[r].aggregateHash != nil else {
            throw .aggregateMissing(bounty: id, round: round)
        }
        let participants = rounds[r].gradients.map(\.owner)
        // Contributions: only for this round's participants who opted in, once each.
        var seen: [Address] = []
        for c in contributions {
            guard participants.contains(c.owner), let o = owner(c.owner) else {
                throw .contributionNotAllowed(bounty: id, owner: c.owner, reason: "not a participant of round \(round)")
            }
            guard o.attribution else { throw .contributionNotAllowed(bounty: id, owner: c.owner, reason: "the owner did not opt in to attribution mode") }
            guard !seen.contains(c.owner) else { throw .contributionNotAllowed(bounty: id, owner: c.owner, reason: "scored twice") }
            seen.append(c.owner)
        }
        if terms.split == .contribution, let missing = participants.first(where: { p in !contributions.contains { $0.owner == p } }) {
            throw .missingContribution(bounty: id, round: round, owner: missing)
        }
        // Slash owners whose data lowered accuracy (negative Data-Shapley value).
        for c in contributions where c.score < 0 {
            guard let i = owners.firstIndex(where: { $0.address == c.owner }), !owners[i].slashed else { continue }
            owners[i].slashed = true
            context.emit("OwnerSlashed", accounts: [c.owner], fields: [
                .init("bounty", "\(id)"), .init("round", "\(round)"), .init("contribution", "\(c.score)"), .init("stake", terms.ownerStake.description),
            ])
        }
        // Payout = bounty · (best − max(new, target)) / (initial − target), floor, capped at what is left.
        let effective = max(error, terms.targetError)
        var payout = UInt256.zero
        if effective < bestError {
            let (quotient, _) = try dataAmount { () throws(ArithmeticError) in
                try UInt256.multiplyThenDivide(terms.bounty, UInt256(bestError - effective), UInt256(terms.initialError - terms.targetError))
            }
            let left = try dataAmount { () throws(ArithmeticError) in try terms.bounty - paid }
            payout = min(quotient, left)
        }
        let eligible = participants.compactMap { p in owners.first { $0.address == p && !$0.slashed } }
        let released = try distribute(payout, among: eligible, contributions: contributions, context: &context)
        paid = try dataAmount { () throws(ArithmeticError) in try paid + released }
        rounds[r].weightsHash = weightsHash
        rounds[r].error = error
        rounds[r].payout = released
        rounds[r].contributions = contributions
        bestError = min(bestError, error)
        if error <= terms.targetError, targetReachedAt == nil { targetReachedAt = now }
        context.emit("RoundPosted", accounts: [sponsor], fields: [
            .init("bounty", "\(id)"), .init("round", "\(round)"), .init("error", "\(error)"), .init("bestError", "\(bestError)"),
            .init("payout", released.description), .init("weightsHash", weightsHash.hex),
            .init("targetReached", "\(targetReachedAt != nil)"),
        ])
    }

    /// Pays `payout` to `eligible` by the split rule (floors; the dust stays in escrow and goes
    /// back to the sponsor at the end). Returns what was released.
    mutating func distribute(_ payout: UInt256, among eligible: [Owner], contributions: [Contribution], context: inout ExecutionContext) throws(DataBountyError) -> UInt256 {
        guard !payout.isZero, !eligible.isEmpty else { return .zero }
        var weights: [(Address, UInt256)] = []
        switch terms.split {
        case .equal: weights = eligible.map { ($0.address, .one) }
        case .declaredSamples: weights = eligible.map { ($0.address, UInt256($0.declaredSamples)) }
        case .contribution:
            weights = eligible.compactMap { o in
                guard let c = contributions.first(where: { $0.owner == o.address }), c.score > 0 else { return nil }
                return (o.address, UInt256(UInt64(c.score)))
            }
        }
        var total = UInt256.zero
        for (_, w) in weights { total = try dataAmount { () throws(ArithmeticError) in try total + w } }
        guard !total.isZero else { return .zero }
        var released = UInt256.zero
        for (address, weight) in weights {
            let (share, _) = try dataAmount { () throws(ArithmeticError) in try UInt256.multiplyThenDivide(payout, weight, total) }
            guard !share.isZero else { continue }
            try dataLedger { () throws(LedgerError) in try context.release(from: escrow, to: address, amount: share) }
            if let i = owners.firstIndex(where: { $0.address == address }) {
                owners[i].earned = try dataAmount { () throws(ArithmeticError) in try owners[i].earned + share }
            }
            released = try dataAmount { () throws(ArithmeticError) in try released + share }
        }
        return released
    }

    // MARK: - Verification

    mutating func reveal(features: [[Int64]], labels: [Int64], salt: Salt, finalWeights: [Int64], context: inout ExecutionContext) throws(DataBountyError) {
        let now = context.timestamp
        guard context.sender == sponsor else { throw .notSponsor(bounty: id, caller: context.sender, sponsor: sponsor) }
        let phase = phase(at: now)
        guard phase == .awaitingReveal else {
            if phase == .training { throw .windowStillOpen(bounty: id, window: .training, closesAt: terms.deadline, now: now) }
            if phase == .finalizable, revealedAt == nil { throw .windowClosed(bounty: id, window: .reveal, closedAt: revealDeadline, now: now) }
            throw .wrongPhase(bounty: id, action: "reveal", phase: phase, expected: [.awaitingReveal])
        }
        guard labels.count == Int(terms.validationSize), features.count == labels.count else {
            throw .validationShape(bounty: id, reason: "\(features.count) rows and \(labels.count) labels, expected \(terms.validationSize) of each")
        }
        let computed = Commitment.make(.validation, bountyID: id, committer: sponsor, salt: salt,
                                       payloadHash: IntegerModel.validationPayloadHash(features: features, labels: labels))
        guard computed == terms.validationCommitment else { throw .validationMismatch(bounty: id, committed: terms.validationCommitment, computed: computed) }
        let lastHash = rounds.last(where: { $0.weightsHash != nil })?.weightsHash ?? terms.initialWeightsHash
        let finalHash = IntegerModel.weightsHash(finalWeights)
        guard finalHash == lastHash else { throw .weightsMismatch(bounty: id, round: postedRounds, posted: lastHash, computed: finalHash) }
        // The set must be evaluable (shape, ranges, labels), or no error could be checked.
        do {
            _ = try IntegerModel.error(terms.model, weights: [Int64](repeating: 0, count: Int(terms.featureCount) + 1), features: features, labels: labels)
        } catch { throw .model(error) }
        validationFeatures = features
        validationLabels = labels
        self.finalWeights = finalWeights
        revealedAt = now
        context.emit("ValidationRevealed", accounts: [sponsor], fields: [
            .init("bounty", "\(id)"), .init("rows", "\(labels.count)"), .init("finalWeightsHash", finalHash.hex),
            .init("challengeUntil", "\(later(now, terms.challengeWindow))"),
        ])
        // The final round is checked at once; any earlier one by `challengeError`.
        let posted = rounds.last(where: { $0.error != nil })?.error ?? terms.initialError
        if let recomputed = try? IntegerModel.error(terms.model, weights: finalWeights, features: features, labels: labels) {
            if recomputed != posted { try slashSponsor(reason: "final error posted \(posted), recomputed \(recomputed)", context: &context) }
        } else {
            try slashSponsor(reason: "final weights cannot be evaluated", context: &context)
        }
    }

    /// The number of posted rounds.
    public var postedRounds: UInt64 { UInt64(rounds.filter { $0.error != nil }.count) }

    mutating func challenge(round: UInt64, weights: [Int64], context: inout ExecutionContext) throws(DataBountyError) {
        let now = context.timestamp
        let phase = phase(at: now)
        guard phase == .challenge, let features = validationFeatures, let labels = validationLabels else {
            throw .wrongPhase(bounty: id, action: "challenge an error", phase: phase, expected: [.challenge])
        }
        guard !sponsorSlashed else { throw .sponsorAlreadySlashed(bounty: id) }
        let postedHash: Hash32, postedError: UInt64
        if round == 0 {
            (postedHash, postedError) = (terms.initialWeightsHash, terms.initialError)
        } else {
            guard round <= UInt64(rounds.count), let h = rounds[Int(round - 1)].weightsHash, let e = rounds[Int(round - 1)].error else {
                throw .unknownRound(bounty: id, round: round, posted: postedRounds)
            }
            (postedHash, postedError) = (h, e)
        }
        let computed = IntegerModel.weightsHash(weights)
        guard computed == postedHash else { throw .weightsMismatch(bounty: id, round: round, posted: postedHash, computed: computed) }
        let recomputed: UInt64
        do { recomputed = try IntegerModel.error(terms.model, weights: weights, features: features, labels: labels) } catch {
            // The sponsor posted weights the agreed model cannot evaluate: its error is unverifiable.
            return try slashSponsor(reason: "round \(round) weights: \(error)", context: &context)
        }
        guard recomputed != postedError else { throw .errorMatches(bounty: id, round: round, posted: postedError, recomputed: recomputed) }
        try slashSponsor(reason: "round \(round) error posted \(postedError), recomputed \(recomputed)", context: &context)
    }

    /// Pays the sponsor's bond to the owners: equal shares, the remainder to the first owner.
    /// With no owners nobody was harmed and the bond stays for the sponsor.
    mutating func slashSponsor(reason: String, context: inout ExecutionContext) throws(DataBountyError) {
        guard !sponsorSlashed, !owners.isEmpty else { return }
        sponsorSlashed = true
        let (share, remainder) = try dataAmount { () throws(ArithmeticError) in try terms.sponsorBond.dividedReportingRemainder(by: UInt256(UInt64(owners.count))) }
        for (n, o) in owners.enumerated() {
            let value = try dataAmount { () throws(ArithmeticError) in try share + (n == 0 ? remainder : .zero) }
            if !value.isZero { try dataLedger { () throws(LedgerError) in try context.release(from: escrow, to: o.address, amount: value) } }
        }
        context.emit("SponsorSlashed", accounts: owners.map(\.address), fields: [
            .init("bounty", "\(id)"), .init("reason", reason), .init("bond", terms.sponsorBond.description),
        ])
    }

    // MARK: - Settlement

    mutating func finalize(context: inout ExecutionContext) throws(DataBountyError) {
        let now = context.timestamp
        let phase = phase(at: now)
        switch phase {
        case .finalizable: break
        case .training: throw .windowStillOpen(bounty: id, window: .training, closesAt: terms.deadline, now: now)
        case .awaitingReveal: throw .windowStillOpen(bounty: id, window: .reveal, closesAt: revealDeadline, now: now)
        case .challenge: throw .windowStillOpen(bounty: id, window: .challenge, closesAt: challengeDeadline ?? now, now: now)
        case .closed: throw .wrongPhase(bounty: id, action: "finalize", phase: .closed, expected: [.finalizable])
        }
        if revealedAt == nil { try slashSponsor(reason: "validation set not revealed by \(revealDeadline)", context: &context) }
        // The rest of the bounty (and the bond, unless slashed) returns to the sponsor.
        var toSponsor = try dataAmount { () throws(ArithmeticError) in try terms.bounty - paid }
        if !sponsorSlashed { toSponsor = try dataAmount { () throws(ArithmeticError) in try toSponsor + terms.sponsorBond } }
        finalized = true
        if !toSponsor.isZero { try dataLedger { () throws(LedgerError) in try context.release(from: escrow, to: sponsor, amount: toSponsor) } }
        // Stakes: honest owners get theirs back; slashed stakes are shared among the honest
        // owners (never the sponsor, who decided the slashing); with no honest owner left, each
        // slashed stake goes back to its owner, since there is nobody to compensate.
        let honest = owners.indices.filter { !owners[$0].slashed && !owners[$0].stakeSettled }
        let slashed = owners.indices.filter { owners[$0].slashed && !owners[$0].stakeSettled }
        for i in honest { try releaseStake(i, to: owners[i].address, extra: .zero, context: &context) }
        if honest.isEmpty {
            for i in slashed { try releaseStake(i, to: owners[i].address, extra: .zero, context: &context) }
        } else if !slashed.isEmpty {
            let pool = try dataAmount { () throws(ArithmeticError) in try terms.ownerStake * UInt256(UInt64(slashed.count)) }
            for i in slashed { owners[i].stakeSettled = true }
            let (share, remainder) = try dataAmount { () throws(ArithmeticError) in try pool.dividedReportingRemainder(by: UInt256(UInt64(honest.count))) }
            for (n, i) in honest.enumerated() {
                let value = try dataAmount { () throws(ArithmeticError) in try share + (n == 0 ? remainder : .zero) }
                if !value.isZero { try dataLedger { () throws(LedgerError) in try context.release(from: escrow, to: owners[i].address, amount: value) } }
            }
        }
        context.emit("DataBountyFinalized", accounts: [sponsor], fields: [
            .init("bounty", "\(id)"), .init("paid", paid.description), .init("returned", toSponsor.description),
            .init("bestError", "\(bestError)"), .init("sponsorSlashed", "\(sponsorSlashed)"),
        ])
    }

    mutating func releaseStake(_ i: Int, to: Address, extra: UInt256, context: inout ExecutionContext) throws(DataBountyError) {
        guard !owners[i].stakeSettled else { return }
        owners[i].stakeSettled = true
        let value = try dataAmount { () throws(ArithmeticError) in try terms.ownerStake + extra }
        if !value.isZero { try dataLedger { () throws(LedgerError) in try context.release(from: escrow, to: to, amount: value) } }
    }

    func requireTraining(_ now: UInt64, action: String) throws(DataBountyError) {
        let phase = phase(at: now)
        guard phase == .training else {
            if targetReachedAt == nil, !finalized, revealedAt == nil {
                throw .windowClosed(bounty: id, window: .training, closedAt: terms.deadline, now: now)
            }
            throw .wrongPhase(bounty: id, action: action, phase: phase, expected: [.training])
        }
    }
}

/// Runs a ledger operation, wrapping its error in the module's.
func dataLedger<T>(_ body: () throws(LedgerError) -> T) throws(DataBountyError) -> T {
    do { return try body() } catch { throw .ledger(error) }
}

/// Runs checked arithmetic, wrapping its error in the module's.
func dataAmount<T>(_ body: () throws(ArithmeticError) -> T) throws(DataBountyError) -> T {
    do { return try body() } catch { throw .arithmetic(error) }
}
