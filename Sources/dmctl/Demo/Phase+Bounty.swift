import Foundation
import LedgerCore
import MarketKit
import ModelMarketKit

extension DemoScenario {
    /// A trainer's sealed entry.
    struct BountyEntry {
        let trainer: Int
        let model: LogisticRegression
        let predictions: [Int64]
        let modelHash: Hash32
        let salt: Salt
        let actual: Int64
        let claim: Int64
    }

    /// The model-bounty phase: the sponsor posts a bounty on the held-out rows; three trainers
    /// train the reference learner on the listed shards; one inflates its claim and is
    /// slashed; the honest best is paid and mints its model as a `$Model` over a `$Portfolio`
    /// of the listed `$Data`; paying users use and rate it.
    mutating func playModelBounty() throws {
        let sponsor = people.sponsor
        let live = listings.filter { $0.dataToken != nil }
        let training = LabeledDataset(features: live.flatMap(\.rows.features), labels: live.flatMap(\.rows.labels), classNames: dataset.classNames)
        let reward = Self.tokens(100), stake = Self.tokens(10)
        let metric = Metric.accuracy(classes: 2)
        let id = chain.state(of: ModelBountyModule.self).nextID
        let truthSalt = Salt.deterministic(seed: subseed("truth salt"))
        let terms = ModelBounty.Terms(
            id: id, token: Self.dmt, reward: reward, stake: stake, submissionDeadline: now + 3600, metric: metric,
            testSize: UInt32(heldOut.count), trainingDataHash: Keccak256.hash(Array(training.csv(includeLabels: true).utf8)),
            testFeaturesHash: Keccak256.hash(Array(heldOut.csv(includeLabels: false).utf8)),
            truthCommitment: Commitment.make(.truth, bountyID: id, committer: sponsor.address, salt: truthSalt,
                                             payloadHash: Commitment.truthPayloadHash(labels: heldOut.labels)))
        doing("the sponsor posts model bounty #\(id)")
        try send(.create(terms), to: ModelBountyModule.self, from: sponsor)
        summary.modelBounty.bounty = id
        summary.modelBounty.reward = Self.dmt(reward)
        summary.modelBounty.stake = Self.dmt(stake)
        summary.modelBounty.testRows = heldOut.count
        summary.modelBounty.trainingRows = training.count
        step("the sponsor escrows \(Self.dmt(reward)) for the most accurate model on \(heldOut.count) hidden test rows, "
             + "trained on the \(training.count) listed rows; the labels are committed, salted")

        // Three trainers: the full reference learner, a weak one, and an honest model whose
        // owner claims a perfect score.
        doing("the trainers train")
        let recipes: [(rows: Int, epochs: Int)] = [(training.count, 200), (25, 3), (60, 20)]
        var entries: [BountyEntry] = []
        for (t, recipe) in recipes.enumerated() {
            let n = min(recipe.rows, training.count)
            let model = LogisticRegression.train(
                features: Array(training.features[..<n]), labels: Array(training.labels[..<n]),
                options: TrainingOptions(epochs: recipe.epochs, seed: subseed("trainer \(t)")))
            let predictions = model.predict(heldOut.features)
            let actual = try Scoring.score(predictions: predictions, truth: heldOut.labels, metric: metric)
            let claim: Int64 = t == 2 ? 10_000 : actual
            let modelHash = Keccak256.hash(try Self.canonicalJSON(model))
            entries.append(BountyEntry(
                trainer: t, model: model, predictions: predictions, modelHash: modelHash, salt: Salt.deterministic(seed: subseed("salt \(t)")),
                actual: actual, claim: claim))
        }
        guard entries[2].actual < entries[2].claim else {
            throw CLIError.refused("trainer-3's model scored a perfect \(entries[2].actual); the demo needs its claim to be inflated")
        }
        for e in entries {
            let trainer = people.trainers[e.trainer]
            doing("trainer-\(e.trainer + 1) submits")
            let commitment = Commitment.make(
                .submission, bountyID: id, committer: trainer.address, salt: e.salt,
                payloadHash: Commitment.predictionPayloadHash(predictions: e.predictions, modelHash: e.modelHash))
            try send(.submit(bounty: id, commitment: commitment), to: ModelBountyModule.self, from: trainer)
        }
        step("3 trainers stake \(Self.dmt(stake)) each and commit to their predictions: "
             + entries.map { "trainer-\($0.trainer + 1) \(Self.basisPoints($0.actual))" }.joined(separator: ", ") + " (known only to them)")

        doing("the submission deadline passes; the sponsor reveals the labels")
        try warp(terms.submissionDeadline - now)
        try send(.revealTruth(bounty: id, labels: heldOut.labels, salt: truthSalt), to: ModelBountyModule.self, from: sponsor)
        for e in entries {
            doing("trainer-\(e.trainer + 1) claims")
            try send(.claim(bounty: id, score: e.claim), to: ModelBountyModule.self, from: people.trainers[e.trainer])
        }
        step("deadline passes; the sponsor reveals the labels; claims: "
             + entries.map { "trainer-\($0.trainer + 1) \(Self.basisPoints($0.claim))" }.joined(separator: ", "))

        doing("the claims window closes; pick the best claim")
        try warp(terms.responseWindow)
        try send(.pick(bounty: id), to: ModelBountyModule.self, from: sponsor)
        var outcomes: [Int: String] = [:]
        var guardCount = 0
        while let bounty = chain.state(of: ModelBountyModule.self).bounties[id], bounty.phase(at: now) == .verification, guardCount < entries.count {
            guardCount += 1
            guard let index = bounty.candidate, let entry = entries.first(where: { people.trainers[$0.trainer].address == bounty.submissions[index].trainer }) else { break }
            let trainer = people.trainers[entry.trainer]
            let before = balance(trainer)
            doing("trainer-\(entry.trainer + 1) reveals as the candidate")
            let receipt = try send(.reveal(bounty: id, predictions: entry.predictions, modelHash: entry.modelHash, salt: entry.salt),
                                   to: ModelBountyModule.self, from: trainer)
            if let slash = receipt.events.first(where: { $0.kind == "Slashed" }) {
                outcomes[entry.trainer] = "slashed (\(slash[field: "reason"] ?? "?"))"
                summary.modelBounty.slashed.append("trainer-\(entry.trainer + 1)")
                step("trainer-\(entry.trainer + 1) is the best claim (\(Self.basisPoints(entry.claim))) but its predictions score \(Self.basisPoints(entry.actual)): "
                     + "slashed, its \(Self.dmt(stake)) stake goes to the pot")
            } else if receipt.events.contains(where: { $0.kind == "Paid" }) {
                outcomes[entry.trainer] = "paid"
                step("trainer-\(entry.trainer + 1) reveals, the chain rescores \(Self.basisPoints(entry.actual)): paid \(Self.delta(balance(trainer), before)) "
                     + "(reward + own stake + the slashed stake)")
            }
        }
        guard let bounty = chain.state(of: ModelBountyModule.self).bounties[id], bounty.outcome == .paid, let winnerAddress = bounty.winner,
              let winner = entries.first(where: { people.trainers[$0.trainer].address == winnerAddress })
        else { throw CLIError.refused("model bounty #\(id) ended without a paid winner") }
        summary.modelBounty.entries = entries.map {
            DemoSummary.Entry(trainer: "trainer-\($0.trainer + 1)", claimed: $0.claim, actual: $0.actual, outcome: outcomes[$0.trainer] ?? "stake returned")
        }
        summary.modelBounty.winner = "trainer-\(winner.trainer + 1)"
        summary.modelBounty.winnerScore = winner.actual

        try mintAndUseModel(winner: winner, bounty: id)
    }

    /// The winner curates the listed `$Data` into a `$Portfolio`, mints its model as a
    /// `$Model`, and three users pay to use it, evaluate it on their own rows and review.
    mutating func mintAndUseModel(winner: BountyEntry, bounty: UInt64) throws {
        let trainer = people.trainers[winner.trainer]
        let live = listings.filter { $0.dataToken != nil }
        let total = live.reduce(0) { $0 + $1.rows.count }
        var weights = live.map { UInt64($0.rows.count * 10_000 / max(total, 1)) }
        if let first = weights.indices.first { weights[first] += 10_000 - weights.reduce(0, +) }
        let entries = zip(live, weights).compactMap { l, w in l.dataToken.map { PortfolioEntry(data: $0, weight: w) } }
        doing("the winner creates a $Portfolio")
        try roles(.createPortfolio(entries: entries, bonusToken: Self.dmt, bonusPerUse: .zero, name: "wdbc listed shards"), from: trainer)
        let portfolio = chain.state.ledger.nextNFTID - 1
        let price = Self.milli(200)
        doing("the winner mints its $Model")
        try roles(.mintModel(
            modelHash: winner.modelHash, trainedOn: .portfolio(portfolio), bounty: "modelbounty:\(bounty)", paymentToken: Self.dmt,
            pricePerUse: price, name: "wdbc logistic regression"), from: trainer)
        let model = chain.state.ledger.nextNFTID - 1
        summary.modelBounty.dataTokens = entries.map(\.data)
        summary.modelBounty.portfolio = portfolio
        summary.modelBounty.model = model
        summary.modelBounty.pricePerUse = Self.dmt(price)
        step("trainer-\(winner.trainer + 1) curates $Portfolio #\(portfolio) over $Data " + entries.map { "#\($0.data) (\($0.weight / 100) %)" }.joined(separator: ", ")
             + " and mints $Model #\(model) (its bounty model hash) at \(Self.dmt(price)) a use")

        // Each user pays for a use, runs the model on its own slice of rows and rates it.
        let ownerBefore = balance(trainer)
        let slices = (0..<people.users.count).map { u in stride(from: u, to: heldOut.count, by: people.users.count).map { $0 } }
        var ratings: [UInt8] = []
        for (u, user) in people.users.enumerated() {
            doing("user-\(u + 1) uses the model")
            try roles(.useModel(model: model, maxPrice: price), from: user)
            let rows = heldOut.subset(slices[u])
            let predictions = winner.model.predict(rows.features)
            let score = accuracy(predictions, rows.labels)
            let rating: UInt8 = score >= 0.97 ? 5 : score >= 0.93 ? 4 : score >= 0.85 ? 3 : score >= 0.7 ? 2 : 1
            ratings.append(rating)
            doing("user-\(u + 1) evaluates the model")
            try roles(.evaluate(
                model: model, rating: rating, inputsHash: Keccak256.hash(Array(rows.csv(includeLabels: true).utf8)),
                outputsHash: Keccak256.hash(Commitment.integers(predictions).encoded),
                textHash: Keccak256.hash("accuracy \(percent(score)) on \(rows.count) rows")), from: user)
            step("user-\(u + 1) pays \(Self.dmt(price)), runs $Model #\(model) on \(rows.count) rows of its own: \(percent(score)) correct, rates it \(rating)/5")
        }
        let first = chain.state(of: RolesModule.self).evaluationByUser[AccountKey(model, people.users[0].address)]
        if let first {
            for user in people.users.dropFirst() {
                doing("a user reviews user-1's evaluation")
                try roles(.review(evaluation: first, helpful: true), from: user)
            }
        }
        let score = chain.state(of: RolesModule.self).score(ofModel: model)
        summary.modelBounty.uses = people.users.count
        summary.modelBounty.ratings = ratings
        summary.modelBounty.modelScore = score.map { String(format: "%.2f/5 from %d evaluations", Double($0.hundredths) / 100, $0.evaluations) } ?? "none"
        summary.modelBounty.modelOwnerEarned = Self.delta(balance(trainer), ownerBefore)
        step("users 2 and 3 find user-1's evaluation helpful; model score \(summary.modelBounty.modelScore); "
             + "the trainer earned \(summary.modelBounty.modelOwnerEarned), the listed owners 30 % of each use")
    }

    /// Basis points as a percentage.
    static func basisPoints(_ bp: Int64) -> String { String(format: "%.2f %%", Double(bp) / 100) }

    /// JSON with sorted keys: the same model always hashes the same.
    static func canonicalJSON<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(value))
    }
}
