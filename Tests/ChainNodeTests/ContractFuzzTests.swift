import ChainNode
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerCore
import Testing

/// Cases generated from the node's OpenAPI document (every operation, with valid and invalid
/// path and query parameters and bodies: wrong types, huge numbers, bad hex, missing fields)
/// plus odd paths and methods, sent over loopback to a live node. Every answer must be below
/// 500, a status the document declares for the operation, and, when JSON, fit the schema the
/// document declares for that status. Seeded: the seed is printed, and `NODE_FUZZ_SEED=n`
/// replays a run. About 5 s alone; the time is printed, not asserted (no timed tests).
struct ContractFuzzTests {
    struct Case {
        let request: Sent
        /// The operation's declared responses, or nil for a path or method the document does not serve.
        let responses: [String: Any]?

        init(method: HTTPRequest.Method, uri: String, headers: HTTPFields, body: ByteBuffer?, responses: [String: Any]?) {
            request = Sent(method: method, uri: uri, headers: headers, body: body)
            self.responses = responses
        }
    }

    /// What goes over the wire.
    struct Sent: Sendable {
        let method: HTTPRequest.Method
        let uri: String
        let headers: HTTPFields
        let body: ByteBuffer?
    }

    /// What came back.
    struct Answer: Sendable {
        let status: Int
        let contentType: String
        let body: Data
    }

    static let casesPerOperation = 12

    @Test func generatedCasesGetDeclaredStatusesAndBodiesThatFitTheSchema() async throws {
        let seed = ProcessInfo.processInfo.environment["NODE_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64(UInt32.max))
        print("ContractFuzzTests seed: \(seed) (replay with NODE_FUZZ_SEED=\(seed))")
        var rng = SplitMix64(seed: seed)
        let started = ContinuousClock.now

        let configuration = NodeConfiguration(blockIntervalMilliseconds: 20, nonceGapTimeoutMilliseconds: 200, maxBodyBytes: 4096, dev: true)
        let node = try await NodeFixture.node(configuration)
        let alice = NodeFixture.keys[0]
        let known = try node.chain.send(.transfer(token: NodeFixture.dmt, to: NodeFixture.keys[1].address, amount: 1), to: LedgerModule.self, from: alice)
        _ = try node.chain.send(.mintNFT(draft: NFTDraft(kind: .data, contentHash: Keccak256.hash([1])), to: nil), to: LedgerModule.self, from: alice)
        let bytes = try #require(NodeServer.openAPIDocument())
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let check = SchemaCheck(document: document)
        var values = Values(known: known.transactionHash, account: alice.address, signer: NodeFixture.keys[2])

        var cases: [Case] = []
        for (path, operations) in paths.sorted(by: { $0.key < $1.key }) {
            for (method, value) in operations.sorted(by: { $0.key < $1.key }) {
                let operation = try #require(value as? [String: Any])
                for _ in 0..<Self.casesPerOperation {
                    cases.append(try values.make(path: path, method: method, operation: operation, document: document, rng: &rng))
                }
            }
        }
        for _ in 0..<30 { cases.append(values.oddPath(rng: &rng)) }
        cases.shuffle(using: &rng)

        let app = Application(router: NodeServer.router(for: node))
        let requests = cases.map(\.request)
        let answers = try await app.test(.live) { client in
            var answers: [Answer] = []
            for c in requests {
                do {
                    let r = try await client.execute(uri: c.uri, method: c.method, headers: c.headers, body: c.body)
                    answers.append(Answer(status: Int(r.status.code), contentType: r.headers[.contentType] ?? "", body: Data(r.body.readableBytesView)))
                } catch {
                    // The request could not be made or the answer not read: a failure of its own.
                    answers.append(Answer(status: 0, contentType: "", body: Data("\(error)".utf8)))
                }
            }
            return answers
        }
        var failures: [String] = []
        for (c, r) in zip(cases, answers) {
            let status = r.status
            let what = "\(c.request.method) \(c.request.uri.prefix(160)) → \(status)"
            if status == 0 {
                failures.append("\(what): no answer (\(String(decoding: r.body, as: UTF8.self)))")
                continue
            }
            if status >= 500 { failures.append("\(what): a 5xx") }
            guard let responses = c.responses else {
                // Not an operation of the document: a JSON 404 naming the path.
                if status != 404 { failures.append("\(what): expected 404 for a path or method the document does not serve") }
                if let body = JSONValue.parse(r.body) {
                    failures += check.problems(body, ["$ref": "#/components/schemas/Error"]).map { "\(what): \($0)" }
                } else {
                    failures.append("\(what): the error body is not JSON")
                }
                continue
            }
            guard let declared = responses["\(status)"] as? [String: Any] else {
                failures.append("\(what): status not declared (declared: \(responses.keys.sorted()))")
                continue
            }
            let content = declared["content"] as? [String: Any] ?? [:]
            if let json = content["application/json"] as? [String: Any], let schema = json["schema"] as? [String: Any] {
                guard r.contentType.hasPrefix("application/json"), let body = JSONValue.parse(r.body) else {
                    failures.append("\(what): expected a JSON body, got \(r.contentType)")
                    continue
                }
                failures += check.problems(body, schema).map { "\(what): \($0)" }
            } else if content["text/event-stream"] != nil, !r.contentType.hasPrefix("text/event-stream") {
                failures.append("\(what): expected text/event-stream, got \(r.contentType)")
            }
        }
        await node.stop()
        let elapsed = ContinuousClock.now - started
        print("ContractFuzzTests: \(cases.count) cases in \(elapsed), seed \(seed)")
        #expect(cases.count >= 300)
        #expect(failures.isEmpty, "seed \(seed): \(failures.count) mismatches:\n\(failures.prefix(40).joined(separator: "\n"))")
    }

    /// Valid and invalid values for each parameter kind, and request bodies.
    struct Values {
        let known: Hash32
        let account: Address
        let signer: PrivateKey
        var nonce: UInt64 = 0

        static let badIntegers = ["-1", "18446744073709551616", "99999999999999999999999999999", "1e3", "0x10", "abc", "1.5", "%20", "%00", "%EF%BC%91"]
        static let badHex = ["0x", "0xzz", "0x00", String(repeating: "ab", count: 32), "0x" + String(repeating: "g", count: 64),
                             "0x" + String(repeating: "a", count: 65), "0X" + String(repeating: "0", count: 3), "nope"]
        static let badAddresses = ["0x12", "nope", "0x" + String(repeating: "z", count: 40), "0x" + String(repeating: "A", count: 41), "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01"]
        static let badSlugs = ["UPPER", "a%20b", String(repeating: "x", count: 100), "%F0%9F%92%A5", "-", "a.b", "%00"]

        func schema(_ parameter: [String: Any], _ document: [String: Any]) -> [String: Any] {
            let s = parameter["schema"] as? [String: Any] ?? [:]
            if let ref = s["$ref"] as? String, let name = ref.split(separator: "/").last,
               let target = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?[String(name)] as? [String: Any] {
                return target
            }
            return s
        }

        /// A value for a parameter of `schema`: valid, or, when `bad`, one that breaks it.
        func value(_ name: String, _ schema: [String: Any], bad: Bool, rng: inout SplitMix64) -> String {
            let pattern = schema["pattern"] as? String ?? ""
            if pattern.contains("{64}") {
                return bad ? Self.badHex.randomElement(using: &rng) ?? "0x" : (Bool.random(using: &rng) ? known.hex : Keccak256.hash([UInt8.random(in: 0...255, using: &rng)]).hex)
            }
            if pattern.contains("{40}") {
                return bad ? Self.badAddresses.randomElement(using: &rng) ?? "0x" : (Bool.random(using: &rng) ? account.checksummed : signer.address.checksummed)
            }
            switch schema["type"] as? String {
            case "integer":
                if bad { return Self.badIntegers.randomElement(using: &rng) ?? "-1" }
                if name == "timeout" { return "\(UInt64.random(in: 0...1, using: &rng))" }
                return ["0", "1", "2", "3", "\(UInt64.random(in: 0...1000, using: &rng))", "18446744073709551615"].randomElement(using: &rng) ?? "0"
            case "boolean":
                return bad ? (["yes", "2", "TRUE", "%00"].randomElement(using: &rng) ?? "yes") : (["true", "false", "1", "0", ""].randomElement(using: &rng) ?? "true")
            default:
                if bad { return Self.badSlugs.randomElement(using: &rng) ?? "UPPER" }
                return ["none", "cancer", "m\(UInt16.random(in: 0...999, using: &rng))", "Transfer", "NFTMint"].randomElement(using: &rng) ?? "none"
            }
        }

        /// A body for the operation: valid, or wrong types, huge numbers, bad hex, missing fields, not JSON, too large.
        mutating func body(path: String, bad: Bool, rng: inout SplitMix64) throws -> (HTTPFields, ByteBuffer) {
            let json: HTTPFields = [.contentType: "application/json"]
            if path == "/transactions" {
                if !bad {
                    let tx = try NodeFixture.transfer(signer, to: account, amount: 1, nonce: nonce)
                    nonce += UInt64.random(in: 0...1, using: &rng)  // sometimes a duplicate, sometimes the next
                    if Bool.random(using: &rng) { return ([.contentType: "application/octet-stream"], ByteBuffer(bytes: tx.encoded)) }
                    return (json, NodeFixture.body(tx))
                }
                let wrongChain = try SignedTransaction.sign(
                    LedgerModule.Call.transfer(token: NodeFixture.dmt, to: account, amount: 1), for: LedgerModule.self, chainID: 1, nonce: 0, with: signer)
                let choices: [(HTTPFields, ByteBuffer)] = [
                    (json, ByteBuffer(string: #"{"transaction": 5}"#)), (json, ByteBuffer(string: "{}")), (json, ByteBuffer(string: "[]")),
                    (json, ByteBuffer(string: "null")), (json, ByteBuffer(string: #"{"transaction": "0xzz"}"#)),
                    (json, ByteBuffer(string: #"{"transaction": "0xc3010203"}"#)), (json, ByteBuffer(string: "{\"transaction\": ")),
                    (json, NodeFixture.body(wrongChain)), (json, ByteBuffer(string: #"{"transaction": "0x\#(String(repeating: "00", count: 3000))"}"#)),
                    ([.contentType: "application/octet-stream"], ByteBuffer(bytes: (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) })),
                    ([.contentType: "application/octet-stream"], ByteBuffer(bytes: [])),
                ]
                return choices.randomElement(using: &rng) ?? choices[0]
            }
            // POST /chain/warp
            if !bad { return (json, ByteBuffer(string: #"{"seconds": \#(UInt64.random(in: 0...3600, using: &rng))}"#)) }
            let junk = [#"{"seconds": -1}"#, #"{"seconds": 1e400}"#, #"{"seconds": "10"}"#, #"{"seconds": 18446744073709551616}"#, "{}",
                        #"{"seconds": 18446744073709551615}"#, "not json", #"{"seconds": 1.5}"#, String(repeating: "[", count: 5000)]
            return (json, ByteBuffer(string: junk.randomElement(using: &rng) ?? "{}"))
        }

        /// One case for the operation `method path`: every parameter valid, or one broken.
        mutating func make(path: String, method: String, operation: [String: Any], document: [String: Any], rng: inout SplitMix64) throws -> Case {
            let parameters = operation["parameters"] as? [[String: Any]] ?? []
            let hasBody = operation["requestBody"] != nil
            let targets = parameters.count + (hasBody ? 1 : 0)
            // A third of the cases are all valid; the others break one parameter or the body.
            let broken = targets > 0 && Int.random(in: 0..<3, using: &rng) > 0 ? Int.random(in: 0..<targets, using: &rng) : -1
            var uri = path
            var query: [String] = []
            for (i, parameter) in parameters.enumerated() {
                let name = parameter["name"] as? String ?? ""
                let bad = i == broken
                let text = value(name, schema(parameter, document), bad: bad, rng: &rng)
                if parameter["in"] as? String == "path" {
                    uri = uri.replacingOccurrences(of: "{\(name)}", with: text)
                } else if bad || parameter["required"] as? Bool == true || Bool.random(using: &rng) || (path == "/stream" && name == "to") {
                    // The stream ends only with a bound; a valid one stays near the head.
                    query.append("\(name)=\(path == "/stream" && !bad ? "\(UInt64.random(in: 0...2, using: &rng))" : text)")
                }
            }
            if path == "/stream", !query.contains(where: { $0.hasPrefix("to=") }) { query.append("to=1") }
            if Int.random(in: 0..<6, using: &rng) == 0 { query.append("unknown=\(UInt8.random(in: 0...255, using: &rng))") }
            if !query.isEmpty { uri += "?" + query.joined(separator: "&") }
            var headers: HTTPFields = [:]
            var body: ByteBuffer?
            if hasBody {
                let (h, b) = try self.body(path: path, bad: broken == parameters.count, rng: &rng)
                headers = h
                body = b
            }
            return Case(method: method == "post" ? .post : .get, uri: uri, headers: headers, body: body, responses: operation["responses"] as? [String: Any])
        }

        /// A path the document does not serve, or a method it does not serve on a real path.
        func oddPath(rng: inout SplitMix64) -> Case {
            let choices: [(HTTPRequest.Method, String)] = [
                (.get, "/nope"), (.get, "/blocks/1/extra"), (.get, "/markets/a/b/c"), (.put, "/head"), (.delete, "/transactions"),
                (.get, "/%2e%2e/etc/passwd"), (.get, "/" + String(repeating: "a", count: 2000)), (.patch, "/chain/warp"),
                (.get, "/accounts/"), (.get, "/nfts/1/2"), (.post, "/markets"), (.get, "/head/x"),
            ]
            let (method, uri) = choices.randomElement(using: &rng) ?? choices[0]
            return Case(method: method, uri: uri, headers: [:], body: nil, responses: nil)
        }
    }
}
