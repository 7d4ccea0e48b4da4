import DatatrustKit
import Foundation
import HECore
import Hummingbird
import HummingbirdTesting
import LedgerCore
import MarketKit
import ModelHostKit
import ONNXKit
import Testing
import NIOFoundationCompat

@Suite struct ModelHostTests {
    @Test func tenPrepaidUsesGiveTenPredictionsAndRoyaltiesToTheWei() async throws {
        let f = try HostFixture()
        _ = try await f.host.publish(model: f.model, file: f.file)
        let user = f.users[0]
        let before = [f.trainer, f.curator, f.owners[0], f.owners[1], user].map(f.balance)
        let bundle = try f.buy(10, by: user)
        for i in 0..<10 {
            let x: [Float] = [Float(i), 1, -0.5]
            let p = try await f.host.predict(model: f.model, bundle: bundle, rows: [x], caller: user.address)
            let expected = linearScores(x.map(Double.init)).map(Float.init)
            #expect(p.outputs.first?.floats == expected)
        }
        await #expect(throws: ModelHostError.paymentRequired("bundle \(bundle) is used up: 10 of 10 paid uses served; buy more uses")) {
            _ = try await f.host.predict(model: f.model, bundle: bundle, rows: [[0, 0, 0]], caller: user.address)
        }
        #expect(await f.host.pendingReports() == [.reportBundleUses(bundle: bundle, count: 10)])
        try await f.settle()
        #expect(await f.host.pendingReports().isEmpty)
        // Price 1,000,003: curator floor(10 %) = 100,000; data pool 300,000 split 70/30;
        // the model owner the rest, 600,003.
        let after = [f.trainer, f.curator, f.owners[0], f.owners[1], user].map(f.balance)
        #expect(after[0] == (try before[0] + 10 * 600_003))
        #expect(after[1] == (try before[1] + 10 * 100_000))
        #expect(after[2] == (try before[2] + 10 * 210_000))
        #expect(after[3] == (try before[3] + 10 * 90_000))
        #expect(after[4] == (try before[4] - 10 * 1_000_003))
        #expect(try f.chain.state(of: RolesModule.self).model(f.model).uses == 10)
    }

    @Test func aTakenReportIsNotTakenAgainBeforeTheChainShowsItUnlessItFailed() async throws {
        let f = try HostFixture()
        _ = try await f.host.publish(model: f.model, file: f.file)
        let bundle = try f.buy(5, by: f.users[0])
        _ = try await f.host.predict(model: f.model, bundle: bundle, rows: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], caller: f.users[0].address)
        let taken = await f.host.takeReports()
        #expect(taken == [.reportBundleUses(bundle: bundle, count: 3)])
        #expect(await f.host.takeReports().isEmpty, "the chain view lags: the same uses must not be reported twice")
        await f.host.reportFailed(taken[0])
        let again = await f.host.takeReports()
        #expect(again == taken)
        for call in again { try f.chain.send(call, to: RolesModule.self, from: f.hostKey) }
        #expect(await f.host.pendingReports().isEmpty)
        #expect(try f.chain.state(of: RolesModule.self).bundle(bundle).reported == 3)
    }

    @Test func aHostRestartedFromItsJournalDoesNotServeUnreportedUsesAgain() async throws {
        let f = try HostFixture()
        _ = try await f.host.publish(model: f.model, file: f.file)
        let bundle = try f.buy(4, by: f.users[0])
        let url = f.folder.appendingPathComponent("usage.journal")
        let chain = f.chain, clock = f.clock
        func start() throws -> ModelHost {
            let journal = try UsageJournal(url: url)
            return ModelHost(name: "test-host", address: f.hostKey.address, library: f.host.library, chain: { chain.state },
                             clock: { clock.now }, meter: UseMeter(served: try journal.load()), journal: journal)
        }
        let first = try start()
        _ = try await first.predict(model: f.model, bundle: bundle, rows: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], caller: f.users[0].address)
        // The host dies before reporting; the next one reads the journal.
        let second = try start()
        _ = try await second.predict(model: f.model, bundle: bundle, rows: [[1, 2, 3]], caller: f.users[0].address)
        await #expect(throws: ModelHostError.paymentRequired("bundle \(bundle) is used up: 4 of 4 paid uses served; buy more uses")) {
            _ = try await second.predict(model: f.model, bundle: bundle, rows: [[1, 2, 3]], caller: f.users[0].address)
        }
        #expect(await second.pendingReports() == [.reportBundleUses(bundle: bundle, count: 4)])
    }

    @Test func aRetriedRequestIsAnsweredWithoutASecondChargeAlsoByARestartedHost() async throws {
        let f = try HostFixture()
        _ = try await f.host.publish(model: f.model, file: f.file)
        let bundle = try f.buy(3, by: f.users[0])
        let url = f.folder.appendingPathComponent("usage.journal")
        let chain = f.chain, clock = f.clock, caller = f.users[0].address
        func start() throws -> ModelHost {
            let journal = try UsageJournal(url: url)
            return ModelHost(name: "test-host", address: f.hostKey.address, library: f.host.library, chain: { chain.state }, clock: { clock.now },
                             meter: UseMeter(served: try journal.load(), requests: try journal.requests()), journal: journal)
        }
        let first = try start()
        let rows: [[Float]] = [[1, 2, 3], [4, 5, 6]]
        let answer = try await first.predict(model: f.model, bundle: bundle, rows: rows, caller: caller, requestID: "call-1")
        // The answer is lost; the caller repeats the call, to the same host and to a restarted one.
        #expect(try await first.predict(model: f.model, bundle: bundle, rows: rows, caller: caller, requestID: "call-1") == answer)
        let second = try start()
        #expect(try await second.predict(model: f.model, bundle: bundle, rows: rows, caller: caller, requestID: "call-1") == answer)
        #expect(await second.usage.served[bundle] == 2)
        // The id names one call: another call under it is refused, and so is another caller's retry.
        await #expect(throws: ModelHostError.badRequest("requestID: call-1 was already charged 2 uses of bundle \(bundle); a retry must repeat that call, a new call needs a new request id")) {
            _ = try await second.predict(model: f.model, bundle: bundle, rows: [[1, 2, 3]], caller: caller, requestID: "call-1")
        }
        await #expect(throws: ModelHostError.self) {
            _ = try await second.predict(model: f.model, bundle: bundle, rows: rows, caller: f.users[1].address, requestID: "call-1")
        }
        await #expect(throws: ModelHostError.self) {
            _ = try await second.predict(model: f.model, bundle: bundle, rows: [[1, 2, 3]], caller: caller, requestID: "two words")
        }
        // A new id is a new charge: one use was left.
        _ = try await second.predict(model: f.model, bundle: bundle, rows: [[7, 8, 9]], caller: caller, requestID: "call-2")
        await #expect(throws: ModelHostError.paymentRequired("bundle \(bundle) is used up: 3 of 3 paid uses served; buy more uses")) {
            _ = try await second.predict(model: f.model, bundle: bundle, rows: [[7, 8, 9]], caller: caller, requestID: "call-3")
        }
        #expect(await second.pendingReports() == [.reportBundleUses(bundle: bundle, count: 3)])
    }

    @Test func aJournalLineCutShortByAKillIsIgnored() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data("4 1\n4 3 2 a-1\n4 5 2 b-".utf8).write(to: url)
        let journal = try UsageJournal(url: url)
        #expect(try journal.load() == [4: 3])
        #expect(try journal.requests() == ["a-1": ChargedRequest(bundle: 4, uses: 2)])
        // The next line starts on its own.
        try journal.record(bundle: 4, served: 4, request: ("c-1", 1))
        #expect(try journal.load() == [4: 4])
        #expect(try journal.requests() == ["a-1": ChargedRequest(bundle: 4, uses: 2), "c-1": ChargedRequest(bundle: 4, uses: 1)])
    }

    @Test func someoneElsesBundleIsForbiddenAndNoBundleIsPaymentRequired() async throws {
        let f = try HostFixture()
        _ = try await f.host.publish(model: f.model, file: f.file)
        let bundle = try f.buy(2, by: f.users[0])
        await #expect(throws: ModelHostError.forbidden(
            "bundle \(bundle) was bought by \(f.users[0].address.checksummed), not by the caller \(f.users[1].address.checksummed)")) {
            _ = try await f.host.predict(model: f.model, bundle: bundle, rows: [[0, 0, 0]], caller: f.users[1].address)
        }
        await #expect(throws: ModelHostError.self) {
            _ = try await f.host.predict(model: f.model, bundle: nil, rows: [[0, 0, 0]], caller: f.users[1].address)
        }
        // A three-row call on a two-use bundle is refused whole and charges nothing.
        await #expect(throws: ModelHostError.paymentRequired("bundle \(bundle) is used up: 2 of 2 paid uses served; buy more uses")) {
            _ = try await f.host.predict(model: f.model, bundle: bundle, rows: [[0, 0, 0], [1, 1, 1], [2, 2, 2]], caller: f.users[0].address)
        }
        #expect(await f.host.usage.served[bundle] == nil)
    }

    @Test func publishRefusesAFileThatIsNotTheModelsContentHashAndKeepsItEncrypted() async throws {
        let f = try HostFixture()
        var other = f.file
        other[other.count - 1] ^= 1
        await #expect(throws: ModelHostError.self) { _ = try await f.host.publish(model: f.model, file: other) }
        let hash = try await f.host.publish(model: f.model, file: f.file)
        #expect(hash == Keccak256.hash(f.file))
        // No file under the vault holds the plaintext model.
        let files = FileManager.default.enumerator(at: f.folder, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        for url in files {
            guard let bytes = try? Data(contentsOf: url), bytes.count >= 64 else { continue }
            #expect(bytes.range(of: Data(f.file.prefix(64))) == nil, "\(url.lastPathComponent) holds model bytes in the clear")
        }
    }

    /// Random interleavings of calls, reports and reloads from a fresh meter: the host never
    /// serves more uses than bundles bought, and the chain never pays for more.
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func hostNeverServesMoreUsesThanWerePaid(seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let f = try HostFixture(price: 1_000)
        _ = try await f.host.publish(model: f.model, file: f.file)
        var bought: [UInt64: UInt64] = [:]
        var served: [UInt64: UInt64] = [:]
        var host = f.host
        for _ in 0..<60 {
            switch rng.next() % 10 {
            case 0:
                let user = Int(rng.next() % 2)
                let n = 1 + rng.next() % 5
                let b = try f.buy(n, by: f.users[user], maxPrice: 1_000)
                bought[b] = n
            case 1:
                try await f.settle(host)
            case 2:
                // The host restarts with an empty meter: it must not serve reported uses again.
                try await f.settle(host)
                let chain = f.chain, clock = f.clock
                host = ModelHost(name: "test-host", address: f.hostKey.address, library: f.host.library,
                                 chain: { chain.state }, clock: { clock.now })
            default:
                guard let b = bought.keys.sorted().randomElement(using: &rng) else { continue }
                let bundle = try f.chain.state(of: RolesModule.self).bundle(b)
                let rows = 1 + Int(rng.next() % 3)
                do {
                    _ = try await host.predict(model: f.model, bundle: b, rows: Array(repeating: [1, 2, 3], count: rows),
                                               caller: bundle.buyer)
                    served[b, default: 0] += UInt64(rows)
                } catch {
                    guard case .paymentRequired = error else { Issue.record("unexpected \(error)"); continue }
                }
            }
            let roles = f.chain.state(of: RolesModule.self)
            for (b, n) in bought {
                let onChain = try roles.bundle(b)
                // Predictions actually returned, over every host incarnation.
                #expect(served[b] ?? 0 <= n)
                #expect(await host.usage.served[b] ?? 0 <= n)
                #expect(onChain.reported <= n)
            }
        }
        try await f.settle(host)
        let roles = f.chain.state(of: RolesModule.self)
        var totalReported: UInt64 = 0
        for (b, n) in bought {
            let r = try roles.bundle(b).reported
            #expect(r <= n)
            totalReported += r
        }
        #expect(try roles.model(f.model).uses == totalReported)
    }
}

/// The HTTP API through Hummingbird's test client.
@Suite struct ModelHostServerTests {
    func login(_ client: some TestClientProtocol, _ k: PrivateKey) async throws -> String {
        let challenge = try await client.execute(uri: "/auth/nonce", method: .post) { r in
            try JSONDecoder().decode(HostChallenge.self, from: Data(buffer: r.body))
        }
        let sig = k.signPersonalMessage(challenge.message)
        let body = try JSONEncoder().encode(TokenRequest(address: k.address.checksummed, nonce: challenge.nonce, signature: sig.hex))
        return try await client.execute(uri: "/auth/token", method: .post, body: ByteBuffer(bytes: body)) { r in
            #expect(r.status == .ok)
            return try JSONDecoder().decode(HostToken.self, from: Data(buffer: r.body)).token
        }
    }

    @Test func unpaidCallIsRefusedWith402AndAJSONReasonAndPaidCallPredicts() async throws {
        let f = try HostFixture()
        let app = Application(router: ModelHostServer.router(for: f.host))
        try await app.test(.router) { client in
            try await client.execute(uri: "/models/\(f.model)/file", method: .put, body: ByteBuffer(bytes: f.file)) { r in
                #expect(r.status == .created)
            }
            let token = try await login(client, f.users[0])
            let auth: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
            let unpaid = try JSONEncoder().encode(PredictRequest(bundle: nil, rows: [[1, 2, 3]]))
            try await client.execute(uri: "/models/\(f.model)/predict", method: .post, headers: auth, body: ByteBuffer(bytes: unpaid)) { r in
                #expect(r.status.code == 402)
                let body = try JSONDecoder().decode(HostErrorBody.self, from: Data(buffer: r.body))
                #expect(body.error == "payment_required")
                #expect(body.detail.contains("buy prepaid uses of model \(f.model)"))
            }
            let bundle = try f.buy(1, by: f.users[0])
            let paid = try JSONEncoder().encode(PredictRequest(bundle: bundle, rows: [[1, 2, 3]]))
            try await client.execute(uri: "/models/\(f.model)/predict", method: .post, headers: auth, body: ByteBuffer(bytes: paid)) { r in
                #expect(r.status == .ok)
                let p = try JSONDecoder().decode(Prediction.self, from: Data(buffer: r.body))
                #expect(p.outputs.first?.floats == linearScores([1, 2, 3]).map(Float.init))
            }
            try await client.execute(uri: "/models/\(f.model)/predict", method: .post, body: ByteBuffer(bytes: paid)) { r in
                #expect(r.status == .unauthorized)
            }
            try await client.execute(uri: "/openapi.json", method: .get) { r in
                let doc = try JSONSerialization.jsonObject(with: Data(buffer: r.body)) as? [String: Any]
                #expect(doc?["openapi"] as? String == "3.1.0")
                let paths = (doc?["paths"] as? [String: Any])?.keys.sorted() ?? []
                #expect(paths == Set(ModelHostServer.routes.map(\.path)).sorted())
            }
        }
    }

    @Test func aTokenOverTheRateLimitGets429WithAJSONReason() async throws {
        let f = try HostFixture()
        let app = Application(router: ModelHostServer.router(for: f.host, rateLimit: 3, rateWindow: 3_600))
        try await app.test(.router) { client in
            var statuses: [Int] = []
            for _ in 0..<4 {
                try await client.execute(uri: "/openapi.json", method: .get) { r in statuses.append(r.status.code) }
            }
            #expect(statuses == [200, 200, 200, 429])
            try await client.execute(uri: "/openapi.json", method: .get) { r in
                let body = try JSONDecoder().decode(HostErrorBody.self, from: Data(buffer: r.body))
                #expect(body.error == "rate_limited")
                #expect(r.headers[.retryAfter] != nil)
            }
        }
    }

    @Test func oversizedBodyIsRefusedWith413() async throws {
        let f = try HostFixture()
        let app = Application(router: ModelHostServer.router(for: f.host))
        try await app.test(.router) { client in
            let big = [UInt8](repeating: 0x20, count: (1 << 20) + 1)
            try await client.execute(uri: "/models/\(f.model)/file", method: .put, body: ByteBuffer(bytes: big)) { r in
                #expect(r.status == .contentTooLarge)
                let body = try JSONDecoder().decode(HostErrorBody.self, from: Data(buffer: r.body))
                #expect(body.error == "payload_too_large")
            }
        }
    }

    @Test func encryptedCallReturnsScoresOnlyTheCallerDecryptsToThePlaintextModels() async throws {
        let f = try HostFixture()
        _ = try await f.host.publish(model: f.model, file: f.file)
        let secret = try Paillier.PrivateKey.generate(bits: 1024)
        let x = [0.75, -1.5, 2.25]
        let row = try Paillier.EncryptedVector.encrypt(x, publicKey: secret.publicKey)
        let app = Application(router: ModelHostServer.router(for: f.host))
        try await app.test(.router) { client in
            let token = try await login(client, f.users[1])
            let bundle = try f.buy(1, by: f.users[1])
            let body = EncryptedWire.requestJSON(bundle: bundle, row: row)
            #expect(!String(decoding: body, as: UTF8.self).contains("0.75"))
            try await client.execute(uri: "/models/\(f.model)/predict/encrypted", method: .post,
                                     headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(bytes: body)) { r in
                #expect(r.status == .ok)
                let scores = try EncryptedWire.parseScores(Data(buffer: r.body), publicKey: secret.publicKey)
                let plain = try scores.map { try secret.decrypt($0).doubleValue }
                // The model's float32 weights, exactly representable here, against the Double formula.
                for (a, b) in zip(plain, linearScores(x)) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b))) }
                #expect(plain.count == 2)
            }
            // The bundle's one use is spent.
            try await client.execute(uri: "/models/\(f.model)/predict/encrypted", method: .post,
                                     headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(bytes: body)) { r in
                #expect(r.status.code == 402)
            }
        }
    }

    @Test func aHostScoresPlaintextRowsWithAnOwnersEncryptedLayerItCannotRead() async throws {
        let f = try HostFixture()
        let secret = try Paillier.PrivateKey.generate(bits: 1024)
        let layer = try LinearLayer(firstLayerOf: try ONNXModel(serialized: Data(f.file)))
        let body = EncryptedWire.layerJSON(try layer.encrypted(under: secret.publicKey))
        // The weights (0.5, -1.25, 2, …) are nowhere in what the host receives or keeps.
        #expect(!String(decoding: body, as: UTF8.self).contains("-1.25"))
        let folder = f.folder.appendingPathComponent("layers")
        let chain = f.chain, clock = f.clock
        func host() -> ModelHost {
            ModelHost(name: "test-host", address: f.hostKey.address, library: f.host.library, chain: { chain.state }, clock: { clock.now }, layerFolder: folder)
        }
        let rows = [[1.0, 2, 3], [-4, 0.5, 6]]
        let request = try JSONEncoder().encode(PredictRequest(bundle: try f.buy(2, by: f.users[0]), rows: rows.map { $0.map(Float.init) }))
        try await Application(router: ModelHostServer.router(for: host())).test(.router) { client in
            // Only the $Model's owner places its layer.
            let stranger = try await login(client, f.users[0])
            try await client.execute(uri: "/models/\(f.model)/encrypted-layer", method: .put, headers: [.authorization: "Bearer \(stranger)"],
                                     body: ByteBuffer(bytes: body)) { r in
                #expect(r.status == .forbidden)
                let detail = (try? JSONDecoder().decode(HostErrorBody.self, from: Data(buffer: r.body)))?.detail ?? ""
                #expect(detail.contains("only its owner"), "\(detail)")
            }
            let owner = try await login(client, f.trainer)
            try await client.execute(uri: "/models/\(f.model)/encrypted-layer", method: .put, headers: [.authorization: "Bearer \(owner)"],
                                     body: ByteBuffer(bytes: body)) { r in #expect(r.status == .created) }
        }
        // A restarted host reads the layer back from its folder; the user's rows are scored into
        // ciphertexts that the owner's key decrypts to the plaintext layer's scores.
        try await Application(router: ModelHostServer.router(for: host())).test(.router) { client in
            let user = try await login(client, f.users[0])
            try await client.execute(uri: "/models/\(f.model)/predict/encrypted-weights", method: .post, headers: [.authorization: "Bearer \(user)"],
                                     body: ByteBuffer(bytes: request)) { r in
                #expect(r.status == .ok)
                let scores = try EncryptedWire.parseScoreRows(Data(buffer: r.body), publicKey: secret.publicKey)
                #expect(scores.count == 2)
                for (row, encrypted) in zip(rows, scores) {
                    let plain = try encrypted.map { try secret.decrypt($0).doubleValue }
                    #expect(plain.count == 2)
                    for (a, b) in zip(plain, linearScores(row)) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b)), "\(plain) vs \(linearScores(row))") }
                }
            }
            // Two rows were two uses: the bundle is spent.
            try await client.execute(uri: "/models/\(f.model)/predict/encrypted-weights", method: .post, headers: [.authorization: "Bearer \(user)"],
                                     body: ByteBuffer(bytes: request)) { r in #expect(r.status.code == 402) }
        }
    }
}
