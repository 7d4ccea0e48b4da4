import Foundation
import HECore
import LedgerCore
import ModelMarketKit

extension DemoScenario {
    /// The data-bounty phase (seed 004): the sponsor escrows a bounty for a logistic model
    /// reaching a target error; five owners encrypt their gradients under the sponsor's
    /// Paillier key, a rotating owner adds the ciphertexts, the sponsor decrypts only the sum,
    /// posts the new weights' error, and each round's improvement is paid out.
    mutating func playDataBounty() throws {
        let sponsor = people.sponsor
        let owners = people.owners
        let bits = configuration.paillierBits
        doing("the sponsor derives its \(bits)-bit Paillier key")
        let keyStarted = Date()
        let key = try Paillier.PrivateKey.derived(bits: bits, seed: Array("dmctl demo \(configuration.seed) sponsor paillier".utf8))
        let fingerprint = Keccak256.hash(Array(key.publicKey.jwk()))
        step(String(format: "the sponsor's %d-bit Paillier key pair, derived from the seed in %.2f s; the chain records only its fingerprint %@…",
                    bits, Date().timeIntervalSince(keyStarted), String(fingerprint.hex.prefix(14))))

        // The sponsor keeps a validation set; the owners hold disjoint shards of the rest.
        let (rest, validation) = try dataset.split(testCount: dataset.count / 5, seed: subseed("data bounty split"))
        let standardizer = Standardizer(fitting: rest.features)
        let shards = try LabeledDataset(features: standardizer.transform(rest.features), labels: rest.labels)
            .shards(owners.count, seed: subseed("data bounty shards"))
        let validationFeatures = standardizer.transform(validation.features).map { row in
            row.map { FixedPoint.encode($0, scale: IntegerModel.scale) ?? 0 }
        }
        let zeros = [Int64](repeating: 0, count: 31)
        let initialError = try IntegerModel.error(.logistic, weights: zeros, features: validationFeatures, labels: validation.labels)
        let targetError: UInt64 = 800
        let salt = Salt.deterministic(seed: subseed("validation salt"))
        let id = chain.state(of: DataBountyModule.self).nextID
        let amount = Self.tokens(500)
        let terms = DataBounty.Terms(
            id: id, token: Self.dmt, bounty: amount, sponsorBond: Self.tokens(100), ownerStake: Self.tokens(10), model: .logistic,
            featureCount: 30, initialError: initialError, targetError: targetError, initialWeightsHash: IntegerModel.weightsHash(zeros),
            deadline: now + 86_400, keyFingerprint: fingerprint,
            validationCommitment: Commitment.make(
                .validation, bountyID: id, committer: sponsor.address, salt: salt,
                payloadHash: IntegerModel.validationPayloadHash(features: validationFeatures, labels: validation.labels)),
            validationSize: UInt32(validation.count), split: .equal)
        doing("the sponsor posts data bounty #\(id)")
        try send(.create(terms), to: DataBountyModule.self, from: sponsor)
        summary.dataBounty.bounty = id
        summary.dataBounty.keyBits = bits
        summary.dataBounty.amount = Self.dmt(amount)
        summary.dataBounty.initialError = initialError
        summary.dataBounty.targetError = targetError
        step("the sponsor escrows \(Self.dmt(amount)) + a \(Self.dmt(terms.sponsorBond)) bond for a logistic model below \(Self.basisPoints(Int64(targetError))) error "
             + "on \(validation.count) committed validation rows (zero weights: \(Self.basisPoints(Int64(initialError))))")

        let before = owners.map(balance)
        for (i, owner) in owners.enumerated() {
            doing("owner-\(i + 1) joins")
            try send(.join(bounty: id, declaredSamples: UInt64(shards[i].count), attribution: false), to: DataBountyModule.self, from: owner)
        }
        step("owners 1–5 join with \(shards.map { "\($0.count)" }.joined(separator: "/")) private rows, staking \(Self.dmt(terms.ownerStake)) each")

        var weights = [Double](repeating: 0, count: 31)
        var quantized = zeros
        let rowCount = shards.reduce(0) { $0 + $1.count }
        let maxRounds = 20
        var round = 0
        while chain.state(of: DataBountyModule.self).bounties[id]?.targetReachedAt == nil, round < maxRounds {
            round += 1
            let roundStarted = Date()
            let number = chain.state(of: DataBountyModule.self).bounties[id]?.currentRound ?? UInt64(round)
            doing("round \(number): the owners encrypt their gradients")
            let plain = shards.map { TaylorLogistic.gradientSum(weights: weights, features: $0.features, labels: $0.labels) }
            let encrypted = try Self.encryptAll(plain, publicKey: key.publicKey, seed: "dmctl demo \(configuration.seed) round \(number)")
            var sum = encrypted[0]
            for v in encrypted.dropFirst() { sum = try sum.adding(v) }
            for (i, owner) in owners.enumerated() {
                try send(.commitGradient(bounty: id, round: number, gradientHash: Self.hash(encrypted[i])), to: DataBountyModule.self, from: owner)
            }
            guard let state = chain.state(of: DataBountyModule.self).bounties[id], let open = state.rounds.last,
                  let aggregatorAddress = state.aggregator(of: open),
                  let aggregator = owners.firstIndex(where: { $0.address == aggregatorAddress })
            else { throw CLIError.refused("data bounty #\(id) round \(number) has no aggregator") }
            doing("round \(number): owner-\(aggregator + 1) commits the encrypted sum")
            try send(.commitAggregate(bounty: id, round: number, aggregateHash: Self.hash(sum)), to: DataBountyModule.self, from: owners[aggregator])

            doing("round \(number): the sponsor decrypts the sum and posts the weights")
            let decrypted = try key.decrypt(sum).map(\.doubleValue)
            weights = TaylorLogistic.step(weights: weights, gradientSum: decrypted, count: rowCount, learningRate: 0.3)
            guard let q = IntegerModel.quantize(weights) else { throw CLIError.refused("round \(number): weights left the fixed-point range") }
            quantized = q
            let error = try IntegerModel.error(.logistic, weights: quantized, features: validationFeatures, labels: validation.labels)
            let receipt = try send(.postRound(bounty: id, round: number, weightsHash: IntegerModel.weightsHash(quantized), error: error, contributions: []),
                                   to: DataBountyModule.self, from: sponsor)
            let payout = chain.state(of: DataBountyModule.self).bounties[id]?.rounds.last?.payout ?? .zero
            summary.dataBounty.rounds.append(.init(round: number, error: error, payout: Self.dmt(payout)))
            summary.dataBounty.ciphertexts += encrypted.reduce(0) { $0 + $1.count }
            let reached = receipt.events.contains { $0.kind == "RoundPosted" && $0[field: "targetReached"] == "true" } ? " — target reached" : ""
            step(String(format: "round %llu: %d encrypted gradients (%d ciphertexts) summed by owner-%d; the sponsor decrypts only the sum: error %@, pays %@ (%.2f s)%@",
                        number, owners.count, encrypted.reduce(0) { $0 + $1.count }, aggregator + 1, Self.basisPoints(Int64(error)), Self.dmt(payout),
                        Date().timeIntervalSince(roundStarted), reached))
        }
        guard let trained = chain.state(of: DataBountyModule.self).bounties[id], trained.targetReachedAt != nil else {
            throw CLIError.refused("data bounty #\(id) did not reach error \(targetError) in \(maxRounds) rounds")
        }
        summary.dataBounty.targetReached = true

        doing("the sponsor reveals the validation set and final weights")
        try send(.reveal(bounty: id, features: validationFeatures, labels: validation.labels, salt: salt, finalWeights: quantized),
                 to: DataBountyModule.self, from: sponsor)
        try warp(terms.challengeWindow)
        doing("owner-5 finalizes the bounty")
        try send(.finalize(bounty: id), to: DataBountyModule.self, from: owners[owners.count - 1])
        guard let closed = chain.state(of: DataBountyModule.self).bounties[id], closed.finalized else {
            throw CLIError.refused("data bounty #\(id) was not finalized")
        }
        for (i, owner) in owners.enumerated() {
            summary.dataBounty.payouts["owner-\(i + 1)"] = Self.delta(balance(owner), before[i])
        }
        summary.dataBounty.paid = Self.dmt(closed.paid)
        step("the sponsor reveals the validation set (the chain rechecks the final error); after the challenge window owner-5 finalizes: "
             + "owners paid \(Self.dmt(closed.paid)) in all (\(summary.dataBounty.payouts["owner-1"] ?? "?") each), stakes returned, the rest and the bond back to the sponsor")
    }

    /// Keccak-256 of an encrypted vector as delivered off chain (ciphertexts and exponents).
    static func hash(_ v: Paillier.EncryptedVector) -> Hash32 {
        Keccak256.hash(v.elements.map { "\($0.ciphertext.decimalString):\($0.exponent)" }.joined(separator: ","))
    }

    /// Encrypts each owner's vector with randomness derived from `seed`, the owner and the
    /// element, so a replay of the demo makes the same ciphertexts (and the chain the same
    /// hashes). Owners are encrypted in parallel.
    static func encryptAll(_ vectors: [[Double]], publicKey: Paillier.PublicKey, seed: String) throws -> [Paillier.EncryptedVector] {
        let results = DemoResults<Result<Paillier.EncryptedVector, HEError>>(count: vectors.count)
        DispatchQueue.concurrentPerform(iterations: vectors.count) { owner in
            results.store(Result { () throws(HEError) in
                try encrypt(vectors[owner], publicKey: publicKey, seed: "\(seed) owner \(owner)")
            }, at: owner)
        }
        return try results.values().map { try $0.get() }
    }

    /// Encrypts `values` with r derived from `seed` (reproducible; for the demo only).
    static func encrypt(_ values: [Double], publicKey: Paillier.PublicKey, seed: String) throws(HEError) -> Paillier.EncryptedVector {
        var elements: [Paillier.EncryptedNumber] = []
        elements.reserveCapacity(values.count)
        let blocks = publicKey.bits / 256 + 2
        for (j, value) in values.enumerated() {
            let encoded = try Paillier.EncodedNumber.encode(value, publicKey: publicKey)
            var counter: UInt64 = 0
            var r = BigInteger.one
            while true {
                var bytes: [UInt8] = []
                for block in 0..<blocks {
                    bytes += Keccak256.hash(RLP.list([.string(seed), .uint(UInt64(j)), .uint(counter), .uint(UInt64(block))]).encoded).bytes
                }
                if let candidate = BigInteger(bigEndianBytes: bytes).modulo(publicKey.n), !candidate.isZero, candidate.gcd(publicKey.n) == .one {
                    r = candidate
                    break
                }
                counter += 1
            }
            elements.append(try publicKey.encrypt(encoded, randomness: r))
        }
        return try Paillier.EncryptedVector(elements)
    }
}

/// Slots written by disjoint indices from concurrent workers.
final class DemoResults<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every slot is written by exactly one worker (its own index) under `lock`,
    // and read only after `concurrentPerform` returned.
    private let lock = NSLock()
    private var slots: [Value?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ value: Value, at index: Int) { lock.withLock { slots[index] = value } }

    func values() -> [Value] { lock.withLock { slots.compactMap { $0 } } }
}
