import Foundation
import LedgerCore
import MarketKit
import ModelHostKit
import DatatrustKit
import ONNXKit

/// A paid single-row prediction over loopback: `POST /models/{id}/predict` on a ModelHostKit
/// server (Hummingbird 2), one sequential URLSession client with a prepaid bundle, beside the
/// same row run in-process (the graph alone), in the same run.
enum ModelHostBench {
    final class Box<T>: @unchecked Sendable { var value: T?; init() {} } // written once before the semaphore signals

    static func run() throws {
        Bench.section("models: paid 1-row predict over loopback (ModelHostKit, Hummingbird 2, one sequential client)")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dm-modelhost-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let rows = try ModelsBench.rows()
        let file = ModelsBench.root.appendingPathComponent("Tests/ONNXKitTests/Fixtures/breast_cancer_logistic.onnx")
        let bytes = [UInt8](try Data(contentsOf: file))
        let user = PrivateKey.generate(), owner = PrivateKey.generate(), hostKey = PrivateKey.generate()
        let dmt = try TokenID("DMT")
        let chain = try Chain.create(genesis: GenesisConfig(chainID: 1, timestamp: UInt64(Date().timeIntervalSince1970), tokens: [
            .init(symbol: dmt, name: "DMT", balances: [.init(account: user.address, amount: 1_000_000_000_000_000), .init(account: owner.address, amount: 1)])
        ]), modules: [MarketModule.self, RolesModule.self], snapshotInterval: 0)
        try chain.send(RolesModule.Call.mintData(dataHash: Keccak256.hash([1]), listing: nil, disclosure: nil, name: nil), to: RolesModule.self, from: owner)
        let data = chain.state.ledger.nextNFTID - 1
        try chain.send(RolesModule.Call.mintModel(modelHash: Keccak256.hash(bytes), trainedOn: .data(data), bounty: nil, paymentToken: dmt,
                                                  pricePerUse: 1_000, name: nil), to: RolesModule.self, from: owner)
        let model = chain.state.ledger.nextNFTID - 1
        let count = 3_000
        try chain.send(RolesModule.Call.buyUseBundle(model: model, host: hostKey.address, uses: UInt64(count + 100), maxPrice: 1_000,
                                                     expiresAt: chain.state.timestamp + 3_600), to: RolesModule.self, from: user)
        let bundle = chain.state(of: RolesModule.self).nextBundleID - 1
        let host = ModelHost(name: "bench", address: hostKey.address,
                             library: ModelLibrary(vault: try Vault(folder: root.appendingPathComponent("vault"), masterKey: .generate(), syncWrites: false)),
                             chain: { chain.state })
        let port = 19_000 + Int(getpid() % 1000)
        let app = ModelHostServer.application(for: host, port: port)
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        let onnx = try ONNXModel(contentsOf: file)
        let singles = try rows.map { try Tensor(rows: [$0]) }
        let (inP50, inP99) = try ModelsBench.latency(count) { i in _ = try onnx.run(["X": singles[i % singles.count]]) }
        let result = Box<[UInt64]>()
        let done = DispatchSemaphore(value: 0)
        Task {
            defer { done.signal() }
            do {
                _ = try await host.publish(model: model, file: bytes)
                var client = ModelHostClient(baseURL: URL(string: "http://127.0.0.1:\(port)")!)
                for _ in 0..<50 {
                    if (try? await client.login(with: user)) != nil { break }
                    try await Task.sleep(nanoseconds: 100_000_000)
                }
                for i in 0..<50 { _ = try await client.predict(model: model, bundle: bundle, rows: [rows[i]]) }  // warm-up
                var samples: [UInt64] = []
                samples.reserveCapacity(count)
                for i in 0..<(count - 50) {
                    let t0 = Bench.now()
                    _ = try await client.predict(model: model, bundle: bundle, rows: [rows[i % rows.count]])
                    samples.append(Bench.now() - t0)
                }
                result.value = samples.sorted()
            } catch {
                print("model host benchmark failed: \(error)")
            }
        }
        done.wait()
        server.cancel()
        guard let s = result.value, !s.isEmpty else { return }
        let p50 = Double(s[s.count / 2]) / 1e9, p99 = Double(s[min(s.count - 1, s.count * 99 / 100)]) / 1e9
        Bench.row("30-feature logistic: paid 1-row predict p50", value: Bench.duration(p50), baseline: "in-process " + Bench.duration(inP50),
                  ratio: inP50 / p50, target: "loopback HTTP + auth + metering")
        Bench.row("30-feature logistic: paid 1-row predict p99", value: Bench.duration(p99), baseline: "in-process " + Bench.duration(inP99),
                  ratio: inP99 / p99, target: "p99 < 5 ms")
    }
}
