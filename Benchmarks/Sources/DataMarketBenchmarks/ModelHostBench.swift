import Foundation
import Hummingbird
import LedgerCore
import MarketKit
import ModelHostKit
import DatatrustKit
import ONNXKit

/// Paid predictions over loopback: `POST /models/{id}/predict` on a ModelHostKit server
/// (Hummingbird 2), one sequential URLSession client with a prepaid bundle, for the 30-feature
/// logistic model and the 2-layer MLP: single-row p50/p99 and batch rows/s (the whole
/// 569-row data set per request), each beside the same rows run in-process (the graph alone),
/// in the same run.
enum ModelHostBench {
    final class Box<T>: @unchecked Sendable { var value: T?; init() {} } // written once before the semaphore signals

    /// One model's loopback figures: sorted single-row latencies (ns) and seconds per batch row.
    struct Loopback: Sendable { var singles: [UInt64]; var batchSecondsPerRow: Double }

    static let models = [("breast_cancer_logistic.onnx", "30-feature logistic"), ("breast_cancer_mlp.onnx", "2-layer MLP 30-16-1")]
    static let count = 3_000, batches = 20

    static func run() throws {
        Bench.section("models: paid predict over loopback (ModelHostKit, Hummingbird 2, one sequential client)")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dm-modelhost-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let rows = try ModelsBench.rows()
        let files = models.map { ModelsBench.root.appendingPathComponent("Tests/ONNXKitTests/Fixtures/\($0.0)") }
        let bytes = try files.map { [UInt8](try Data(contentsOf: $0)) }
        let user = PrivateKey.generate(), owner = PrivateKey.generate(), hostKey = PrivateKey.generate()
        let dmt = try TokenID("DMT")
        let chain = try Chain.create(genesis: GenesisConfig(chainID: 1, timestamp: UInt64(Date().timeIntervalSince1970), tokens: [
            .init(symbol: dmt, name: "DMT", balances: [.init(account: user.address, amount: 1_000_000_000_000_000), .init(account: owner.address, amount: 1)])
        ]), modules: [MarketModule.self, RolesModule.self], snapshotInterval: 0)
        try chain.send(RolesModule.Call.mintData(dataHash: Keccak256.hash([1]), listing: nil, disclosure: nil, name: nil), to: RolesModule.self, from: owner)
        let data = chain.state.ledger.nextNFTID - 1
        var ids: [(model: UInt64, bundle: UInt64)] = []
        for b in bytes {
            try chain.send(RolesModule.Call.mintModel(modelHash: Keccak256.hash(b), trainedOn: .data(data), bounty: nil, paymentToken: dmt,
                                                      pricePerUse: 1_000, name: nil), to: RolesModule.self, from: owner)
            let model = chain.state.ledger.nextNFTID - 1
            try chain.send(RolesModule.Call.buyUseBundle(model: model, host: hostKey.address, uses: UInt64(count + batches * rows.count + 100),
                                                         maxPrice: 1_000, expiresAt: chain.state.timestamp + 3_600), to: RolesModule.self, from: user)
            ids.append((model, chain.state(of: RolesModule.self).nextBundleID - 1))
        }
        let host = ModelHost(name: "bench", address: hostKey.address,
                             library: ModelLibrary(vault: try Vault(folder: root.appendingPathComponent("vault"), masterKey: .generate(), syncWrites: false)),
                             chain: { chain.state })
        let port = 19_000 + Int(getpid() % 1000)
        let app = ModelHostServer.application(for: host, port: port)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        // In-process baselines first, while the server is idle.
        var inProcess: [(p50: Double, p99: Double, perRow: Double)] = []
        let batch = try Tensor(rows: rows)
        for file in files {
            let onnx = try ONNXModel(contentsOf: file)
            let name = onnx.inputs[0].name
            let singles = try rows.map { try Tensor(rows: [$0]) }
            let (p50, p99) = try ModelsBench.latency(count) { i in _ = try onnx.run([name: singles[i % singles.count]]) }
            let perRow = try Bench.secondsPerOp(operations: rows.count * batches) { for _ in 0..<batches { _ = try onnx.run([name: batch]) } }
            inProcess.append((p50, p99, perRow))
        }
        let result = Box<[Loopback]>()
        let done = DispatchSemaphore(value: 0)
        Task {
            defer { done.signal() }
            do {
                for (i, b) in bytes.enumerated() { _ = try await host.publish(model: ids[i].model, file: b) }
                guard let url = URL(string: "http://127.0.0.1:\(port)") else { return }
                var client = ModelHostClient(baseURL: url)
                for _ in 0..<50 {
                    if (try? await client.login(with: user)) != nil { break }
                    try await Task.sleep(nanoseconds: 100_000_000)
                }
                var figures: [Loopback] = []
                for (model, bundle) in ids {
                    for i in 0..<50 { _ = try await client.predict(model: model, bundle: bundle, rows: [rows[i]]) }  // warm-up
                    var samples: [UInt64] = []
                    samples.reserveCapacity(count)
                    for i in 0..<(count - 50) {
                        let t0 = Bench.now()
                        _ = try await client.predict(model: model, bundle: bundle, rows: [rows[i % rows.count]])
                        samples.append(Bench.now() - t0)
                    }
                    let t0 = Bench.now()
                    for _ in 0..<batches { _ = try await client.predict(model: model, bundle: bundle, rows: rows) }
                    let perRow = Double(Bench.now() - t0) / 1e9 / Double(batches * rows.count)
                    figures.append(Loopback(singles: samples.sorted(), batchSecondsPerRow: perRow))
                }
                result.value = figures
            } catch {
                print("model host benchmark failed: \(error)")
            }
        }
        done.wait()
        server.cancel()
        guard let figures = result.value, figures.count == models.count else { return }
        for (i, f) in figures.enumerated() where !f.singles.isEmpty {
            let title = models[i].1, s = f.singles, base = inProcess[i]
            let p50 = Double(s[s.count / 2]) / 1e9, p99 = Double(s[min(s.count - 1, s.count * 99 / 100)]) / 1e9
            Bench.row("\(title): paid 1-row predict p50", value: Bench.duration(p50), baseline: "in-process " + Bench.duration(base.p50),
                      ratio: base.p50 / p50, target: "loopback HTTP + auth + metering")
            Bench.row("\(title): paid 1-row predict p99", value: Bench.duration(p99), baseline: "in-process " + Bench.duration(base.p99),
                      ratio: base.p99 / p99, target: "p99 < 5 ms")
            Bench.row("\(title): paid batch rows/s", value: Bench.rate(f.batchSecondsPerRow, unit: " rows/s"),
                      baseline: "in-process " + Bench.rate(base.perRow, unit: " rows/s"), ratio: base.perRow / f.batchSecondsPerRow,
                      target: "\(rows.count) rows per request over HTTP")
        }
    }
}
