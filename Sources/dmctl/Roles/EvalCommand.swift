import ArgumentParser
import ChainNode
import Foundation
import LedgerCore
import MarketKit

/// `dmctl eval`: evaluations of models by paying users, and reviews of evaluations.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Post, review and show model evaluations (only paying users of a model may post or review).",
        discussion: "Example: dmctl eval post 4 --rating 4 --inputs-file in.csv --outputs-file out.csv --text-file review.md --key dave",
        subcommands: [Post.self, Review.self, Show.self])

    struct Post: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post your one evaluation of a model: a rating 1-5 and the hashes of example inputs, outputs and text.",
            discussion: "Example: dmctl eval post 4 --rating 4 --inputs-file in.csv --outputs-file out.csv --text-file review.md --key dave")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The $Model NFT id.") var model: UInt64
        @Option(help: "Rating, 1 to 5.") var rating: UInt8
        @Option(help: "Keccak-256 of the example inputs (hex).") var inputsHash: String?
        @Option(help: "File of example inputs (hashed locally).") var inputsFile: String?
        @Option(help: "Keccak-256 of the outputs (hex).") var outputsHash: String?
        @Option(help: "File of outputs (hashed locally).") var outputsFile: String?
        @Option(help: "Keccak-256 of the evaluation text (hex).") var textHash: String?
        @Option(help: "File of the evaluation text (hashed locally).") var textFile: String?

        func run() async throws {
            guard let i = try RolesCLI.hash(hex: inputsHash, file: inputsFile, name: "inputs"),
                let o = try RolesCLI.hash(hex: outputsHash, file: outputsFile, name: "outputs"),
                let t = try RolesCLI.hash(hex: textHash, file: textFile, name: "text")
            else { return }
            try RolesCLI.run(.evaluate(model: model, rating: rating, inputsHash: i, outputsHash: o, textHash: t), global: global, signer: signer)
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark another user's evaluation helpful or unhelpful (once; you must have paid for the model).",
            discussion: "Example: dmctl eval review 1 --helpful --key erin")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The evaluation id.") var evaluation: UInt64
        @Flag(help: "Helpful or unhelpful.") var verdict: Verdict

        enum Verdict: EnumerableFlag { case helpful, unhelpful }

        func run() async throws {
            try RolesCLI.run(.review(evaluation: evaluation, helpful: verdict == .helpful), global: global, signer: signer)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a model's score and evaluations, or without an id every model by score.",
            discussion: """
                score = floor(100 * sum(rating * w) / sum(w)), w = 1 + max(0, helpful - unhelpful) over the \
                evaluator's reviews. Example: dmctl eval show 4 --json
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The $Model NFT id.") var model: UInt64?

        func run() async throws {
            let (chain, roles) = try RolesCLI.state(global)
            // The same views the node serves at GET /models and GET /models/{id}.
            let views: [NodeAPI.ModelView]
            if let model {
                do { _ = try roles.model(model) } catch { throw CLIError.refused("\(error)") }
                views = NodeAPI.ModelView(model, roles: roles, ledger: chain.state.ledger).map { [$0] } ?? []
            } else {
                views = NodeAPI.ModelView.ranked(roles: roles, ledger: chain.state.ledger)
            }
            if global.json { try Output.json(views); return }
            for v in views {
                Output.fields([
                    ("model", "\(v.model)"), ("owner", v.owner), ("price", "\(v.pricePerUse) \(v.token)"), ("uses", "\(v.uses)"),
                    ("score", v.scoreHundredths.map { String(format: "%d.%02d / 5", Int($0 / 100), Int($0 % 100)) } ?? "no evaluations"),
                ])
                if !v.evaluations.isEmpty {
                    Output.table(["eval", "evaluator", "rating", "helpful", "unhelpful", "weight"], v.evaluations.map {
                        ["\($0.id)", $0.evaluator.checksummed, "\($0.rating)", "\($0.helpful)", "\($0.unhelpful)", "\($0.weight)"]
                    })
                }
            }
        }
    }
}
