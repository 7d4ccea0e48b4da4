public import LedgerCore

// MARK: - Evaluations and reviews

extension RolesModule.State {
    /// The evaluation `id`.
    public func evaluation(_ id: UInt64) throws(RolesError) -> Evaluation {
        guard let e = evaluations[id] else { throw .unknownEvaluation(id) }
        return e
    }

    /// How many uses of `model` `account` paid for.
    public func paidUses(of model: UInt64, by account: Address) -> UInt64 { paidUses[AccountKey(model, account)] ?? 0 }

    /// `account`'s standing as an evaluator (zero reviews if none).
    public func standing(of account: Address) -> Standing { standings[account] ?? Standing() }

    /// The model's score (see ``ModelScore``), or nil without evaluations.
    public func score(ofModel id: UInt64) -> ModelScore? {
        guard let m = models[id] else { return nil }
        var ratings: [(rating: UInt8, weight: UInt64)] = []
        ratings.reserveCapacity(m.evaluations.count)
        for e in m.evaluations {
            guard let ev = evaluations[e] else { continue }
            ratings.append((ev.rating, standing(of: ev.evaluator).weight))
        }
        return ModelScore.compute(ratings)
    }

    /// A paying user posts their one evaluation of a model.
    mutating func evaluate(
        _ modelID: UInt64, rating: UInt8, inputsHash: Hash32, outputsHash: Hash32, textHash: Hash32, context: inout ExecutionContext
    ) throws(RolesError) {
        var m = try model(modelID)
        guard (1...5).contains(rating) else { throw .invalidRating(rating) }
        let user = context.sender
        guard paidUses(of: modelID, by: user) >= 1 else { throw .notAPayingUser(model: modelID, account: user) }
        let key = AccountKey(modelID, user)
        if let existing = evaluationByUser[key] { throw .alreadyEvaluated(model: modelID, account: user, evaluation: existing) }
        let id = nextEvaluationID
        evaluations[id] = Evaluation(
            id: id, model: modelID, evaluator: user, rating: rating, inputsHash: inputsHash, outputsHash: outputsHash,
            textHash: textHash, postedAt: context.timestamp)
        evaluationByUser[key] = id
        nextEvaluationID = id + 1
        m.evaluations.append(id)
        models[modelID] = m
        context.emit("Evaluated", accounts: [user], fields: [
            .init("evaluation", "\(id)"), .init("model", "\(modelID)"), .init("rating", "\(rating)"),
        ])
    }

    /// Another paying user of the model marks an evaluation helpful or unhelpful, once.
    mutating func review(_ id: UInt64, helpful: Bool, context: inout ExecutionContext) throws(RolesError) {
        var e = try evaluation(id)
        let reviewer = context.sender
        guard e.evaluator != reviewer else { throw .ownEvaluation(evaluation: id, account: reviewer) }
        guard paidUses(of: e.model, by: reviewer) >= 1 else { throw .notAPayingUser(model: e.model, account: reviewer) }
        let key = AccountKey(id, reviewer)
        guard reviews[key] == nil else { throw .alreadyReviewed(evaluation: id, account: reviewer) }
        var s = standing(of: e.evaluator)
        if helpful {
            e.helpful = try RolesArith.add(e.helpful, 1, "helpful")
            s.helpful = try RolesArith.add(s.helpful, 1, "standing helpful")
        } else {
            e.unhelpful = try RolesArith.add(e.unhelpful, 1, "unhelpful")
            s.unhelpful = try RolesArith.add(s.unhelpful, 1, "standing unhelpful")
        }
        reviews[key] = helpful
        evaluations[id] = e
        standings[e.evaluator] = s
        context.emit("Reviewed", accounts: [reviewer, e.evaluator], fields: [
            .init("evaluation", "\(id)"), .init("helpful", "\(helpful)"), .init("standing", "\(s.weight)"),
        ])
    }
}
