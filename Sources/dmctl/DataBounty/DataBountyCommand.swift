public import ArgumentParser
import ChainNode
import Foundation
import HECore
import LedgerCore
import ModelMarketKit

extension IntegerModel.Kind: ExpressibleByArgument {}
extension DataBounty.SplitRule: ExpressibleByArgument {}

/// `dmctl databounty ...`: encrypted data bounties (seed 004) on the home's chain.
struct DataBountyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "databounty",
        abstract: "Data bounties: create, join, commit, aggregate, post, reveal, challenge, finalize, show.",
        discussion: """
            Gradients travel off chain encrypted under the sponsor's Paillier key (dmctl he); the \
            chain records the key's fingerprint and the hashes of the files. By default each owner \
            sends its exact gradient at the published weights, packed many values to a ciphertext \
            (dmctl he encrypt --packed), the aggregator adds the files (dmctl he add) and the \
            sponsor decrypts only the sum. Fixed-point files are JSON: weights {"values": [...]}, \
            validation {"features": [[...]], "labels": [...]}.

            Example:
              dmctl databounty join --key owner1 --bounty 1 --samples 91
              dmctl he encrypt --key keys/public.json --packed --bits 32 --parties 5 --range 1024 -- 0.5,-3.25,1.5,0.25 > grad1.json
              dmctl databounty commit --key owner1 --bounty 1 --round 1 --gradient grad1.json
              dmctl databounty show 1
            """,
        subcommands: [Create.self, Join.self, Commit.self, Aggregate.self, Post.self, Reveal.self, Challenge.self, Finalize.self, Show.self])

    /// A fixed-point validation set.
    struct Validation: Codable { var features: [[Int64]]; var labels: [Int64] }
    /// The sponsor's sealed validation commitment.
    struct Secret: Codable { var bounty: UInt64; var salt: Salt }

    static func fileHash(_ path: String) throws -> Hash32 {
        try TerminalProgress.keccak(ofFile: path, field: "file")
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Escrow a bounty and a bond for a model to reach a target error.",
            discussion: "Example: dmctl databounty create --key sponsor --token DMT --reward 100 --bond 50 --stake 1 --features 3 --initial-error 3700 --target-error 800 --initial-weights w0.json --deadline-in 86400 --public-key keys/public.json --validation val.json --secret sponsor.secret.json")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Token symbol.") var token: String
        @Option(parsing: .unconditional, help: AmountRule.help("The bounty paid for reaching the target", token: "--token")) var reward: String
        @Option(parsing: .unconditional, help: AmountRule.help("Sponsor bond", token: "--token")) var bond: String
        @Option(parsing: .unconditional, help: AmountRule.help("Owner stake", token: "--token")) var stake: String
        @OptionGroup var units: RawAmountFlag
        @Option(help: "Model: logistic or linear.") var model: IntegerModel.Kind = .logistic
        @Option(help: "Number of features.") var features: UInt32
        @Option(help: "Error of the initial weights on the validation set.") var initialError: UInt64
        @Option(help: "Target error.") var targetError: UInt64
        @Option(help: "Initial weights JSON {\"values\": [...]} (features + 1, bias last).") var initialWeights: String
        @Option(help: "Seconds from now until rounds end.") var deadlineIn: UInt64
        @Option(help: "The Paillier public key JSON (pheutil form); its Keccak-256 is posted.") var publicKey: String
        @Option(help: "Validation set JSON.") var validation: String
        @Option(help: "Split rule: equal, declaredSamples or contribution.") var split: DataBounty.SplitRule = .equal
        @Option(help: "Where to keep the validation salt.") var secret: String

        func run() async throws {
            let home = Home(global)
            let key = try signer.load(global)
            let chain = try ChainHome.open(home)
            let id = chain.state(of: DataBountyModule.self).nextID
            let set = try ChainCall.readJSON(Validation.self, from: validation)
            let weights = try ChainCall.readJSON(IntegerVector.self, from: initialWeights).values
            guard weights.count == Int(features) + 1 else {
                throw CLIError.usage("--initial-weights: \(initialWeights) holds \(weights.count) values; expected --features + 1 = \(Int(features) + 1) (bias last)")
            }
            if let wrong = set.features.firstIndex(where: { $0.count != Int(features) }) {
                throw CLIError.usage("--validation: row \(wrong) has \(set.features[wrong].count) features; expected --features = \(features)")
            }
            do { _ = try Paillier.PublicKey(jwk: try HEFiles.read(publicKey, what: "--public-key")) } catch let error as CLIError { throw error } catch {
                throw CLIError.usage("--public-key: \(publicKey) is not a Paillier public key (\(error)); expected the pheutil JSON written by dmctl he keygen")
            }
            let tokenID = try ChainCall.token(token)
            let salt = Salt.random()
            let terms = DataBounty.Terms(
                id: id, token: tokenID, bounty: try AmountRule.parse(reward, of: tokenID, raw: units.raw, chain: chain, field: "--reward"),
                sponsorBond: try AmountRule.parse(bond, of: tokenID, raw: units.raw, chain: chain, field: "--bond"),
                ownerStake: try AmountRule.parse(stake, of: tokenID, raw: units.raw, chain: chain, field: "--stake"),
                model: model, featureCount: features, initialError: initialError, targetError: targetError,
                initialWeightsHash: IntegerModel.weightsHash(weights), deadline: chain.clock.now() &+ deadlineIn,
                keyFingerprint: try DataBountyCommand.fileHash(publicKey),
                validationCommitment: Commitment.make(.validation, bountyID: id, committer: key.address, salt: salt,
                                                      payloadHash: IntegerModel.validationPayloadHash(features: set.features, labels: set.labels)),
                validationSize: UInt32(clamping: set.labels.count), split: split)
            try ChainCall.writeJSON(Secret(bounty: id, salt: salt), to: secret)
            try ChainCall.send(DataBountyModule.Call.create(terms), to: DataBountyModule.self, key: key, home: home, json: global.json)
        }
    }

    struct Join: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Owner: stake and register with a declared sample count.",
                                                        discussion: "Example: dmctl databounty join --key owner1 --bounty 1 --samples 91")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Bounty id.") var bounty: UInt64
        @Option(help: "Declared number of samples.") var samples: UInt64
        @Flag(help: "Opt in to attribution mode (the sponsor sees your individual gradient).") var attribution = false

        func run() async throws {
            try ChainCall.send(DataBountyModule.Call.join(bounty: bounty, declaredSamples: samples, attribution: attribution), to: DataBountyModule.self,
                               global: global, signer: signer)
        }
    }

    struct Commit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Owner: commit the Keccak-256 of your encrypted-gradient file for a round.",
                                                        discussion: "Example: dmctl databounty commit --key owner1 --bounty 1 --round 1 --gradient grad1.json")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Bounty id.") var bounty: UInt64
        @Option(help: "Round number.") var round: UInt64
        @Option(help: "The encrypted gradient file delivered off chain.") var gradient: String

        func run() async throws {
            try ChainCall.send(DataBountyModule.Call.commitGradient(bounty: bounty, round: round, gradientHash: try DataBountyCommand.fileHash(gradient)),
                               to: DataBountyModule.self, global: global, signer: signer)
        }
    }

    struct Aggregate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Aggregator: commit the Keccak-256 of the summed-ciphertext file.",
                                                        discussion: "Example: dmctl databounty aggregate --key owner1 --bounty 1 --round 1 --aggregate sum.json")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Bounty id.") var bounty: UInt64
        @Option(help: "Round number.") var round: UInt64
        @Option(help: "The aggregate file.") var aggregate: String

        func run() async throws {
            try ChainCall.send(DataBountyModule.Call.commitAggregate(bounty: bounty, round: round, aggregateHash: try DataBountyCommand.fileHash(aggregate)),
                               to: DataBountyModule.self, global: global, signer: signer)
        }
    }

    struct Post: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sponsor: post a round's new weights hash and validation error.",
                                                        discussion: "Example: dmctl databounty post --key sponsor --bounty 1 --round 1 --weights w1.json --error 1315")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Bounty id.") var bounty: UInt64
        @Option(help: "Round number.") var round: UInt64
        @Option(help: "New weights JSON {\"values\": [...]}.") var weights: String
        @Option(help: "New validation error.") var error: UInt64
        @Option(help: "Contribution scores JSON [{\"owner\": \"0x…\", \"score\": n}] (attribution mode).") var contributions: String?

        func run() async throws {
            let w = try ChainCall.readJSON(IntegerVector.self, from: weights).values
            let c = try contributions.map { try ChainCall.readJSON([DataBounty.Contribution].self, from: $0) } ?? []
            try ChainCall.send(DataBountyModule.Call.postRound(bounty: bounty, round: round, weightsHash: IntegerModel.weightsHash(w), error: error, contributions: c),
                               to: DataBountyModule.self, global: global, signer: signer)
        }
    }

    struct Reveal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sponsor: reveal the validation set and final weights after the end.",
                                                        discussion: "Example: dmctl databounty reveal --key sponsor --secret sponsor.secret.json --validation val.json --weights w2.json")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "The secret written by create.") var secret: String
        @Option(help: "Validation set JSON.") var validation: String
        @Option(help: "Final weights JSON.") var weights: String

        func run() async throws {
            let s = try ChainCall.readJSON(Secret.self, from: secret)
            let set = try ChainCall.readJSON(Validation.self, from: validation)
            let w = try ChainCall.readJSON(IntegerVector.self, from: weights).values
            try ChainCall.send(DataBountyModule.Call.reveal(bounty: s.bounty, features: set.features, labels: set.labels, salt: s.salt, finalWeights: w),
                               to: DataBountyModule.self, global: global, signer: signer)
        }
    }

    struct Challenge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Anyone: have the chain recompute a round's error from its weights.",
                                                        discussion: "Example: dmctl databounty challenge --key owner2 --bounty 1 --round 1 --weights w1.json")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Bounty id.") var bounty: UInt64
        @Option(help: "Round number (0: initial weights).") var round: UInt64
        @Option(help: "That round's weights JSON.") var weights: String

        func run() async throws {
            let w = try ChainCall.readJSON(IntegerVector.self, from: weights).values
            try ChainCall.send(DataBountyModule.Call.challengeError(bounty: bounty, round: round, weights: w), to: DataBountyModule.self,
                               global: global, signer: signer)
        }
    }

    struct Finalize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Anyone: settle after the challenge window (or a missed reveal).",
                                                        discussion: "Example: dmctl databounty finalize --key owner1 --bounty 1")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Bounty id.") var bounty: UInt64

        func run() async throws {
            try ChainCall.send(DataBountyModule.Call.finalize(bounty: bounty), to: DataBountyModule.self, global: global, signer: signer)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a data bounty: phase, error, rounds, owners.", discussion: "Example: dmctl databounty show 1")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Bounty id.") var bounty: UInt64

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            guard let b = chain.state(of: DataBountyModule.self).bounties[bounty] else { throw DataBountyError.unknownBounty(bounty) }
            let phase = b.phase(at: chain.clock.now())
            if global.json {
                // The same view the node serves at GET /databounties/{id}.
                return try Output.json(NodeAPI.DataBountyView(b, now: chain.clock.now()))
            }
            let token = chain.state.ledger.tokens[b.terms.token]
            Output.fields([
                ("bounty", "\(b.id)"), ("phase", phase.rawValue), ("sponsor", b.sponsor.checksummed),
                ("error", "\(b.bestError) (initial \(b.terms.initialError), target \(b.terms.targetError))"),
                ("paid", "\(AmountRule.text(b.paid, token)) of \(AmountRule.text(b.terms.bounty, token))"), ("current round", "\(b.currentRound)"),
            ])
            Output.table(["OWNER", "SAMPLES", "ATTRIBUTION", "SLASHED", "EARNED"], b.owners.map {
                [$0.address.checksummed, "\($0.declaredSamples)", "\($0.attribution)", "\($0.slashed)", AmountRule.text($0.earned, token)]
            })
        }
    }
}
