public import LedgerCore

/// What a requester publishes for a model bounty (seed 002, step 1), made locally from a
/// labelled dataset: a seeded split, the labelled training file, the unlabelled test-features
/// file, their hashes, and the hidden labels to commit to.
public struct BountyPublication: Sendable, Equatable {
    /// The training rows, labelled.
    public let train: LabeledDataset
    /// The test rows; only their features are published.
    public let test: LabeledDataset
    /// The training file to publish (`f_1,...,f_n,label` lines).
    public let trainingCSV: String
    /// The test-features file to publish (`f_1,...,f_n` lines, no labels).
    public let testFeaturesCSV: String

    /// Splits `dataset` with a seeded shuffle, `testCount` rows for the test.
    public init(dataset: LabeledDataset, testCount: Int, seed: UInt64) throws(DatasetError) {
        let (train, test) = try dataset.split(testCount: testCount, seed: seed)
        self.train = train
        self.test = test
        trainingCSV = train.csv(includeLabels: true)
        testFeaturesCSV = test.csv(includeLabels: false)
    }

    /// The hidden labels (the ground truth).
    public var truth: [Int64] { test.labels }

    /// Keccak-256 of the training file's UTF-8 bytes.
    public var trainingDataHash: Hash32 { Keccak256.hash(Array(trainingCSV.utf8)) }

    /// Keccak-256 of the test-features file's UTF-8 bytes.
    public var testFeaturesHash: Hash32 { Keccak256.hash(Array(testFeaturesCSV.utf8)) }

    /// The ground-truth commitment for bounty `bountyID` posted by `requester`.
    public func truthCommitment(bountyID: UInt64, requester: Address, salt: Salt) -> Hash32 {
        Commitment.make(.truth, bountyID: bountyID, committer: requester, salt: salt, payloadHash: Commitment.truthPayloadHash(labels: truth))
    }
}
