import LedgerCore

// The state transitions of a model bounty. Each either completes or throws before any change
// that matters (the chain also discards the whole transaction on a throw).

extension ModelBounty {
    // MARK: - Create

    static func create(_ terms: Terms, nextID: UInt64, context: inout ExecutionContext) throws(ModelBountyError) -> ModelBounty {
        let now = context.timestamp
        guard terms.id == nextID else { throw .wrongBountyID(requested: terms.id, next: nextID) }
        guard !terms.reward.isZero else { throw .invalidTerms(field: "reward", reason: "must be greater than zero") }
        guard !terms.stake.isZero else { throw .invalidTerms(field: "stake", reason: "must be greater than zero, or slashing has no effect") }
        guard terms.submissionDeadline > now else {
            throw .invalidTerms(field: "submissionDeadline", reason: "\(terms.submissionDeadline) is not after the block time \(now)")
        }
        guard terms.submissionDeadline <= maximumTime else {
            throw .invalidTerms(field: "submissionDeadline", reason: "\(terms.submissionDeadline) exceeds the maximum \(maximumTime)")
        }
        guard (60...2_592_000).contains(terms.responseWindow) else {
            throw .invalidTerms(field: "responseWindow", reason: "\(terms.responseWindow) s, expected 60 s to 30 days")
        }
        guard (1...1_000_000).contains(terms.testSize) else {
            throw .invalidTerms(field: "testSize", reason: "\(terms.testSize), expected 1 to 1000000 rows")
        }
        if case .accuracy(let classes) = terms.metric, classes < 2 {
            throw .invalidTerms(field: "metric.classes", reason: "\(classes), expected at least 2 classes")
        }
        let escrow = try ledger { () throws(LedgerError) in try context.openEscrow(token: terms.token, label: "bounty \(terms.id)") }
        try ledger { () throws(LedgerError) in try context.depositFromSender(into: escrow, amount: terms.reward) }
        context.emit("BountyCreated", accounts: [context.sender], fields: [
            .init("id", "\(terms.id)"), .init("token", terms.token.symbol), .init("reward", terms.reward.description),
            .init("stake", terms.stake.description), .init("deadline", "\(terms.submissionDeadline)"),
            .init("responseWindow", "\(terms.responseWindow)"), .init("metric", "\(terms.metric)"),
            .init("testSize", "\(terms.testSize)"), .init("truthCommitment", terms.truthCommitment.hex),
        ])
        return ModelBounty(id: terms.id, requester: context.sender, terms: terms, escrow: escrow, createdAt: now)
    }

    /// The latest deadline a bounty may set, so every deadline plus windows stays far from overflow.
    static let maximumTime: UInt64 = 1 << 48

    // MARK: - Trainers

    mutating func submit(commitment: Hash32, context: inout ExecutionContext) throws(ModelBountyError) {
        let now = context.timestamp, trainer = context.sender
        let phase = phase(at: now)
        guard !phase.isTerminal else { throw .wrongPhase(bounty: id, action: "submit", phase: phase, expected: [.open]) }
        guard now < terms.submissionDeadline else {
            throw .windowClosed(bounty: id, window: .submission, closedAt: terms.submissionDeadline, now: now)
        }
        guard trainer != requester else { throw .requesterMayNotSubmit(bounty: id, requester: requester) }
        guard submission(of: trainer) == nil else { throw .alreadySubmitted(bounty: id, trainer: trainer) }
        guard submissions.count < Self.maximumSubmissions else { throw .tooManySubmissions(bounty: id, limit: Self.maximumSubmissions) }
        // A duplicate commitment is deliberately accepted: refusing it would let a front-runner
        // block an honest trainer by posting its commitment first, and a copy can never be
        // revealed from another address anyway (commitments are bound to the committer).
        try ledger { () throws(LedgerError) in try context.depositFromSender(into: escrow, amount: terms.stake) }
        let sequence = UInt32(submissions.count)
        submissions.append(Submission(
            trainer: trainer, sequence: sequence, commitment: commitment, submittedAt: now, status: .committed,
            claim: nil, stakeSettled: false))
        context.emit("Submitted", accounts: [trainer], fields: [
            .init("bounty", "\(id)"), .init("sequence", "\(sequence)"), .init("commitment", commitment.hex),
            .init("stake", terms.stake.description),
        ])
    }

    mutating func withdraw(context: inout ExecutionContext) throws(ModelBountyError) {
        let now = context.timestamp, trainer = context.sender
        let phase = phase(at: now)
        guard !phase.isTerminal else {
            throw .wrongPhase(bounty: id, action: "withdraw", phase: phase, expected: [.open, .awaitingTruth, .claims, .selection, .verification])
        }
        guard let index = submissions.firstIndex(where: { $0.trainer == trainer }) else { throw .noSubmission(bounty: id, trainer: trainer) }
        let status = submissions[index].status
        guard status == .committed || status == .claimed else {
            throw .submissionStatus(bounty: id, trainer: trainer, action: "withdraw", status: status, expected: [.committed, .claimed])
        }
        if phase == .open {
            submissions[index].status = .withdrawn
            try settleStake(index, to: trainer, context: &context)
            context.emit("Withdrawn", accounts: [trainer], fields: [
                .init("bounty", "\(id)"), .init("stakeReturned", terms.stake.description),
            ])
        } else {
            if candidate == index {
                throw .candidateMayNotWithdraw(bounty: id, trainer: trainer, deadline: candidateDeadline ?? now)
            }
            submissions[index].status = .forfeited
            context.emit("Withdrawn", accounts: [trainer], fields: [
                .init("bounty", "\(id)"), .init("stakeForfeited", terms.stake.description),
                .init("deadline", "\(terms.submissionDeadline)"), .init("now", "\(now)"),
            ])
        }
    }

    mutating func claim(score: Int64, context: inout ExecutionContext) throws(ModelBountyError) {
        let now = context.timestamp, trainer = context.sender
        let phase = phase(at: now)
        guard let claimsEnd = claimsDeadline else {
            if phase.isTerminal { throw .wrongPhase(bounty: id, action: "claim", phase: phase, expected: [.claims]) }
            throw .windowNotOpen(bounty: id, window: .claims, opensAt: max(now, terms.submissionDeadline), now: now)
        }
        guard phase == .claims else {
            if phase.isTerminal { throw .wrongPhase(bounty: id, action: "claim", phase: phase, expected: [.claims]) }
            throw .windowClosed(bounty: id, window: .claims, closedAt: claimsEnd, now: now)
        }
        guard let index = submissions.firstIndex(where: { $0.trainer == trainer }) else { throw .noSubmission(bounty: id, trainer: trainer) }
        let status = submissions[index].status
        guard status == .committed else {
            throw .submissionStatus(bounty: id, trainer: trainer, action: "claim", status: status, expected: [.committed])
        }
        submissions[index].status = .claimed
        submissions[index].claim = score
        context.emit("Claimed", accounts: [trainer], fields: [.init("bounty", "\(id)"), .init("score", "\(score)")])
    }

    mutating func reveal(predictions: [Int64], modelHash: Hash32, salt: Salt, context: inout ExecutionContext) throws(ModelBountyError) {
        let now = context.timestamp, caller = context.sender
        let phase = phase(at: now)
        guard phase == .verification, let index = candidate, let deadline = candidateDeadline, let truth else {
            throw .wrongPhase(bounty: id, action: "reveal", phase: phase, expected: [.verification])
        }
        let entry = submissions[index]
        guard caller == entry.trainer else { throw .notCandidate(bounty: id, caller: caller, candidate: entry.trainer) }
        guard now < deadline else { throw .windowClosed(bounty: id, window: .candidate, closedAt: deadline, now: now) }
        // From here on a bad reveal is not refused but slashed: the transaction succeeds, the
        // stake is lost and the next candidate is selected (seed 002, step 5).
        let computed = Commitment.make(
            .submission, bountyID: id, committer: caller, salt: salt,
            payloadHash: Commitment.predictionPayloadHash(predictions: predictions, modelHash: modelHash))
        guard computed == entry.commitment else {
            return try slashCandidate(.commitmentMismatch, detail: "revealed data hashes to \(computed.hex), committed \(entry.commitment.hex)", context: &context)
        }
        let score: Int64
        do { score = try Scoring.score(predictions: predictions, truth: truth, metric: terms.metric) } catch {
            return try slashCandidate(.invalidPredictions, detail: error.description, context: &context)
        }
        guard score == entry.claim else {
            return try slashCandidate(.scoreMismatch, detail: "claimed \(entry.claim.map(String.init) ?? "nothing"), recomputed \(score)", context: &context)
        }
        submissions[index].status = .verified
        winner = caller
        self.modelHash = modelHash
        winningScore = score
        context.emit("Verified", accounts: [caller], fields: [
            .init("bounty", "\(id)"), .init("score", "\(score)"), .init("modelHash", modelHash.hex),
        ])
        try close(.paid, context: &context)
    }

    // MARK: - Requester

    mutating func revealTruth(labels: [Int64], salt: Salt, context: inout ExecutionContext) throws(ModelBountyError) {
        let now = context.timestamp
        guard context.sender == requester else { throw .notRequester(bounty: id, caller: context.sender, requester: requester) }
        let phase = phase(at: now)
        switch phase {
        case .open: throw .windowNotOpen(bounty: id, window: .truth, opensAt: terms.submissionDeadline, now: now)
        case .awaitingTruth: break
        default: throw .wrongPhase(bounty: id, action: "reveal the truth", phase: phase, expected: [.awaitingTruth])
        }
        guard now < truthDeadline else { throw .windowClosed(bounty: id, window: .truth, closedAt: truthDeadline, now: now) }
        guard labels.count == Int(terms.testSize) else { throw .truthLength(bounty: id, expected: terms.testSize, found: labels.count) }
        if case .accuracy(let classes) = terms.metric,
           let bad = labels.firstIndex(where: { $0 < 0 || $0 >= Int64(classes) }) {
            throw .invalidLabel(bounty: id, index: bad, value: labels[bad], classes: classes)
        }
        let computed = Commitment.make(
            .truth, bountyID: id, committer: requester, salt: salt, payloadHash: Commitment.truthPayloadHash(labels: labels))
        guard computed == terms.truthCommitment else { throw .truthMismatch(bounty: id, committed: terms.truthCommitment, computed: computed) }
        truth = labels
        truthRevealedAt = now
        context.emit("TruthRevealed", accounts: [requester], fields: [
            .init("bounty", "\(id)"), .init("labels", "\(labels.count)"), .init("claimsUntil", "\(later(now, terms.responseWindow))"),
        ])
    }

    mutating func cancel(context: inout ExecutionContext) throws(ModelBountyError) {
        let now = context.timestamp
        guard context.sender == requester else { throw .notRequester(bounty: id, caller: context.sender, requester: requester) }
        let phase = phase(at: now)
        guard !phase.isTerminal else {
            throw .wrongPhase(bounty: id, action: "cancel", phase: phase, expected: [.open, .awaitingTruth, .claims, .selection, .verification])
        }
        if phase == .selection || phase == .verification { forfeitUnclaimed(context: &context) }
        try close(.cancelled, context: &context)
    }

    // MARK: - Anyone

    mutating func pick(context: inout ExecutionContext) throws(ModelBountyError) {
        let now = context.timestamp
        let phase = phase(at: now)
        switch phase {
        case .selection: try selectNext(context: &context)
        case .claims:
            throw .windowStillOpen(bounty: id, window: .claims, closesAt: claimsDeadline ?? now, now: now)
        default: throw .wrongPhase(bounty: id, action: "pick a candidate", phase: phase, expected: [.selection])
        }
    }

    mutating func timeout(context: inout ExecutionContext) throws(ModelBountyError) {
        let now = context.timestamp
        let phase = phase(at: now)
        switch phase {
        case .open:
            throw .windowStillOpen(bounty: id, window: .submission, closesAt: terms.submissionDeadline, now: now)
        case .awaitingTruth:
            guard now >= truthDeadline else { throw .windowStillOpen(bounty: id, window: .truth, closesAt: truthDeadline, now: now) }
            context.emit("TruthTimedOut", fields: [.init("bounty", "\(id)"), .init("deadline", "\(truthDeadline)"), .init("now", "\(now)")])
            try close(.cancelled, context: &context)
        case .claims:
            throw .windowStillOpen(bounty: id, window: .claims, closesAt: claimsDeadline ?? now, now: now)
        case .selection:
            try selectNext(context: &context)
        case .verification:
            let deadline = candidateDeadline ?? now
            guard now >= deadline else { throw .windowStillOpen(bounty: id, window: .candidate, closesAt: deadline, now: now) }
            try slashCandidate(.timeout, detail: "candidate window closed at \(deadline), now \(now)", context: &context)
        case .paid, .refunded, .cancelled:
            throw .wrongPhase(bounty: id, action: "time out", phase: phase, expected: [.awaitingTruth, .selection, .verification])
        }
    }

    // MARK: - Internals

    /// After the claims window: every submission that did not claim loses its stake.
    mutating func forfeitUnclaimed(context: inout ExecutionContext) {
        for i in submissions.indices where submissions[i].status == .committed {
            submissions[i].status = .forfeited
            context.emit("Forfeited", accounts: [submissions[i].trainer], fields: [
                .init("bounty", "\(id)"), .init("reason", "no claim"), .init("stake", terms.stake.description),
            ])
        }
    }

    /// Selects the highest remaining claim (ties: earliest submission), or refunds the
    /// requester when none remains.
    mutating func selectNext(context: inout ExecutionContext) throws(ModelBountyError) {
        forfeitUnclaimed(context: &context)
        var best: Int?
        for i in submissions.indices where submissions[i].status == .claimed {
            guard let b = best else { best = i; continue }
            // Strictly greater only: an equal claim keeps the earlier submission.
            if (submissions[i].claim ?? .min) > (submissions[b].claim ?? .min) { best = i }
        }
        guard let next = best else {
            candidate = nil
            candidateDeadline = nil
            return try close(.refunded, context: &context)
        }
        let deadline = later(context.timestamp, terms.responseWindow)
        candidate = next
        candidateDeadline = deadline
        context.emit("CandidateSelected", accounts: [submissions[next].trainer], fields: [
            .init("bounty", "\(id)"), .init("claim", "\(submissions[next].claim ?? 0)"), .init("revealBefore", "\(deadline)"),
        ])
    }

    mutating func slashCandidate(_ reason: SlashReason, detail: String, context: inout ExecutionContext) throws(ModelBountyError) {
        guard let index = candidate else { return }
        submissions[index].status = .slashed
        context.emit("Slashed", accounts: [submissions[index].trainer], fields: [
            .init("bounty", "\(id)"), .init("reason", reason.rawValue), .init("detail", detail),
            .init("stake", terms.stake.description),
        ])
        candidate = nil
        candidateDeadline = nil
        try selectNext(context: &context)
    }

    /// Ends the bounty and empties its escrow.
    ///
    /// Stakes lost by forfeiting or slashing (the *lost pool*) follow the reward: to the winner
    /// when paid, to the requester when refunded, to the trainers when cancelled.
    /// - paid: winner ← reward + own stake + lost pool; every other claimant ← its stake.
    /// - refunded: requester ← reward + lost pool.
    /// - cancelled: each trainer in good standing ← its stake + ⌊(reward + lost pool) / k⌋, the
    ///   remainder to the earliest of them; with none, requester ← reward + lost pool.
    mutating func close(_ outcome: Phase, context: inout ExecutionContext) throws(ModelBountyError) {
        let lost = submissions.indices.filter {
            !submissions[$0].stakeSettled && (submissions[$0].status == .forfeited || submissions[$0].status == .slashed)
        }
        let pool = try amount { () throws(ArithmeticError) in
            var total = rewardSettled ? UInt256.zero : terms.reward
            for _ in lost { total = try total + terms.stake }
            return total
        }
        let good = submissions.indices.filter {
            !submissions[$0].stakeSettled && (submissions[$0].status == .committed || submissions[$0].status == .claimed || submissions[$0].status == .verified)
        }
        var payouts: [(Address, UInt256)] = []
        switch outcome {
        case .paid:
            guard let w = winner else { return }
            payouts.append((w, pool))
        case .cancelled where !good.isEmpty:
            let (share, remainder) = try amount { () throws(ArithmeticError) in try pool.dividedReportingRemainder(by: UInt256(UInt64(good.count))) }
            for (n, i) in good.enumerated() {
                let extra = n == 0 ? remainder : .zero
                payouts.append((submissions[i].trainer, try amount { () throws(ArithmeticError) in try share + extra }))
            }
        default:
            payouts.append((requester, pool))
        }
        rewardSettled = true
        for i in lost { submissions[i].stakeSettled = true }
        for (to, value) in payouts where !value.isZero {
            try ledger { () throws(LedgerError) in try context.release(from: escrow, to: to, amount: value) }
        }
        for i in good { try settleStake(i, to: submissions[i].trainer, context: &context) }
        self.outcome = outcome
        candidate = nil
        candidateDeadline = nil
        context.emit(outcome == .paid ? "Paid" : outcome == .refunded ? "Refunded" : "Cancelled", accounts: payouts.map(\.0), fields: [
            .init("bounty", "\(id)"), .init("pool", pool.description), .init("recipients", "\(payouts.count)"),
            .init("stakesReturned", "\(good.count)"),
        ])
    }

    /// Returns submission `index`'s stake to `to`, once.
    mutating func settleStake(_ index: Int, to: Address, context: inout ExecutionContext) throws(ModelBountyError) {
        guard !submissions[index].stakeSettled else { return }
        submissions[index].stakeSettled = true
        try ledger { () throws(LedgerError) in try context.release(from: escrow, to: to, amount: terms.stake) }
    }
}

/// Runs a ledger operation, wrapping its error in the module's.
func ledger<T>(_ body: () throws(LedgerError) -> T) throws(ModelBountyError) -> T {
    do { return try body() } catch { throw .ledger(error) }
}

/// Runs checked arithmetic, wrapping its error in the module's.
func amount<T>(_ body: () throws(ArithmeticError) -> T) throws(ModelBountyError) -> T {
    do { return try body() } catch { throw .arithmetic(error) }
}
