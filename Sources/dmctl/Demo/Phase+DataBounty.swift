import Foundation
import HECore
import LedgerCore
import ModelMarketKit

extension DemoScenario {
    /// The data-bounty phase (seed 004) in the default mode, exact secure aggregation: the
    /// sponsor escrows a bounty for a logistic model reaching a target error and publishes the
    /// weights each round; five owners compute the exact gradient on their own rows, pack it
    /// into one Paillier ciphertext each (BatchCrypt-style), a rotating owner adds the
    /// ciphertexts, the sponsor decrypts only the sum, posts the new weights' error, and each
    /// round's improvement is paid out. The final accuracy is shown beside the plaintext
    /// reference learner's on the same split.
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
        let targetError: UInt64 = 400
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

        // The packing every owner uses: 32-bit values in [−range, range] with headroom for the
        // five owners' sum; the range bounds any owner's gradient (|σ − y| ≤ 1 and each owner
        // checks Σ|xᵢⱼ| on its own rows).
        let layout = try Paillier.PackingLayout(
            publicKey: key.publicKey, valueBits: Self.packedValueBits, maxParties: owners.count, range: Self.packingRange)
        for (i, shard) in shards.enumerated() where ExactGradient.bound(features: shard.features) > layout.range {
            throw CLIError.refused("owner-\(i + 1)'s gradient could exceed the packing range \(layout.range)")
        }
        summary.dataBounty.mode = "exact secure aggregation (packed)"
        summary.dataBounty.valuesPerCiphertext = layout.slotsPerCiphertext
        var weights = [Double](repeating: 0, count: 31)
        var quantized = zeros
        let rowCount = shards.reduce(0) { $0 + $1.count }
        let maxRounds = 40
        var round = 0
        while chain.state(of: DataBountyModule.self).bounties[id]?.targetReachedAt == nil, round < maxRounds {
            round += 1
            let roundStarted = Date()
            let number = chain.state(of: DataBountyModule.self).bounties[id]?.currentRound ?? UInt64(round)
            doing("round \(number): the owners pack and encrypt their exact gradients")
            let published = weights
            let plain = shards.map { ExactGradient.logisticSum(weights: published, features: $0.features, labels: $0.labels) }
            let encrypted = try Self.encryptAll(plain, layout: layout, seed: "dmctl demo \(configuration.seed) round \(number)")
            // The demo keeps ciphertexts reproducible; a real aggregator also re-randomises.
            let sum = try layout.aggregate(encrypted, rerandomizing: false)
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
            let decrypted = try layout.decrypt(sum, with: key)
            weights = ExactGradient.step(
                weights: weights, gradientSum: decrypted, count: rowCount, learningRate: Self.exactLearningRate,
                inverseRegularization: 1, stride: 31)
            guard let q = IntegerModel.quantize(weights) else { throw CLIError.refused("round \(number): weights left the fixed-point range") }
            quantized = q
            let error = try IntegerModel.error(.logistic, weights: quantized, features: validationFeatures, labels: validation.labels)
            let receipt = try send(.postRound(bounty: id, round: number, weightsHash: IntegerModel.weightsHash(quantized), error: error, contributions: []),
                                   to: DataBountyModule.self, from: sponsor)
            let payout = chain.state(of: DataBountyModule.self).bounties[id]?.rounds.last?.payout ?? .zero
            let ciphertexts = encrypted.reduce(0) { $0 + $1.ciphertexts.count }
            summary.dataBounty.rounds.append(.init(round: number, error: error, payout: Self.dmt(payout)))
            summary.dataBounty.ciphertexts += ciphertexts
            summary.dataBounty.values += encrypted.reduce(0) { $0 + $1.count }
            let reached = receipt.events.contains { $0.kind == "RoundPosted" && $0[field: "targetReached"] == "true" } ? " — target reached" : ""
            step(String(format: "round %llu: %d exact gradients of %d values packed into %d ciphertexts, summed by owner-%d; the sponsor decrypts only the sum: error %@, pays %@ (%.2f s)%@",
                        number, owners.count, plain[0].count, ciphertexts, aggregator + 1, Self.basisPoints(Int64(error)), Self.dmt(payout),
                        Date().timeIntervalSince(roundStarted), reached))
        }
        guard let trained = chain.state(of: DataBountyModule.self).bounties[id], trained.targetReachedAt != nil else {
            throw CLIError.refused("data bounty #\(id) did not reach error \(targetError) in \(maxRounds) rounds")
        }
        summary.dataBounty.targetReached = true
        // Accuracy on the validation rows: the securely aggregated model beside the plaintext
        // reference learner trained on all the owners' rows together (nobody could, privately).
        let validationRows = standardizer.transform(validation.features)
        let secureAccuracy = ExactGradient.logisticAccuracy(weights: weights, features: validationRows, labels: validation.labels)
        let reference = LogisticRegression.train(features: rest.features, labels: rest.labels)
        let referenceAccuracy = accuracy(reference.predict(validation.features), validation.labels)
        summary.dataBounty.accuracy = secureAccuracy
        summary.dataBounty.referenceAccuracy = referenceAccuracy
        step(String(format: "validation accuracy %.2f %% through exact secure aggregation, beside %.2f %% for the plaintext reference learner on the pooled rows",
                    secureAccuracy * 100, referenceAccuracy * 100))

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

    /// Bits of each packed gradient value (32: far finer than the learning step needs).
    static let packedValueBits = 32
    /// The public packing range: every owner's gradient component lies in ±1024.
    static let packingRange = 1024.0
    /// The sponsor's step size on the summed gradient, per row (4: fast and stable here).
    static let exactLearningRate = 4.0

    /// Keccak-256 of a packed vector as delivered off chain (its JSON form).
    static func hash(_ v: Paillier.PackedVector) -> Hash32 { Keccak256.hash(Array(v.json())) }

    /// Packs and encrypts each owner's vector with randomness derived from `seed`, the owner
    /// and the ciphertext, so a replay of the demo makes the same ciphertexts (and the chain
    /// the same hashes). Owners are encrypted in parallel.
    static func encryptAll(_ vectors: [[Double]], layout: Paillier.PackingLayout, seed: String) throws -> [Paillier.PackedVector] {
        let results = DemoResults<Result<Paillier.PackedVector, HEError>>(count: vectors.count)
        DispatchQueue.concurrentPerform(iterations: vectors.count) { owner in
            results.store(Result { () throws(HEError) in
                let plaintexts = try layout.pack(layout.quantize(vectors[owner]))
                let ciphertexts = try encrypt(plaintexts, publicKey: layout.publicKey, seed: "\(seed) owner \(owner)")
                return try Paillier.PackedVector(layout: layout, ciphertexts: ciphertexts, count: vectors[owner].count)
            }, at: owner)
        }
        return try results.values().map { try $0.get() }
    }

    /// Encrypts `plaintexts` with r derived from `seed` (reproducible; for the demo only).
    static func encrypt(_ plaintexts: [Paillier.EncodedNumber], publicKey: Paillier.PublicKey, seed: String) throws(HEError) -> [Paillier.EncryptedNumber] {
        var elements: [Paillier.EncryptedNumber] = []
        elements.reserveCapacity(plaintexts.count)
        let blocks = publicKey.bits / 256 + 2
        for (j, encoded) in plaintexts.enumerated() {
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
        return elements
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
