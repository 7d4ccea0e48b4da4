import ArgumentParser
import DatatrustKit
import Foundation
import HECore
import LedgerCore
import MarketKit
import ModelHostKit
import ModelMarketKit
import ONNXKit
import Hummingbird

/// `--url` of a model host.
struct HostURLOption: ParsableArguments {
    @Option(name: .long, help: "Base URL of the model host.") var url = "http://127.0.0.1:8090"

    func client() throws -> ModelHostClient {
        guard let base = URL(string: url), base.scheme != nil else { throw CLIError.usage("--url: \(url) is not a URL, e.g. http://127.0.0.1:8090") }
        return ModelHostClient(baseURL: base)
    }
}

extension ModelCommand {
    /// `dmctl model publish`: mint a `$Model` from an ONNX file and upload the file to a host.
    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mint a $Model from an ONNX file (content hash = its Keccak-256) and upload the file to a model host.",
            discussion: "Example: dmctl model publish --model-file model.onnx --portfolio 3 --token DMT --price 0.5 --key trainer --url http://127.0.0.1:8090")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @OptionGroup var host: HostURLOption
        @Option(help: "The ONNX model file.") var modelFile: String
        @Option(help: "The $Portfolio it was trained on.") var portfolio: UInt64?
        @Option(help: "The single $Data it was trained on (instead of --portfolio).") var data: UInt64?
        @Option(help: "A reference to the bounty that produced it; a model bounty's id checks that the file is the one its winner revealed.")
        var bounty: String?
        @Option(help: "Token users pay in.") var token: String
        @Option(help: "Price per use (token units, or smallest units with --raw).") var price: String
        @OptionGroup var units: RawAmountFlag
        @Option(help: "Display name.") var name: String?

        func run() async throws {
            let bytes: Data
            do { bytes = try Data(contentsOf: URL(fileURLWithPath: modelFile)) } catch {
                throw CLIError.storage("cannot read --model-file \(modelFile): \(error.localizedDescription)")
            }
            _ = try ONNXModel(serialized: bytes)
            let source = try RolesCLI.trainingSource(portfolio: portfolio, data: data)
            let chain = try ChainHome.open(Home(global))
            let key = try signer.load(global)
            if let bounty, let id = UInt64(bounty) { try Self.checkWinner(of: id, file: bytes, publisher: key.address, chain: chain) }
            let tokenID = try RolesCLI.token(token, field: "--token")
            let amount = try RolesCLI.amount(price, of: tokenID, raw: units.raw, chain: chain, field: "--price")
            let (_, receipt) = try LedgerCLI.submit(
                RolesModule.Call.mintModel(modelHash: Keccak256.hash(bytes), trainedOn: source, bounty: bounty, paymentToken: tokenID,
                                           pricePerUse: amount, name: name),
                to: RolesModule.self, key: key, chain: chain)
            guard let model = receipt.events.first(where: { $0.kind == "ModelMinted" })?.fields.first(where: { $0.name == "model" })
                .flatMap({ UInt64($0.value) }) else {
                throw CLIError.refused("the mint left no ModelMinted event")
            }
            let hash: String
            do { hash = try await host.client().publish(model: model, file: bytes) } catch let e as ModelHostError {
                throw CLIError.refused("$Model \(model) minted, but the host refused the file: \(e)")
            }
            if global.json {
                struct Out: Encodable { let model: UInt64; let modelHash: String; let host: String }
                return try Output.json(Out(model: model, modelHash: hash, host: host.url))
            }
            Output.fields([("model", "\(model)"), ("model hash", hash), ("host", host.url)])
        }

        /// Refuses to publish `file` as the outcome of model bounty `id` unless the bounty was paid to
        /// `publisher` for exactly these bytes (the winner's revealed model hash).
        static func checkWinner(of id: UInt64, file: Data, publisher: Address, chain: Chain) throws {
            guard let b = chain.state(of: ModelBountyModule.self).bounties[id] else {
                throw CLIError.refused("--bounty \(id): no model bounty with this id on chain; give its id, or a reference that is not a number")
            }
            guard b.outcome == .paid, let winner = b.winner, let revealed = b.modelHash else {
                throw CLIError.refused("--bounty \(id): phase \(b.phase(at: chain.clock.now())), expected paid (a verified winner with a revealed model hash)")
            }
            guard winner == publisher else {
                throw CLIError.refused("--bounty \(id): won by \(winner.checksummed), not by the publisher \(publisher.checksummed)")
            }
            let hash = Keccak256.hash(Array(file))
            guard hash == revealed else {
                throw CLIError.refused("--bounty \(id): the file hashes to \(hash.hex), expected the winner's revealed model hash \(revealed.hex)")
            }
        }
    }

    /// `dmctl model encrypt-layer`: place a model's first layer, encrypted, at a compute host.
    struct EncryptLayer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "encrypt-layer",
            abstract: "Owner: encrypt a $Model's first linear layer under your Paillier key and place it at a host, which can then score rows without reading the weights.",
            discussion: """
                The layer is read from --model-file (its Keccak-256 must be the $Model's content hash), with any input \
                normalisation folded in, and encrypted under the public half of --paillier-key (`dmctl he keygen`). \
                The host keeps only the ciphertexts; `dmctl model predict --encrypted-weights` then returns scores that \
                only this key decrypts.

                Example: dmctl model encrypt-layer 5 --model-file model.onnx --paillier-key keys/private.json --key trainer --url http://127.0.0.1:8090
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @OptionGroup var host: HostURLOption
        @Argument(help: "The $Model NFT id.") var id: UInt64
        @Option(help: "The model's ONNX file.") var modelFile: String
        @Option(help: "A pheutil key JSON (private or public) whose public key encrypts the layer.") var paillierKey: String

        func run() async throws {
            let bytes: Data
            do { bytes = try Data(contentsOf: URL(fileURLWithPath: modelFile)) } catch {
                throw CLIError.storage("cannot read --model-file \(modelFile): \(error.localizedDescription)")
            }
            let chain = try ChainHome.open(Home(global))
            guard let token = chain.state(of: RolesModule.self).models[id] else { throw CLIError.refused("model \(id): no $Model token with this id on chain") }
            let hash = Keccak256.hash(Array(bytes))
            guard hash == token.modelHash else {
                throw CLIError.refused("--model-file hashes to \(hash.hex), expected $Model \(id)'s content hash \(token.modelHash.hex)")
            }
            let layer = try LinearLayer(firstLayerOf: try ONNXModel(serialized: bytes))
            let publicKey = try HEFiles.publicKey(paillierKey)
            let encrypted = try layer.encrypted(under: publicKey)
            var client = try host.client()
            do {
                try await client.login(with: try signer.loadKey(global))
                try await client.placeEncryptedLayer(model: id, layer: encrypted)
            } catch let e as ModelHostError {
                throw CLIError.refused("\(e)")
            }
            if global.json {
                struct Out: Encodable { let model: UInt64; let outputs: Int; let features: Int; let source: String; let host: String }
                return try Output.json(Out(model: id, outputs: layer.weights.count, features: layer.features, source: layer.source, host: host.url))
            }
            Output.fields([("model", "\(id)"), ("layer", "\(layer.weights.count) outputs × \(layer.features) features (\(layer.source))"),
                           ("placed at", host.url)])
        }
    }

    /// `dmctl model serve`: the paid inference API.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve paid predictions of $Models (127.0.0.1 by default) until SIGINT/SIGTERM, reporting uses of prepaid bundles on chain.",
            discussion: """
                Model files are kept encrypted in <home>/modelhost/vault under <home>/modelhost/master.key; every served \
                use is journalled in <home>/modelhost/usage.journal before it is answered. The host reads the chain \
                through a follower; every --report-interval seconds it signs reportBundleUses for the uses it \
                served with --key (the address buyers name as host).

                Example: dmctl model serve --key host --port 8090
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(name: .long, help: "Port to listen on (1-65535).") var port = 8090
        @Option(name: .long, help: "Address to bind.") var host = "127.0.0.1"
        @Option(name: .long, help: "The host's name in its login message.") var name = "model-host"
        @Option(name: .long, help: "Seconds between usage reports (1-86400).") var reportInterval = 2
        @Option(name: .long, help: "Requests allowed per bearer token (anonymous callers share one count) in each --rate-window (at least 1).") var rateLimit = 100_000
        @Option(name: .long, help: "The rate-limit window, seconds (1-86400).") var rateWindow: Int64 = 60

        func run() async throws {
            // Before anything is created or opened.
            try WholeNumberRule.check(port, in: WholeNumberRule.ports, field: "--port")
            try WholeNumberRule.check(reportInterval, in: 1...86_400, field: "--report-interval")
            try WholeNumberRule.check(rateLimit, in: 1...Int.max, field: "--rate-limit")
            try WholeNumberRule.check(rateWindow, in: 1...86_400, field: "--rate-window")
            let home = Home(global)
            let folder = global.homeURL.appendingPathComponent("modelhost", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let master = try MasterKey.loadOrCreate(keyFile: folder.appendingPathComponent("master.key"))
            let vault = try Vault(folder: folder.appendingPathComponent("vault"), masterKey: master)
            let key = try signer.load(global)
            let follower = try ChainHome.follow(home)
            let journal = try UsageJournal(url: folder.appendingPathComponent("usage.journal"))
            let modelHost = ModelHost(name: name, address: key.address, library: ModelLibrary(vault: vault), chain: { follower.state },
                                      catchUp: { _ = try await follower.catchUp() },
                                      meter: UseMeter(served: try journal.load(), requests: try journal.requests()), journal: journal,
                                      layerFolder: folder.appendingPathComponent("layers", isDirectory: true))
            let interval = max(1, reportInterval)
            Task.detached { await follower.follow() }
            Task.detached {
                var writer: Chain?
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(interval))
                    for call in await modelHost.takeReports() {
                        do {
                            if writer == nil { writer = try ChainHome.open(home) }
                            guard let chain = writer else { continue }
                            _ = try LedgerCLI.submit(call, to: RolesModule.self, key: key, chain: chain)
                        } catch {
                            Output.note("usage report failed: \(error)")
                            await modelHost.reportFailed(call)
                        }
                    }
                }
            }
            Output.note("model host \(name) (\(key.address.checksummed)) serving on http://\(host):\(port)")
            try await ModelHostServer.application(for: modelHost, address: host, port: port,
                                                           rateLimit: rateLimit, rateWindow: rateWindow).runService()
        }
    }

    /// `dmctl model bundle`: prepaid uses of a model at a host.
    struct Bundles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bundle",
            abstract: "Buy a prepaid bundle of uses of a model at a host, or refund its unreported uses.",
            discussion: "Example: dmctl model bundle buy 4 --uses 10 --host host --key dave",
            subcommands: [Buy.self, Refund.self])

        struct Buy: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Escrow --uses uses of a model at its current price for the host at --host to report.",
                discussion: "Example: dmctl model bundle buy 4 --uses 10 --host host --expires-in 3600 --key dave")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var signer: SignerOptions
            @Argument(help: "The $Model NFT id.") var id: UInt64
            @Option(help: "Uses to prepay.") var uses: UInt64
            @Option(help: "The host's address (or keystore name).") var host: String
            @Option(help: "Seconds the host may report uses; the buyer may refund after that.") var expiresIn: UInt64 = 3_600
            @Option(help: "The most you approve paying per use (default: the current price).") var maxPrice: String?
            @OptionGroup var units: RawAmountFlag

            func run() async throws {
                let home = Home(global)
                // A malformed --host is a usage error (exit 2) whether or not the model exists.
                let hostAddress = try LedgerCLI.account(host, field: "--host", home: home)
                let chain = try ChainHome.open(home)
                let model = try RolesCLI.lookup(chain) { try $0.model(id) }
                let max = try maxPrice.map { try RolesCLI.amount($0, of: model.paymentToken, raw: units.raw, chain: chain, field: "--max-price") }
                    ?? model.pricePerUse
                let expires = chain.state.timestamp + expiresIn
                try RolesCLI.run(.buyUseBundle(model: id, host: hostAddress, uses: uses, maxPrice: max, expiresAt: expires),
                                 chain: chain, global: global, signer: signer)
            }
        }

        struct Refund: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Refund a bundle's unreported uses (the buyer after it expired; the host at any time).",
                discussion: "Example: dmctl model bundle refund 1 --key dave")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var signer: SignerOptions
            @Argument(help: "The bundle id.") var id: UInt64

            func run() async throws {
                try RolesCLI.run(.refundBundle(bundle: id), global: global, signer: signer)
            }
        }
    }

    /// `dmctl model predict`: paid predictions from a host.
    struct Predict: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Get predictions for the rows of a CSV file from a model host, one use of --bundle per row.",
            discussion: """
                With --encrypted each row is encrypted under a fresh Paillier key (or --paillier-key) before it leaves; the \
                host returns encrypted scores of the model's first linear layer, decrypted here. With --encrypted-weights the \
                rows go in plaintext and the host scores them with the layer the owner placed encrypted (model encrypt-layer); \
                the scores come back under the owner's key. A plaintext call \
                given --request-id can be repeated after a failure whose outcome is unknown (the host died, the \
                connection dropped): the host answers it again without charging the bundle a second time.

                Example: dmctl model predict --model 5 --bundle 1 --input patients.csv --key dave --url http://127.0.0.1:8090
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @OptionGroup var host: HostURLOption
        @Option(help: "The $Model NFT id.") var model: UInt64
        @Option(help: "The prepaid bundle to charge.") var bundle: UInt64?
        @Option(help: "The CSV file of input rows (a header line is skipped).") var input: String
        @Flag(help: "Send Paillier-encrypted features; the host never sees them.") var encrypted = false
        @Flag(help: "Score the plaintext rows with the encrypted layer the model's owner placed at the host (see model encrypt-layer); decrypted with --paillier-key, else printed as ciphertexts.")
        var encryptedWeights = false
        @Option(help: "With --encrypted: a pheutil private-key JSON to encrypt with (default: a fresh 2048-bit key). With --encrypted-weights: the model owner's key (private: decrypt the scores; public: print them encrypted).")
        var paillierKey: String?
        @Option(help: "Your id for this call (1-64 of A-Z a-z 0-9 . _ : -): repeating the call with the same id after a failure is not charged twice.")
        var requestID: String?

        func run() async throws {
            let text: String
            do { text = try String(contentsOf: URL(fileURLWithPath: input), encoding: .utf8) } catch {
                throw CLIError.storage("cannot read --input \(input): \(error.localizedDescription)")
            }
            let width = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false) }
                .first { $0.allSatisfy { Double($0.trimmingCharacters(in: .whitespaces)) != nil } }?.count ?? 0
            guard width > 0 else { throw CLIError.usage("--input: no row of numbers in \(input)") }
            let rows = try CSVRows.parse(text, features: width, field: "--input").rows
            if encrypted, requestID != nil { throw CLIError.usage("--request-id: only plaintext calls take a request id; drop it or --encrypted") }
            if encrypted, encryptedWeights { throw CLIError.usage("--encrypted and --encrypted-weights: give at most one") }
            var client = try host.client()
            do {
                try await client.login(with: try signer.loadKey(global))
                if encrypted {
                    let secret: Paillier.PrivateKey
                    if let paillierKey {
                        secret = try Paillier.PrivateKey(jwk: try Data(contentsOf: URL(fileURLWithPath: paillierKey)))
                    } else {
                        secret = try Paillier.PrivateKey.generate()
                    }
                    var out: [[Double]] = []
                    for row in rows {
                        let vector = try Paillier.EncryptedVector.encrypt(row.map(Double.init), publicKey: secret.publicKey)
                        let scores = try await client.predictEncrypted(model: model, bundle: bundle, row: vector)
                        out.append(try scores.map { try secret.decrypt($0).doubleValue })
                    }
                    if global.json {
                        struct Out: Encodable { let model: UInt64; let encrypted: Bool; let scores: [[Double]] }
                        return try Output.json(Out(model: model, encrypted: true, scores: out))
                    }
                    Output.table(["row", "decrypted scores (W·x + b)"], out.enumerated().map { ["\($0.offset)", $0.element.map { String(format: "%.9g", $0) }.joined(separator: " ")] })
                    return
                }
                if encryptedWeights {
                    guard let paillierKey else {
                        throw CLIError.usage("--encrypted-weights: give --paillier-key, the owner's private key (to decrypt) or public key (to print ciphertexts)")
                    }
                    let publicKey = try HEFiles.publicKey(paillierKey)
                    let owner = try? HEFiles.privateKey(paillierKey)
                    let scores = try await client.predictWithEncryptedWeights(model: model, bundle: bundle, rows: rows, publicKey: publicKey, requestID: requestID)
                    guard let owner else {
                        // Not the key holder: print the ciphertexts (python-paillier's {"v","e"}) for the owner to decrypt.
                        print(String(decoding: EncryptedWire.scoreRowsJSON(model: model, rows: scores), as: UTF8.self))
                        return
                    }
                    let out = try scores.map { try $0.map { try owner.decrypt($0).doubleValue } }
                    if global.json {
                        struct Out: Encodable { let model: UInt64; let encryptedWeights: Bool; let scores: [[Double]] }
                        return try Output.json(Out(model: model, encryptedWeights: true, scores: out))
                    }
                    Output.table(["row", "decrypted scores (W·x + b)"], out.enumerated().map { ["\($0.offset)", $0.element.map { String(format: "%.9g", $0) }.joined(separator: " ")] })
                    return
                }
                let prediction = try await client.predict(model: model, bundle: bundle, rows: rows, requestID: requestID)
                if global.json { return try Output.json(prediction) }
                for output in prediction.outputs {
                    print("\(output.name) shape \(output.shape.map { "\($0)" } ?? "maps"):")
                    if let v = output.integers { print(v.map(String.init).joined(separator: " ")) }
                    if let v = output.floats { print(v.map { String(format: "%.6g", $0) }.joined(separator: " ")) }
                    if let s = output.scores { for r in s { print(r.map { String(format: "%.6g", $0) }.joined(separator: " ")) } }
                }
            } catch let e as ModelHostError {
                throw CLIError.refused("\(e)")
            }
        }
    }
}
