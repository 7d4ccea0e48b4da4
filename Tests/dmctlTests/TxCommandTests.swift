import DataMarketTesting
import Foundation
import LedgerCore
import Testing

/// `dmctl tx build | sign | submit` end to end through the built binary, against signatures
/// eth-account made over `tx build` output (Fixtures/eip712-transactions.json, recorded by
/// scripts/make-eip712-fixtures.py).
@Suite struct TxCommandTests {
    struct Recording: Decodable {
        let keys: [String: String]
        let genesis: TypedData.Value
        let bountyFiles: [String: String]
        let modules: [String]
        let steps: [Step]
    }

    /// One recorded step: a signed call (MetaMask-shaped request + eth-account's answer) or a plain command.
    struct Step: Decodable {
        let run: [String]?
        let signer: String?
        let command: [String]?
        let request: RPCRequest?
        let signature: String?
        let domainSeparator: String?
        let messageHash: String?
        let digest: String?
        let callVaries: Bool?
    }

    struct RPCRequest: Codable {
        let jsonrpc: String
        let id: Int
        let method: String
        let params: [String]
    }

    static func recording() throws -> Recording {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/eip712-transactions.json")
        return try JSONDecoder().decode(Recording.self, from: Data(contentsOf: url))
    }

    /// A home with the recording's keys and genesis, and the bounty folder the recording used.
    static func prepare(_ recording: Recording) async throws -> (TestHome, URL) {
        let home = try TestHome()
        for (name, hex) in recording.keys.sorted(by: { $0.key < $1.key }) {
            let r = try await home.runner.runAsync(["key", "import", "--name", name, "--home", home.url.path], stdin: hex)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let genesis = home.url.appendingPathComponent("genesis.json")
        try JSONEncoder().encode(recording.genesis).write(to: genesis)
        try await home.okAsync(["chain", "init", "--genesis", genesis.path])
        let bounty = home.url.appendingPathComponent("bounty")
        try FileManager.default.createDirectory(at: bounty, withIntermediateDirectories: true)
        for (name, text) in recording.bountyFiles { try Data(text.utf8).write(to: bounty.appendingPathComponent(name)) }
        return (home, bounty)
    }

    @Test func walletSignaturesOverTxBuildOutputAreAcceptedForEveryRecordedCall() async throws {
        let recording = try Self.recording()
        let signed = recording.steps.filter { $0.request != nil }
        #expect(signed.count >= 20)
        #expect(Set(recording.modules).isSuperset(of: ["ledger", "market", "roles", "bounty"]), "\(recording.modules)")
        let (home, bounty) = try await Self.prepare(recording)
        for (index, step) in recording.steps.enumerated() {
            if let run = step.run {
                try await home.okAsync(run)
                continue
            }
            let request = try #require(step.request)
            let command = try #require(step.command).map { $0 == "@bounty" ? bounty.path : $0 }
            #expect(recording.keys[step.signer ?? ""] != nil, "step \(index) names an unknown signer")
            let sender = try Address(request.params[0])
            // The recorded typed data hashes here exactly as eth-account hashed it.
            let typed = try TypedData(json: Array(request.params[1].utf8))
            #expect(try typed.domainSeparator().hex == step.domainSeparator, "step \(index)")
            #expect(try typed.messageHash().hex == step.messageHash, "step \(index)")
            #expect(try typed.signingDigest().hex == step.digest, "step \(index)")
            // tx build, run now on the same chain, asks the wallet for the same thing.
            let rebuilt = try await home.okAsync(["tx", "build", "--rpc", "--from", sender.checksummed] + command)
            let again = try JSONDecoder().decode(RPCRequest.self, from: Data(rebuilt.utf8))
            #expect(again.method == "eth_signTypedData_v4" && again.params[0] == request.params[0])
            var rebuiltTyped = try TypedData(json: Array(again.params[1].utf8))
            if step.callVaries == true { rebuiltTyped.message["call"] = typed.message["call"] }  // a fresh salt or deadline
            #expect(rebuiltTyped == typed, "step \(index): \(command.joined(separator: " "))")
            // The MetaMask-shaped request body and eth-account's signature go through tx submit.
            let file = home.url.appendingPathComponent("request-\(index).json")
            try JSONEncoder().encode(request).write(to: file)
            let receipt = try await home.objectAsync(["tx", "submit", "--typed-data", file.path, "--signature", try #require(step.signature)])
            #expect(receipt["sender"] as? String == sender.checksummed, "step \(index)")
            #expect(receipt["module"] as? String == typed.message["module"]?.stringValue)
        }
        #expect(try await home.objectAsync(["chain", "verify"])["ok"] as? Bool == true)
        #expect(try await home.heightAsync() == recording.steps.count)
    }

    @Test func aChangedFieldAnotherChainAndAReusedNonceAreRefusedAndChangeNothing() async throws {
        let recording = try Self.recording()
        let (home, _) = try await Self.prepare(recording)
        let bob = try await home.addressAsync("bob")
        let built = home.url.appendingPathComponent("transfer.json")
        try Data(try await home.okAsync(["tx", "build", "token", "transfer", "--token", "DMT", "--to", bob, "--amount", "5", "--key", "alice"]).utf8).write(to: built)
        let typed = try TypedData(json: Array(try Data(contentsOf: built)))
        #expect(typed.message["call"]?.stringValue?.contains("5000000000000000000") == true)
        let signature = try await home.okAsync(["tx", "sign", "--key", "alice", built.path]).trimmingCharacters(in: .whitespacesAndNewlines)
        let before = try await home.objectAsync(["chain", "info"])

        func refused(_ variant: TypedData, _ signature: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let file = home.url.appendingPathComponent("variant.json")
            try Data(try variant.json()).write(to: file)
            let r = try await home.runAsync(["tx", "submit", "--typed-data", file.path, "--signature", signature])
            #expect(r.status == 1, "\(r.stderr)", sourceLocation: sourceLocation)
            #expect(r.stderr.contains(expected), "\(r.stderr)", sourceLocation: sourceLocation)
            #expect(try await home.objectAsync(["chain", "info"])["stateHash"] as? String == before["stateHash"] as? String, sourceLocation: sourceLocation)
        }
        // A field changed after signing: the signature recovers someone else.
        var more = typed
        more.message["call"] = .string(try #require(typed.message["call"]?.stringValue).replacingOccurrences(of: "5000000000000000000", with: "6000000000000000000"))
        try await refused(more, signature, "but the signature recovers")
        var later = typed
        later.message["nonce"] = .unsigned(1)
        try await refused(later, signature, "but the signature recovers")
        // Signed, correctly, for another chain.
        var other = typed
        other.domain["chainId"] = .unsigned(1338)
        other.message["chainId"] = .unsigned(1338)
        let otherFile = home.url.appendingPathComponent("other.json")
        try Data(try other.json()).write(to: otherFile)
        let otherSignature = try await home.okAsync(["tx", "sign", "--key", "alice", otherFile.path]).trimmingCharacters(in: .whitespacesAndNewlines)
        try await refused(other, otherSignature, "signed for chain 1338; this chain is 1337")
        // Typed data of another shape, or a request naming another account, is a usage error.
        let mail = home.url.appendingPathComponent("mail.json")
        var mailTyped = typed
        mailTyped.primaryType = "Mail"
        try Data(try mailTyped.json()).write(to: mail)
        let notTx = try await home.runAsync(["tx", "submit", "--typed-data", mail.path, "--signature", signature])
        #expect(notTx.status == 2)
        #expect(notTx.stderr.contains("not a DataMarket transaction"), "\(notTx.stderr)")
        let mismatched = home.url.appendingPathComponent("rpc.json")
        let rpc: [String: Any] = ["jsonrpc": "2.0", "id": 1, "method": "eth_signTypedData_v4",
                                  "params": [bob, String(decoding: try typed.json(pretty: false), as: UTF8.self)]]
        try JSONSerialization.data(withJSONObject: rpc).write(to: mismatched)
        let asked = try await home.runAsync(["tx", "submit", "--typed-data", mismatched.path, "--signature", signature])
        #expect(asked.status == 2)
        #expect(asked.stderr.contains("but the typed data is from"), "\(asked.stderr)")
        #expect(try await home.objectAsync(["chain", "info"])["stateHash"] as? String == before["stateHash"] as? String)
        // Another key cannot sign alice's typed data here.
        let wrongKey = try await home.runAsync(["tx", "sign", "--key", "bob", built.path])
        #expect(wrongKey.status == 2)
        #expect(wrongKey.stderr.contains("the typed data is from"))

        // The genuine one goes through once; the second time its nonce is spent.
        try await home.okAsync(["tx", "submit", "--typed-data", built.path, "--signature", signature])
        #expect(try await home.balanceAsync(bob) == "255000000000000000000")
        let info = try await home.objectAsync(["chain", "info"])
        let replay = try await home.runAsync(["tx", "submit", "--typed-data", built.path, "--signature", signature])
        #expect(replay.status == 1)
        #expect(replay.stderr.contains("wrong nonce"), "\(replay.stderr)")
        #expect(try await home.objectAsync(["chain", "info"])["stateHash"] as? String == info["stateHash"] as? String)
    }

    @Test func theHelpExamplesRunInOrder() async throws {
        let (home, _) = try await Self.prepare(try Self.recording())
        // dmctl tx --help: build for bob's wallet address, sign as bob, submit.
        let help = try await home.okAsync(["tx", "--help"]).split(whereSeparator: \.isWhitespace).joined(separator: " ")  // help wraps
        #expect(help.contains("dmctl tx build --from 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 token transfer --token DMT --to alice --amount 5"))
        let built = try await home.okAsync(["tx", "build", "--from", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "token", "transfer", "--token", "DMT", "--to", "alice", "--amount", "5"])
        let file = home.url.appendingPathComponent("transfer.json")
        try Data(built.utf8).write(to: file)
        let signature = try await home.okAsync(["tx", "sign", "--key", "bob", file.path]).trimmingCharacters(in: .whitespacesAndNewlines)
        let receipt = try await home.objectAsync(["tx", "submit", "--typed-data", file.path, "--signature", signature])
        #expect(receipt["sender"] as? String == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        #expect(try await home.balanceAsync("bob") == "245000000000000000000")
    }

    @Test func buildNeedsACommandThatSignsAndNoPassphrase() async throws {
        let recording = try Self.recording()
        let (home, _) = try await Self.prepare(recording)
        // No passphrase needed: the key is only read for its address.
        let r = try await home.runAsync(["tx", "build", "token", "transfer", "--token", "DMT", "--to", "bob", "--amount", "1", "--key", "alice"],
                             env: ["DMCTL_PASSPHRASE": ""])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"primaryType\" : \"Transaction\""))
        let query = try await home.runAsync(["tx", "build", "token", "balance", "--token", "DMT", "--account", "alice"])
        #expect(query.status == 2)
        #expect(query.stderr.contains("does not sign a chain transaction"))
        let login = try await home.runAsync(["tx", "build", "sign", "--message", "hi", "--key", "alice"])
        #expect(login.status == 2)
        #expect(try await home.heightAsync() == 0)
    }
}
