// ModelBountyRound: a commit–reveal model bounty on real data, with ModelMarketKit.
//
//     swift run ModelBountyRound [path/to/breast_cancer.csv]
//
// A requester publishes the training rows and the test features of `Data/breast_cancer.csv`
// and commits to the hidden test labels; three trainers fit the reference logistic learner,
// stake and commit to their predictions; the truth is revealed; trainers claim scores; the
// best claim must open its commitment: an inflated claim is slashed and the honest best is paid.

import Foundation
import LedgerCore
import ModelMarketKit

func account(_ n: UInt8) throws -> PrivateKey { try PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [n]) }
func tokens(_ text: String) throws -> UInt256 { try UInt256(decimal: text, decimals: 18) }

/// The data file: the first argument, else the repository's `Data/` folder.
func dataURL() -> URL {
    if CommandLine.arguments.count > 1 { return URL(fileURLWithPath: CommandLine.arguments[1]) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Data/breast_cancer.csv")
}

func run() throws {
    let requester = try account(1)
    let trainers = [("alice", try account(2)), ("bob", try account(3)), ("carol", try account(4))]
    let dmt = try TokenID("DMT")
    let everyone = [requester] + trainers.map(\.1)
    let genesis = GenesisConfig(chainID: 1337, timestamp: 1_732_200_000, tokens: [
        .init(symbol: dmt, name: "DataMarket Token",
              balances: try everyone.map { .init(account: $0.address, amount: try tokens("10000")) }),
    ])
    let chain = try Chain.create(genesis: genesis, modules: [ModelBountyModule.self])
    func send(_ call: ModelBountyModule.Call, from key: PrivateKey, _ what: String) throws -> Receipt {
        let receipt = try chain.send(call, to: ModelBountyModule.self, from: key)
        print("  block \(chain.height): \(what) -> \(receipt.events.map(\.kind).joined(separator: ", "))")
        return receipt
    }

    // MARK: - The requester publishes a seeded split and commits to the hidden labels
    let dataset = try LabeledDataset.load(contentsOf: dataURL())
    let publication = try BountyPublication(dataset: dataset, testCount: 143, seed: 7)
    print("1. data: \(dataset.count) rows, \(dataset.featureCount) features; " +
          "\(publication.train.count) published for training, \(publication.test.count) held out")
    let id = chain.state(of: ModelBountyModule.self).nextID
    let truthSalt = Salt.random()
    let deadline = chain.state.timestamp + 3600
    let terms = ModelBounty.Terms(
        id: id, token: dmt, reward: try tokens("1000"), stake: try tokens("100"), submissionDeadline: deadline,
        metric: .accuracy(classes: 2), testSize: UInt32(publication.test.count),
        trainingDataHash: publication.trainingDataHash, testFeaturesHash: publication.testFeaturesHash,
        truthCommitment: publication.truthCommitment(bountyID: id, requester: requester.address, salt: truthSalt))
    _ = try send(.create(terms), from: requester, "post bounty \(id): 1000 DMT reward, 100 DMT stake")

    // MARK: - Trainers fit models off chain and commit to their predictions
    print("2. trainers train and commit")
    struct Entry { let predictions: [Int64]; let modelHash: Hash32; let salt: Salt }
    var entries: [Entry] = []
    for (n, (name, key)) in trainers.enumerated() {
        // alice uses every row; bob and carol train briefly on a few rows.
        let rows = n == 0 ? publication.train.count : 40
        let model = LogisticRegression.train(
            features: Array(publication.train.features.prefix(rows)), labels: Array(publication.train.labels.prefix(rows)),
            options: TrainingOptions(epochs: n == 0 ? 200 : 5, seed: UInt64(n + 1)))
        let entry = Entry(predictions: model.predict(publication.test.features),
                          modelHash: Keccak256.hash(Array(try JSONEncoder().encode(model))), salt: Salt.random())
        entries.append(entry)
        let commitment = Commitment.make(.submission, bountyID: id, committer: key.address, salt: entry.salt,
            payloadHash: Commitment.predictionPayloadHash(predictions: entry.predictions, modelHash: entry.modelHash))
        _ = try send(.submit(bounty: id, commitment: commitment), from: key, "\(name) commits (trained on \(rows) rows)")
    }

    // MARK: - Deadline passes; the truth is revealed; trainers claim their scores
    print("3. reveal the truth, claim scores")
    try chain.warp(by: deadline - chain.state.timestamp)
    _ = try send(.revealTruth(bounty: id, labels: publication.truth, salt: truthSalt), from: requester, "reveal truth")
    for (n, (name, key)) in trainers.enumerated() {
        let honest = try Scoring.score(predictions: entries[n].predictions, truth: publication.truth, metric: .accuracy(classes: 2))
        let claim: Int64 = name == "carol" ? 10_000 : honest   // carol claims a perfect score
        print("  \(name): true accuracy \(Double(honest) / 100) %, claims \(Double(claim) / 100) %")
        _ = try send(.claim(bounty: id, score: claim), from: key, "\(name) claims")
    }

    // MARK: - The best claim must reveal; a claim its predictions do not support is slashed
    print("4. verification")
    try chain.warp(by: terms.responseWindow)
    _ = try send(.pick(bounty: id), from: requester, "pick the best claim")
    for (n, (name, key)) in trainers.enumerated().reversed() where n != 1 {
        let r = try send(.reveal(bounty: id, predictions: entries[n].predictions, modelHash: entries[n].modelHash,
                                 salt: entries[n].salt), from: key, "\(name) reveals")
        for e in r.events where e.kind == "Slashed" { print("  \(name) slashed: \(e[field: "reason"] ?? "?")") }
    }

    // MARK: - Outcome
    let bounty = chain.state(of: ModelBountyModule.self).bounties[id]
    let winner = trainers.first { $0.1.address == bounty?.winner }?.0 ?? "nobody"
    print("5. outcome: \(bounty?.outcome?.description ?? "open"), winner \(winner), " +
          "score \(Double(bounty?.winningScore ?? 0) / 100) %")
    for (name, key) in [("requester", requester)] + trainers {
        print("  " + name.padding(toLength: 10, withPad: " ", startingAt: 0)
              + chain.state.ledger.balance(of: key.address, in: dmt).formatted() + " DMT")
    }
    print("ModelBountyRound: done")
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("ModelBountyRound failed: \(error)\n".utf8))
    exit(1)
}
