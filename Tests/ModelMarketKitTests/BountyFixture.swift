import Foundation
import LedgerCore
import ModelMarketKit
import Testing

/// A model bounty on breast_cancer.csv, posted by `world.accounts[0]`.
struct BountyFixture {
    let world: World
    let publication: BountyPublication
    let id: UInt64
    let truthSalt = Salt.deterministic(seed: 99)
    let reward: UInt256
    let stake: UInt256
    let window: UInt64 = 900
    let deadline: UInt64

    var requester: PrivateKey { world.accounts[0] }
    func trainer(_ n: Int) -> PrivateKey { world.accounts[n] }

    init(world: World, reward: UInt64 = 1000, stake: UInt64 = 100, testCount: Int = 143, seed: UInt64 = 7) throws {
        self.world = world
        self.reward = u(reward)
        self.stake = u(stake)
        publication = try BountyPublication(dataset: breastCancer, testCount: testCount, seed: seed)
        id = world.chain.state(of: ModelBountyModule.self).nextID
        deadline = world.now + 3600
        let terms = ModelBounty.Terms(
            id: id, token: world.token, reward: u(reward), stake: u(stake), submissionDeadline: deadline,
            metric: .accuracy(classes: 2), testSize: UInt32(testCount), trainingDataHash: publication.trainingDataHash,
            testFeaturesHash: publication.testFeaturesHash,
            truthCommitment: publication.truthCommitment(bountyID: id, requester: world.accounts[0].address, salt: truthSalt))
        try world.bounty(.create(terms), from: world.accounts[0])
    }

    /// A trainer's sealed entry.
    struct Entry {
        let predictions: [Int64]
        let modelHash: Hash32
        let salt: Salt
    }

    /// The reference learner trained on the published training split and exported to ONNX:
    /// the entry that commits to its file (its predictions on the test features, the file's
    /// Keccak-256, a fixed salt) and the file's bytes.
    func exportedReferenceEntry() throws -> (entry: Entry, onnx: Data) {
        let model = LogisticRegression.train(features: publication.train.features, labels: publication.train.labels)
        let onnx = try model.onnxModel()
        let predictions = try onnxPredictions(model: onnx, rows: publication.test.features)
        return (Entry(predictions: predictions, modelHash: Keccak256.hash(onnx), salt: Salt.deterministic(seed: 5)), onnx)
    }

    /// `trainer`, alone, submits `entry` and plays the round to the end: claims its score, is
    /// picked and reveals. The reveal's receipt.
    @discardableResult
    func winAlone(_ entry: Entry, by trainer: PrivateKey) throws -> Receipt {
        let score = try score(entry)
        try submit(entry, by: trainer)
        try pastDeadline()
        try revealTruth()
        try world.bounty(.claim(bounty: id, score: score), from: trainer)
        try world.warp(window)
        try world.bounty(.pick(bounty: id), from: trainer)
        return try reveal(entry, by: trainer)
    }

    func entry(_ predictions: [Int64], seed: UInt64) -> Entry {
        Entry(predictions: predictions, modelHash: Keccak256.hash("model \(seed)"), salt: Salt.deterministic(seed: seed))
    }

    func commitment(_ e: Entry, by trainer: PrivateKey) -> Hash32 {
        Commitment.make(.submission, bountyID: id, committer: trainer.address, salt: e.salt,
                        payloadHash: Commitment.predictionPayloadHash(predictions: e.predictions, modelHash: e.modelHash))
    }

    func submit(_ e: Entry, by trainer: PrivateKey) throws {
        try world.bounty(.submit(bounty: id, commitment: commitment(e, by: trainer)), from: trainer)
    }

    func score(_ e: Entry) throws -> Int64 {
        try Scoring.score(predictions: e.predictions, truth: publication.truth, metric: .accuracy(classes: 2))
    }

    /// Expects trainer `winner` to hold its starting 1,000,000 plus the default reward (1,000)
    /// and stake (100), and trainer `loser` to have lost its stake.
    func expectPaid(winner: Int, loser: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(world.balance(trainer(winner)) == u(1_000_000 + 1000 + 100), sourceLocation: sourceLocation)
        #expect(world.balance(trainer(loser)) == u(1_000_000 - 100), sourceLocation: sourceLocation)
    }

    /// The entry of the full reference learner (predictions seed 1, entry seed 101).
    var referenceEntry: Entry { entry(predictions(seed: 1), seed: 101) }

    /// Trainer 1 submits ``referenceEntry`` and trainer 2 an entry of `predictions` (seed 102);
    /// the deadline passes and the truth is revealed. Returns both entries.
    func submitReferenceAndRevealTruth(against predictions: [Int64]) throws -> (reference: Entry, other: Entry) {
        let reference = referenceEntry, other = entry(predictions, seed: 102)
        try submit(reference, by: trainer(1))
        try submit(other, by: trainer(2))
        try pastDeadline()
        try revealTruth()
        return (reference, other)
    }

    /// Trainer 1 submits ``referenceEntry``, trainers 2 and 3 one-row
    /// entries; returns trainer 1's entry, the only one that can win.
    func submitReferenceAndTwoOneRowEntries() throws -> Entry {
        let reference = referenceEntry
        try submit(reference, by: trainer(1))
        try submit(entry([1], seed: 2), by: trainer(2))
        try submit(entry([1], seed: 3), by: trainer(3))
        return reference
    }

    func pastDeadline() throws { try world.warp(deadline - world.now) }

    func revealTruth() throws {
        try world.bounty(.revealTruth(bounty: id, labels: publication.truth, salt: truthSalt), from: requester)
    }

    func reveal(_ e: Entry, by trainer: PrivateKey) throws -> Receipt {
        try world.bounty(.reveal(bounty: id, predictions: e.predictions, modelHash: e.modelHash, salt: e.salt), from: trainer)
    }

    var bounty: ModelBounty? { world.modelBounty(id) }
    var phase: ModelBounty.Phase? { bounty?.phase(at: world.now) }

    /// Honest predictions from the reference learner with a given seed and share of the data.
    func predictions(seed: UInt64, rows: Int? = nil, epochs: Int = 200) -> [Int64] {
        let train = publication.train
        let n = min(rows ?? train.count, train.count)
        let model = LogisticRegression.train(
            features: Array(train.features[..<n]), labels: Array(train.labels[..<n]),
            options: TrainingOptions(epochs: epochs, seed: seed))
        return model.predict(publication.test.features)
    }
}
