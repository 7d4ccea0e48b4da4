import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LedgerCore
import ONNXKit
import Testing

/// The value of field `name` of the first event of `kind` in a `--json` receipt.
private func eventField(_ json: String, kind: String, _ name: String) -> String? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
        let events = object["events"] as? [[String: Any]],
        let event = events.first(where: { $0["kind"] as? String == kind }),
        let fields = event["fields"] as? [String: String]
    else { return nil }
    return fields[name]
}

/// A paid inference round through the built binary, each party its own process: `model serve`
/// starts first; a trainer publishes a model; a user is refused without paying, buys 10 prepaid
/// uses and gets 10 predictions; the host reports them and the royalties reach the model owner,
/// the curator and the data owners to the wei; an encrypted call decrypts to the plaintext
/// model's scores.
@Test func modelHostServesTenPaidPredictionsAndAnEncryptedOneThroughSeparateProcesses() throws {
    let home = try TestHome()
    let names = ["trent", "alice", "bob", "carol", "dave", "host"]
    try home.initChain(keys: names)
    var address: [String: String] = [:]
    for name in names { address[name] = try home.address(name) }
    try home.ok(["token", "transfer", "--token", "DMT", "--to", address["dave"] ?? "", "--amount", "100", "--key", "trent"])
    // Two referenceable $Data, curated 60/40 by carol.
    var data: [String] = []
    for owner in ["alice", "bob"] {
        let file = home.url.appendingPathComponent("\(owner).csv")
        try Data("rows of \(owner)\n".utf8).write(to: file)
        let minted = try home.ok(["data", "mint", "--data-file", file.path, "--key", owner, "--json"])
        let id = try #require(eventField(minted, kind: "DataMinted", "data"))
        try home.ok(["data", "disclose", id, "--referenceable", "--key", owner])
        data.append(id)
    }
    let created = try home.ok(["portfolio", "create", "--entry", "\(data[0]):6000", "--entry", "\(data[1]):4000", "--bonus-token", "DMT",
                               "--key", "carol", "--json"])
    let portfolio = try #require(eventField(created, kind: "PortfolioCreated", "portfolio"))

    // The host starts before the model exists.
    let port = 21_000 + Int(getpid() % 900)
    let url = "http://127.0.0.1:\(port)"
    let logURL = home.url.appendingPathComponent("serve.log")
    let server = try home.runner.start(["model", "serve", "--port", "\(port)", "--key", "host", "--report-interval", "1", "--home", home.url.path],
                                       stdout: logURL, stderr: logURL)
    defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }

    // Wait for the host, and read its OpenAPI document.
    var document: [String: Any]?
    for _ in 0..<300 where document == nil {
        if let (status, body) = httpGet(url + "/openapi.json"), status == 200 {
            document = try JSONSerialization.jsonObject(with: body) as? [String: Any]
        } else {
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
    try #require(document?["openapi"] as? String == "3.1.0", "host did not come up: \((try? String(contentsOf: logURL, encoding: .utf8)) ?? "")")

    // The trainer mints the $Model from the ONNX file and uploads it.
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    let onnxFile = fixtures.appendingPathComponent("ONNXKitTests/Fixtures/breast_cancer_logistic.onnx")
    let published = try home.run(["model", "publish", "--model-file", onnxFile.path, "--portfolio", portfolio, "--token", "DMT",
                                  "--price", "1000003", "--raw", "--key", "trent", "--url", url, "--json"])
    try #require(published.status == 0, "publish: \(published.stderr)")
    let out = try #require(try JSONSerialization.jsonObject(with: Data(published.stdout.utf8)) as? [String: Any])
    let model = "\((out["model"] as? NSNumber)?.intValue ?? -1)"
    #expect(out["modelHash"] as? String == Keccak256.hash(Array(try Data(contentsOf: onnxFile))).hex)
    try #require(!model.isEmpty && model != "-1")

    // Ten rows of the breast-cancer set, features only.
    let csv = fixtures.deletingLastPathComponent().appendingPathComponent("Data/breast_cancer.csv")
    let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").dropFirst().prefix(10)
    let rows = lines.map { $0.split(separator: ",").dropLast().joined(separator: ",") }
    let input = home.url.appendingPathComponent("rows.csv")
    try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: input)

    // Unpaid: refused with the host's JSON reason.
    let unpaid = try home.run(["model", "predict", "--model", model, "--input", input.path, "--key", "dave", "--url", url])
    #expect(unpaid.status != 0)
    #expect(unpaid.stderr.contains("payment_required"), "\(unpaid.stderr)")

    // Ten prepaid uses, ten predictions, then no more.
    let bought = try home.ok(["model", "bundle", "buy", model, "--uses", "10", "--host", address["host"] ?? "", "--key", "dave", "--json"])
    let bundle = try #require(eventField(bought, kind: "BundleBought", "bundle"))
    let before = try ["trent", "carol", "alice", "bob"].map { try UInt256(decimalInteger: try home.balance(address[$0] ?? "")) }
    let predicted = try home.run(["model", "predict", "--model", model, "--bundle", bundle, "--input", input.path, "--key", "dave", "--url", url, "--json"])
    try #require(predicted.status == 0, "predict: \(predicted.stderr)")
    let prediction = try #require(try JSONSerialization.jsonObject(with: Data(predicted.stdout.utf8)) as? [String: Any])
    let outputs = prediction["outputs"] as? [[String: Any]] ?? []
    let labels = outputs.first { $0["name"] as? String == "output_label" }?["integers"] as? [NSNumber]
    #expect(labels?.count == 10, "\(predicted.stdout.prefix(400))")
    let more = try home.run(["model", "predict", "--model", model, "--bundle", bundle, "--input", input.path, "--key", "dave", "--url", url])
    #expect(more.status != 0)
    #expect(more.stderr.contains("used up"), "\(more.stderr)")

    // The host reports the ten uses within a few seconds; each party is paid to the wei:
    // curator floor(10 %) = 100,000; data 300,000 split 60/40; the model owner 600,003.
    var after = before
    for _ in 0..<150 {
        after = try ["trent", "carol", "alice", "bob"].map { try UInt256(decimalInteger: try home.balance(address[$0] ?? "")) }
        if after[1] != before[1] { break }
        Thread.sleep(forTimeInterval: 0.1)
    }
    // The balances above are read one process at a time, so the report's block can land between
    // two reads; it pays everyone in one transaction, so read them all again once it has.
    after = try ["trent", "carol", "alice", "bob"].map { try UInt256(decimalInteger: try home.balance(address[$0] ?? "")) }
    #expect(after[0] == (try before[0] + 6_000_030))
    #expect(after[1] == (try before[1] + 1_000_000))
    #expect(after[2] == (try before[2] + 1_800_000))
    #expect(after[3] == (try before[3] + 1_200_000))

    // Encrypted: one row, Paillier-encrypted by the caller; the decrypted scores are the
    // plaintext linear layer's.
    let one = home.url.appendingPathComponent("one.csv")
    try Data((rows[0] + "\n").utf8).write(to: one)
    let second = try home.ok(["model", "bundle", "buy", model, "--uses", "1", "--host", address["host"] ?? "", "--key", "dave", "--json"])
    let bundle2 = try #require(eventField(second, kind: "BundleBought", "bundle"))
    let enc = try home.run(["model", "predict", "--model", model, "--bundle", bundle2, "--input", one.path, "--encrypted", "--key", "dave",
                            "--url", url, "--json"])
    try #require(enc.status == 0, "encrypted predict: \(enc.stderr)")
    let scores = ((try JSONSerialization.jsonObject(with: Data(enc.stdout.utf8)) as? [String: Any])?["scores"] as? [[NSNumber]])?.first?.map(\.doubleValue) ?? []
    let layer = try LinearLayer(firstLayerOf: try ONNXModel(contentsOf: onnxFile))
    let expected = layer.scores(rows[0].split(separator: ",").compactMap { Double($0) })
    #expect(scores.count == expected.count && !scores.isEmpty)
    for (a, b) in zip(scores, expected) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b)), "\(scores) vs \(expected)") }
}

/// A blocking GET: status and body, or nil when the server cannot be reached.
private func httpGet(_ text: String) -> (Int, Data)? {
    guard let url = URL(string: text) else { return nil }
    final class Box: @unchecked Sendable {
        // @unchecked: written once by the completion handler before the semaphore is signalled.
        var value: (Int, Data)?
    }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    URLSession.shared.dataTask(with: url) { data, response, _ in
        if let http = response as? HTTPURLResponse { box.value = (http.statusCode, data ?? Data()) }
        done.signal()
    }.resume()
    done.wait()
    return box.value
}
