import ArgumentParser
import Foundation
import LedgerCore
import MarketKit
import ONNXKit

/// `dmctl model`: pay-per-use `$Model` tokens.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Mint, price, use and run $Model tokens (ONNX models); each use is split exactly between model owner, curator and data owners.",
        discussion: "Example: dmctl model use 4 --max-price 0.5 --key dave",
        subcommands: [Mint.self, Price.self, Use.self, Run.self, Publish.self, EncryptLayer.self, Serve.self, Bundles.self, Predict.self])

    struct Mint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mint a $Model NFT linking the portfolio (or single $Data) it was trained on.",
            discussion: "An .onnx --model-file must load as a runnable ONNX model. Example: dmctl model mint --model-file model.onnx --portfolio 3 --token DMT --price 0.5 --bounty mm:7 --key trainer")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Keccak-256 of the model (hex).") var modelHash: String?
        @Option(help: "A file whose Keccak-256 is the model hash.") var modelFile: String?
        @Option(help: "The $Portfolio it was trained on.") var portfolio: UInt64?
        @Option(help: "The single $Data it was trained on (instead of --portfolio).") var data: UInt64?
        @Option(help: "A reference to the bounty that produced it (free text, up to 128 bytes).") var bounty: String?
        @Option(help: "Token users pay in.") var token: String
        @Option(help: "Price per use (token units, or smallest units with --raw; 0: not offered).") var price = "0"
        @OptionGroup var units: RawAmountFlag
        @Option(help: "Display name.") var name: String?

        func run() async throws {
            // An ONNX file must be a model that runs: its Keccak-256 is the $Model content hash.
            if let modelFile, modelFile.lowercased().hasSuffix(".onnx") {
                _ = try ONNXModel(contentsOf: URL(fileURLWithPath: modelFile))
            }
            guard let hash = try RolesCLI.hash(hex: modelHash, file: modelFile, name: "model") else { return }
            let source = try RolesCLI.trainingSource(portfolio: portfolio, data: data)
            let chain = try ChainHome.open(Home(global))
            let tokenID = try RolesCLI.token(token, field: "--token")
            let amount = try RolesCLI.amount(price, of: tokenID, raw: units.raw, chain: chain, field: "--price")
            try RolesCLI.run(.mintModel(modelHash: hash, trainedOn: source, bounty: bounty, paymentToken: tokenID, pricePerUse: amount, name: name),
                             chain: chain, global: global, signer: signer)
        }
    }

    struct Price: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the price per use of a model you own (0 withdraws it from use).",
            discussion: "Example: dmctl model price 4 --price 0.75 --key trainer")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The $Model NFT id.") var id: UInt64
        @Option(help: "Price per use (token units, or smallest units with --raw).") var price: String
        @OptionGroup var units: RawAmountFlag

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            let model = try RolesCLI.lookup(chain) { try $0.model(id) }
            let amount = try RolesCLI.amount(price, of: model.paymentToken, raw: units.raw, chain: chain, field: "--price")
            try RolesCLI.run(.setPrice(model: id, pricePerUse: amount), chain: chain, global: global, signer: signer)
        }
    }

    struct Use: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pay for one use of a model; refused if its price is above --max-price.",
            discussion: "Example: dmctl model use 4 --max-price 0.5 --key dave")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The $Model NFT id.") var id: UInt64
        @Option(help: "The most you approve paying for this use (default: the current price).") var maxPrice: String?
        @OptionGroup var units: RawAmountFlag

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            let model = try RolesCLI.lookup(chain) { try $0.model(id) }
            let max = try maxPrice.map { try RolesCLI.amount($0, of: model.paymentToken, raw: units.raw, chain: chain, field: "--max-price") }
                ?? model.pricePerUse
            try RolesCLI.run(.useModel(model: id, maxPrice: max), chain: chain, global: global, signer: signer)
        }
    }
}
