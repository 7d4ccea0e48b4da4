import Foundation
import LedgerCore
import ModelMarketKit

/// A logistic data bounty on breast_cancer.csv: the sponsor (`accounts[0]`) holds a
/// validation set; five owners (`accounts[1...5]`) hold disjoint shards of the rest.
struct DataBountyFixture {
    let world: World
    let id: UInt64
    let shards: [LabeledDataset]          // standardised features
    let validationFeatures: [[Int64]]     // fixed point
    let validationLabels: [Int64]
    let standardizer: Standardizer
    let salt = Salt.deterministic(seed: 4242)
    let terms: DataBounty.Terms
    var weights: [Double]

    var sponsor: PrivateKey { world.accounts[0] }
    func owner(_ n: Int) -> PrivateKey { world.accounts[n] }
    var owners: [PrivateKey] { (1...5).map(owner) }

    init(world: World, split: DataBounty.SplitRule = .equal, targetError: UInt64 = 800, flipOwner: Int? = nil,
         keyFingerprint: Hash32 = Keccak256.hash("no key"), bounty: UInt64 = 100_000, deadlineIn: UInt64 = 86_400) throws {
        self.world = world
        let (rest, validation) = try breastCancer.split(testCount: 114, seed: 21)
        standardizer = Standardizer(fitting: rest.features)
        var shards = try LabeledDataset(features: standardizer.transform(rest.features), labels: rest.labels).shards(5, seed: 22)
        if let f = flipOwner { shards[f - 1].labels = shards[f - 1].labels.map { 1 - $0 } }
        self.shards = shards
        validationFeatures = standardizer.transform(validation.features).map { row in row.map { FixedPoint.encode($0, scale: IntegerModel.scale) ?? 0 } }
        validationLabels = validation.labels
        weights = [Double](repeating: 0, count: 31)
        let zeros = [Int64](repeating: 0, count: 31)
        let initialError = try IntegerModel.error(.logistic, weights: zeros, features: validationFeatures, labels: validationLabels)
        id = world.chain.state(of: DataBountyModule.self).nextID
        terms = DataBounty.Terms(
            id: id, token: world.token, bounty: u(bounty), sponsorBond: u(50_000), ownerStake: u(1_000), model: .logistic,
            featureCount: 30, initialError: initialError, targetError: targetError, initialWeightsHash: IntegerModel.weightsHash(zeros),
            deadline: world.now + deadlineIn, keyFingerprint: keyFingerprint,
            validationCommitment: Commitment.make(.validation, bountyID: id, committer: world.accounts[0].address, salt: salt,
                                                  payloadHash: IntegerModel.validationPayloadHash(features: validationFeatures, labels: validationLabels)),
            validationSize: 114, split: split)
        try world.chain.send(.create(terms), to: DataBountyModule.self, from: world.accounts[0])
    }

    @discardableResult
    func send(_ call: DataBountyModule.Call, from key: PrivateKey) throws -> Receipt {
        try world.chain.send(call, to: DataBountyModule.self, from: key)
    }

    var bounty: DataBounty? { world.chain.state(of: DataBountyModule.self).bounties[id] }

    func joinAll(attribution: Bool = false) throws {
        for (i, o) in owners.enumerated() {
            try send(.join(bounty: id, declaredSamples: UInt64(shards[i].count), attribution: attribution), from: o)
        }
    }

    /// The quantised current weights.
    var quantized: [Int64] { IntegerModel.quantize(weights) ?? [] }

    /// The integer validation error of the current weights, as the chain computes it.
    func validationError() throws -> UInt64 {
        try IntegerModel.error(.logistic, weights: quantized, features: validationFeatures, labels: validationLabels)
    }

    /// Each owner's Taylor-logistic gradient sum on its shard at the current weights.
    func gradients() -> [[Double]] {
        shards.map { TaylorLogistic.gradientSum(weights: weights, features: $0.features, labels: $0.labels) }
    }

    /// Commits the given gradient hashes and the aggregate (by the rotating aggregator).
    func commitRound(_ hashes: [Hash32], aggregate: Hash32) throws {
        let round = try require2(bounty).currentRound
        for (i, h) in hashes.enumerated() { try send(.commitGradient(bounty: id, round: round, gradientHash: h), from: owner(i + 1)) }
        let designated = try require2(try require2(bounty).aggregator(of: try require2(bounty?.rounds.last)))
        let aggregator = try require2(owners.first { $0.address == designated })
        try send(.commitAggregate(bounty: id, round: round, aggregateHash: aggregate), from: aggregator)
    }

    /// The sponsor applies the summed gradient and posts the new weights and error.
    @discardableResult
    mutating func post(sum: [Double], contributions: [DataBounty.Contribution] = [], learningRate: Double = 0.3) throws -> Receipt {
        let n = shards.reduce(0) { $0 + $1.count }
        weights = TaylorLogistic.step(weights: weights, gradientSum: sum, count: n, learningRate: learningRate)
        let round = try require2(bounty).currentRound
        return try send(.postRound(bounty: id, round: round, weightsHash: IntegerModel.weightsHash(quantized), error: try validationError(),
                                   contributions: contributions), from: sponsor)
    }

    @discardableResult
    func reveal() throws -> Receipt {
        try send(.reveal(bounty: id, features: validationFeatures, labels: validationLabels, salt: salt, finalWeights: quantized), from: sponsor)
    }
}

struct MissingValue: Error {}

/// Unwraps an optional in helpers outside a test body.
func require2<T>(_ value: T?) throws -> T {
    guard let value else { throw MissingValue() }
    return value
}
