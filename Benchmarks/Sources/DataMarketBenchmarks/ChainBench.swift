import Foundation
import LedgerCore
import RawSecp256k1

/// Area `chain`: signed transfers applied and durably stored, the cost of a large state, and
/// reopening a long chain, beside raw libsecp256k1 recovery (the ceiling) in the same run.
enum ChainBench {
    static let token: TokenID = {
        do { return try TokenID("DMT") } catch { preconditionFailure("DMT is a valid token symbol") }
    }()

    static func run() throws {
        Bench.section("chain")
        let raw = rawRecoveryRate()
        try transferThroughput(rawAllCores: raw.allCores, rawOneCore: raw.oneCore)
        try costVersusAccounts()
        try reopenLongChain()
    }

    // MARK: - Helpers

    static func temporaryFolder(_ label: String, under base: String = NSTemporaryDirectory()) -> URL {
        URL(fileURLWithPath: base).appendingPathComponent("dmbench-\(label)-\(UUID().uuidString)")
    }

    /// `count` distinct keys derived from a seed.
    static func keys(_ count: Int, seed: UInt64) throws -> [PrivateKey] {
        try (0..<count).map { i in
            var bytes = [UInt8](repeating: 0, count: 32)
            bytes[0] = 0x01
            var v = seed &+ UInt64(i)
            for j in 0..<8 {
                bytes[31 - j] = UInt8(truncatingIfNeeded: v)
                v >>= 8
            }
            bytes[1] = UInt8(truncatingIfNeeded: seed >> 8)
            return try PrivateKey(bytes: bytes)
        }
    }

    static func address(_ i: Int) -> Address {
        var b = [UInt8](repeating: 0xA5, count: 20)
        var v = UInt64(i)
        for j in 0..<8 {
            b[19 - j] = UInt8(truncatingIfNeeded: v)
            v >>= 8
        }
        return (try? Address(bytes: b)) ?? .zero
    }

    /// Blocks of transfers, one per sender per block, signed outside the timed part.
    static func signedBlocks(senders: [PrivateKey], blocks: Int, chainID: UInt64, recipients: Int, firstNonce: UInt64 = 0) throws -> [[SignedTransaction]] {
        var state: UInt64 = 0x1234_5678
        return try (0..<blocks).map { b in
            try senders.map { key in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let to = address(Int(state >> 33) % recipients)
                return try SignedTransaction.sign(
                    LedgerModule.Call.transfer(token: token, to: to, amount: 1), for: LedgerModule.self,
                    chainID: chainID, nonce: firstNonce + UInt64(b), with: key)
            }
        }
    }

    // MARK: - Raw recovery (the ceiling)

    static func rawRecoveryRate() -> (oneCore: Double, allCores: Double) {
        let key = PrivateKey.generate()
        let digests = (0..<64).map { Keccak256.hash("tx \($0)") }
        let wires = digests.map { key.sign(digest: $0).bytes }
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else { return (.infinity, .infinity) }
        defer { secp256k1_context_destroy(context) }
        let shared = ContextBox(context: context)
        @Sendable func recover(_ count: Int, offset: Int) -> UInt8 {
            var sink: UInt8 = 0
            var signature = secp256k1_ecdsa_recoverable_signature()
            var point = secp256k1_pubkey()
            var out = [UInt8](repeating: 0, count: 65)
            for index in 0..<count {
                let wire = wires[(index + offset) & 63]
                wire.withUnsafeBufferPointer { w in
                    guard let base = w.baseAddress else { return }
                    _ = secp256k1_ecdsa_recoverable_signature_parse_compact(shared.context, &signature, base, Int32(w[64]) - 27)
                }
                _ = secp256k1_ecdsa_recover(shared.context, &point, &signature, digests[(index + offset) & 63].bytes)
                var length = 65
                _ = secp256k1_ec_pubkey_serialize(shared.context, &out, &length, &point, UInt32(SECP256K1_EC_UNCOMPRESSED))
                sink ^= out[1]
            }
            return sink
        }
        let count = 4000
        let one = Bench.secondsPerOp(operations: count, rounds: 3) { CryptoBench.blackHole(recover(count, offset: 0)) }
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let all = Bench.secondsPerOp(operations: count * cores, rounds: 3) {
            DispatchQueue.concurrentPerform(iterations: cores) { i in CryptoBench.blackHole(recover(count, offset: i)) }
        }
        Bench.row("raw libsecp256k1 recovery, 1 core", value: Bench.rate(one), baseline: "-", ratio: nil, target: "baseline")
        Bench.row("raw libsecp256k1 recovery, \(cores) cores", value: Bench.rate(all), baseline: "-", ratio: nil, target: "the ceiling")
        return (one, all)
    }

    // MARK: - Transfers per second

    static func transferThroughput(rawAllCores: Double, rawOneCore: Double) throws {
        let senders = try keys(1000, seed: 1 << 20)
        let blocks = 10
        let genesis = GenesisConfig(chainID: 9, timestamp: 1_700_000_000, tokens: [
            .init(symbol: token, name: "Bench", balances: senders.map { .init(account: $0.address, amount: 1_000_000) })
        ])
        let signed = try signedBlocks(senders: senders, blocks: blocks, chainID: 9, recipients: 5000)
        var best = Double.infinity
        for _ in 0..<3 {
            let folder = temporaryFolder("tps")
            defer { try? FileManager.default.removeItem(at: folder) }
            let chain = try Chain.create(genesis: genesis, store: try FileBlockStore(folder: folder), clock: ManualClock(1_700_000_000))
            let start = Bench.now()
            for block in signed {
                let outcome = try chain.submit(block)
                guard outcome.rejected.isEmpty else { throw BenchError.rejected(outcome.rejected.count) }
            }
            best = min(best, Double(Bench.now() - start) / 1e9 / Double(blocks * senders.count))
        }
        Bench.row("signed transfers, blocks of 1,000, fsync'd", value: Bench.rate(best, unit: " tx/s"),
                  baseline: "raw recovery \(Bench.rate(rawAllCores))", ratio: rawAllCores / best,
                  target: "≥ 5,000 tx/s; share of ceiling")
        Bench.row("  per transfer", value: Bench.duration(best), baseline: "1-core recovery \(Bench.duration(rawOneCore))",
                  ratio: best / rawOneCore, target: "cost vs one recovery")
    }

    // MARK: - State size

    /// Per-transfer cost (in-memory store, so only state work and recovery count) with
    /// `accounts` funded at genesis.
    static func costPerTransfer(accounts: Int, senders: [PrivateKey], signed: [[SignedTransaction]]) throws -> (perTx: Double, setup: Double) {
        let setupStart = Bench.now()
        var balances = senders.map { GenesisConfig.Balance(account: $0.address, amount: 1_000_000) }
        balances.reserveCapacity(accounts)
        for i in 0..<(accounts - senders.count) { balances.append(.init(account: address(i), amount: 5)) }
        let genesis = GenesisConfig(chainID: 9, timestamp: 1_700_000_000, tokens: [.init(symbol: token, name: "Bench", balances: balances)])
        let chain = try Chain.create(genesis: genesis, clock: ManualClock(1_700_000_000), snapshotInterval: 0)
        let setup = Double(Bench.now() - setupStart) / 1e9
        let start = Bench.now()
        for block in signed {
            let outcome = try chain.submit(block)
            guard outcome.rejected.isEmpty else { throw BenchError.rejected(outcome.rejected.count) }
        }
        return (Double(Bench.now() - start) / 1e9 / Double(signed.count * senders.count), setup)
    }

    static func costVersusAccounts() throws {
        let senders = try keys(1000, seed: 2 << 20)
        let small = try costPerTransfer(accounts: 1000, senders: senders,
                                        signed: try signedBlocks(senders: senders, blocks: 5, chainID: 9, recipients: 1000))
        let large = try costPerTransfer(accounts: 1_000_000, senders: senders,
                                        signed: try signedBlocks(senders: senders, blocks: 5, chainID: 9, recipients: 999_000))
        var smallBest = small.perTx, largeBest = large.perTx
        // Once more each, interleaved, to damp machine noise.
        smallBest = min(smallBest, try costPerTransfer(accounts: 1000, senders: senders,
                                                       signed: try signedBlocks(senders: senders, blocks: 5, chainID: 9, recipients: 1000)).perTx)
        largeBest = min(largeBest, try costPerTransfer(accounts: 1_000_000, senders: senders,
                                                       signed: try signedBlocks(senders: senders, blocks: 5, chainID: 9, recipients: 999_000)).perTx)
        Bench.row("transfer cost, 1,000,000 funded accounts", value: Bench.duration(largeBest),
                  baseline: "1,000 accounts \(Bench.duration(smallBest))", ratio: largeBest / smallBest, target: "≤ 1.5")
        Bench.row("  genesis with 1,000,000 accounts", value: Bench.duration(large.setup),
                  baseline: "1,000 accounts \(Bench.duration(small.setup))", ratio: nil, target: "one-off")
    }

    // MARK: - Reopening

    static func reopenLongChain() throws {
        let blocks = 100_000
        let sender = try keys(1, seed: 3 << 20)[0]
        let genesis = GenesisConfig(chainID: 9, timestamp: 1_700_000_000, tokens: [
            .init(symbol: token, name: "Bench", balances: [.init(account: sender.address, amount: 1_000_000_000)])
        ])
        // Built on tmpfs (where fsync costs nothing) to keep the run short, then copied to disk.
        let built = temporaryFolder("long", under: FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
        let folder = temporaryFolder("long")
        defer {
            try? FileManager.default.removeItem(at: built)
            try? FileManager.default.removeItem(at: folder)
        }
        let buildStart = Bench.now()
        do {
            let chain = try Chain.create(genesis: genesis, store: try FileBlockStore(folder: built), clock: ManualClock(1_700_000_000))
            var batch: [SignedTransaction] = []
            for i in 0..<blocks {
                if batch.isEmpty {
                    batch = try (0..<1000).map { j in
                        try SignedTransaction.sign(LedgerModule.Call.transfer(token: token, to: address((i + j) % 977), amount: 1),
                                                   for: LedgerModule.self, chainID: 9, nonce: UInt64(i + j), with: sender)
                    }.reversed()
                }
                guard let tx = batch.popLast() else { break }
                try chain.submit(tx)
            }
        }
        let buildTime = Double(Bench.now() - buildStart) / 1e9
        try FileManager.default.copyItem(at: built, to: folder)
        let logSize = (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("blocks.log").path)[.size] as? Int) ?? 0

        var reopen = Double.infinity
        var chain: Chain?
        for _ in 0..<3 {
            let start = Bench.now()
            chain = try Chain.open(store: try FileBlockStore(folder: folder), clock: ManualClock(1_700_000_000))
            reopen = min(reopen, Double(Bench.now() - start) / 1e9)
        }
        guard let chain, chain.height == UInt64(blocks) else { throw BenchError.wrongHeight }
        let verifyStart = Bench.now()
        let verification = try chain.verify()
        let verify = Double(Bench.now() - verifyStart) / 1e9
        guard verification.blocks == UInt64(blocks + 1) else { throw BenchError.wrongHeight }
        Bench.row("reopen a chain of 100,000 blocks", value: Bench.duration(reopen),
                  baseline: "full verify() \(Bench.duration(verify))", ratio: reopen / verify, target: "snapshot + short replay")
        Bench.row("  (log \(logSize / 1_000_000) MB, built in \(String(format: "%.0f", buildTime)) s on tmpfs)", value: "", baseline: "", ratio: nil, target: "")
    }

    enum BenchError: Error {
        case rejected(Int)
        case wrongHeight
    }
}

/// The raw context shared by the recovery workers.
private struct ContextBox: @unchecked Sendable {
    // @unchecked: after creation only `const`-context calls (parse, recover, serialize) are
    // made, which libsecp256k1 documents as safe from several threads.
    let context: OpaquePointer
}
