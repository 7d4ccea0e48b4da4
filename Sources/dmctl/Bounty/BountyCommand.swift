import ArgumentParser
import ChainNode
import Foundation
import LedgerCore
import ModelMarketKit

/// `dmctl bounty ...`: model bounties (seed 002) on the home's chain.
struct BountyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bounty",
        abstract: "Model bounties: create, train, submit, cancel, truth, claim, pick, reveal, timeout, show.",
        discussion: """
            A requester splits its data (dmctl dataset split), creates the bounty from the split \
            folder, and later reveals the truth; trainers submit sealed predictions, claim their \
            score, and reveal when picked. Amounts are token units of --token (smallest units with \
            --raw; see dmctl amounts). Secrets (salts, labels, predictions) stay in local JSON \
            files written with mode 0600.

            Example:
              dmctl dataset split --input Data/breast_cancer.csv --test-count 143 --seed 7 --out bounty1
              dmctl bounty create --key req --token DMT --reward 10 --stake 1 --deadline-in 3600 --classes 2 --dir bounty1
              dmctl bounty show 1
            """,
        subcommands: [Create.self, Train.self, Submit.self, Cancel.self, Truth.self, Claim.self, Pick.self, Reveal.self, Timeout.self, Show.self])

    /// The requester's sealed truth.
    struct TruthSecret: Codable { var bounty: UInt64; var salt: Salt; var labels: [Int64] }
    /// A trainer's sealed entry.
    struct EntrySecret: Codable { var bounty: UInt64; var salt: Salt; var predictions: [Int64]; var modelHash: Hash32 }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Escrow a reward and post a bounty from a `dataset split` folder.",
            discussion: "Example: dmctl bounty create --key req --token DMT --reward 10 --stake 1 --deadline-in 3600 --classes 2 --dir bounty1")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Token symbol.") var token: String
        @Option(parsing: .unconditional, help: AmountRule.help("Reward")) var reward: String
        @Option(parsing: .unconditional, help: AmountRule.help("Trainer stake")) var stake: String
        @OptionGroup var units: RawAmountFlag
        @Option(help: "Seconds from now until submissions close.") var deadlineIn: UInt64
        @Option(help: "Response window in seconds.") var window: UInt64 = ModelBounty.Terms.defaultResponseWindow
        @Option(help: "Number of classes (accuracy metric); omit with --regression.") var classes: UInt32?
        @Flag(help: "Score by mean absolute error instead of accuracy.") var regression = false
        @Option(help: "Folder written by `dmctl dataset split`.") var dir: String
        @Option(help: "Where to keep the sealed truth (default DIR/truth-secret.json).") var secret: String?

        func run() async throws {
            let home = Home(global)
            let key = try signer.load(global)
            let metric: Metric
            switch (classes, regression) {
            case (let k?, false): metric = .accuracy(classes: k)
            case (nil, true): metric = .meanAbsoluteError
            default: throw CLIError.usage("give exactly one of --classes N or --regression")
            }
            // The command line first (token, amounts), then the files, as other commands do: a
            // bad amount is named even when --dir is wrong too.
            let chain = try ChainHome.open(home)
            let tokenID = try ChainCall.token(token)
            let rewardValue = try AmountRule.parse(reward, of: tokenID, raw: units.raw, chain: chain, field: "--reward")
            let stakeValue = try AmountRule.parse(stake, of: tokenID, raw: units.raw, chain: chain, field: "--stake")
            let base = URL(fileURLWithPath: dir, isDirectory: true)
            let train = try ChainCall.readText(base.appendingPathComponent("train.csv").path)
            let test = try ChainCall.readText(base.appendingPathComponent("test-features.csv").path)
            let truth = try ChainCall.readJSON(IntegerVector.self, from: base.appendingPathComponent("truth.json").path).values
            let id = chain.state(of: ModelBountyModule.self).nextID
            let salt = Salt.random()
            let terms = ModelBounty.Terms(
                id: id, token: tokenID, reward: rewardValue,
                stake: stakeValue, submissionDeadline: chain.clock.now() &+ deadlineIn,
                responseWindow: window, metric: metric, testSize: UInt32(clamping: truth.count),
                trainingDataHash: Keccak256.hash(Array(train.utf8)), testFeaturesHash: Keccak256.hash(Array(test.utf8)),
                truthCommitment: Commitment.make(.truth, bountyID: id, committer: key.address, salt: salt, payloadHash: Commitment.truthPayloadHash(labels: truth)))
            let secretPath = secret ?? base.appendingPathComponent("truth-secret.json").path
            try ChainCall.writeJSON(TruthSecret(bounty: id, salt: salt, labels: truth), to: secretPath)
            try ChainCall.send(ModelBountyModule.Call.create(terms), to: ModelBountyModule.self, key: key, home: home, json: global.json)
        }
    }

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stake and commit to predictions and a model hash (sealed, bound to your address).",
            discussion: "Example: dmctl bounty submit --key alice --bounty 1 --predictions alice-preds.json --model-file alice.onnx --secret alice.secret.json")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Bounty id.") var bounty: UInt64
        @Option(help: "JSON file {\"values\": [...]} with one prediction per test row.") var predictions: String
        @Option(help: "0x Keccak-256 of the model file (or give --model-file).") var modelHash: String?
        @Option(help: "The model file, hashed locally with Keccak-256 (or give --model-hash).") var modelFile: String?
        @Option(help: "Where to keep the sealed entry (salt, predictions).") var secret: String

        func run() async throws {
            guard let modelHash = try RolesCLI.hash(hex: modelHash, file: modelFile, name: "model") else { return }
            let key = try signer.load(global)
            let values = try ChainCall.readJSON(IntegerVector.self, from: predictions).values
            let entry = EntrySecret(bounty: bounty, salt: .random(), predictions: values, modelHash: modelHash)
            let commitment = Commitment.make(.submission, bountyID: bounty, committer: key.address, salt: entry.salt,
                                             payloadHash: Commitment.predictionPayloadHash(predictions: values, modelHash: entry.modelHash))
            try ChainCall.writeJSON(entry, to: secret)
            try ChainCall.send(ModelBountyModule.Call.submit(bounty: bounty, commitment: commitment), to: ModelBountyModule.self, key: key, home: Home(global), json: global.json)
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Requester: cancel the bounty. Trainer: withdraw your submission.",
            discussion: "Example: dmctl bounty cancel --key alice --bounty 1")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Bounty id.") var bounty: UInt64

        func run() async throws {
            let home = Home(global)
            let key = try signer.load(global)
            guard let b = try ChainHome.open(home).state(of: ModelBountyModule.self).bounties[bounty] else {
                throw ModelBountyError.unknownBounty(bounty)
            }
            let call: ModelBountyModule.Call = b.requester == key.address ? .cancel(bounty: bounty) : .withdraw(bounty: bounty)
            try ChainCall.send(call, to: ModelBountyModule.self, key: key, home: home, json: global.json)
        }
    }

    struct Truth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Requester: reveal the ground truth from the sealed truth file.",
            discussion: "Example: dmctl bounty truth --key req --secret bounty1/truth-secret.json")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "The truth-secret.json written by `bounty create`.") var secret: String

        func run() async throws {
            let s = try ChainCall.readJSON(TruthSecret.self, from: secret)
            try ChainCall.send(ModelBountyModule.Call.revealTruth(bounty: s.bounty, labels: s.labels, salt: s.salt), to: ModelBountyModule.self,
                               global: global, signer: signer)
        }
    }

    struct Claim: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trainer: claim your score (computed from your sealed predictions and the revealed truth unless --score is given).",
            discussion: "Example: dmctl bounty claim --key alice --secret alice.secret.json")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Your sealed entry file.") var secret: String
        @Option(help: "Claim this score instead of the computed one.") var score: Int64?

        func run() async throws {
            let home = Home(global)
            let s = try ChainCall.readJSON(EntrySecret.self, from: secret)
            var claimed = score
            if claimed == nil {
                guard let b = try ChainHome.open(home).state(of: ModelBountyModule.self).bounties[s.bounty] else { throw ModelBountyError.unknownBounty(s.bounty) }
                guard let truth = b.truth else { throw CLIError.refused("bounty \(s.bounty): the truth is not revealed yet; claims open after it") }
                do { claimed = try Scoring.score(predictions: s.predictions, truth: truth, metric: b.terms.metric) } catch { throw CLIError.refused("\(error)") }
            }
            try ChainCall.send(ModelBountyModule.Call.claim(bounty: s.bounty, score: claimed ?? 0), to: ModelBountyModule.self,
                               key: try signer.load(global), home: home, json: global.json)
        }
    }

    struct Pick: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Anyone: after the claims window, select the highest claim as candidate.",
                                                        discussion: "Example: dmctl bounty pick --key bob --bounty 1")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Bounty id.") var bounty: UInt64

        func run() async throws {
            try ChainCall.send(ModelBountyModule.Call.pick(bounty: bounty), to: ModelBountyModule.self, global: global, signer: signer)
        }
    }

    struct Reveal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Candidate: reveal predictions, model hash and salt from your sealed entry.",
                                                        discussion: "Example: dmctl bounty reveal --key alice --secret alice.secret.json")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Your sealed entry file.") var secret: String

        func run() async throws {
            let s = try ChainCall.readJSON(EntrySecret.self, from: secret)
            try ChainCall.send(ModelBountyModule.Call.reveal(bounty: s.bounty, predictions: s.predictions, modelHash: s.modelHash, salt: s.salt),
                               to: ModelBountyModule.self, global: global, signer: signer)
        }
    }

    struct Timeout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Anyone: apply the outcome of the expired window (truth, selection, candidate).",
                                                        discussion: "Example: dmctl bounty timeout --key bob --bounty 1")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Bounty id.") var bounty: UInt64

        func run() async throws {
            try ChainCall.send(ModelBountyModule.Call.timeout(bounty: bounty), to: ModelBountyModule.self, global: global, signer: signer)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a bounty: phase, windows, submissions, outcome.",
                                                        discussion: "Example: dmctl bounty show 1 --json")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Bounty id.") var bounty: UInt64

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            guard let b = chain.state(of: ModelBountyModule.self).bounties[bounty] else { throw ModelBountyError.unknownBounty(bounty) }
            let phase = b.phase(at: chain.clock.now())
            if global.json {
                // The same view the node serves at GET /bounties/{id}.
                return try Output.json(NodeAPI.ModelBountyView(b, ledger: chain.state.ledger, now: chain.clock.now()))
            }
            Output.fields([
                ("bounty", "\(b.id)"), ("phase", phase.rawValue), ("requester", b.requester.checksummed),
                ("reward", AmountRule.text(b.terms.reward, chain.state.ledger.tokens[b.terms.token])),
                ("stake", AmountRule.text(b.terms.stake, chain.state.ledger.tokens[b.terms.token])),
                ("deadline", "\(b.terms.submissionDeadline)"), ("metric", "\(b.terms.metric)"),
                ("winner", b.winner?.checksummed ?? "-"), ("model hash", b.modelHash?.hex ?? "-"),
            ])
            Output.table(["#", "TRAINER", "STATUS", "CLAIM"], b.submissions.map {
                ["\($0.sequence)", $0.trainer.checksummed, $0.status.rawValue, $0.claim.map(String.init) ?? "-"]
            })
        }
    }
}
