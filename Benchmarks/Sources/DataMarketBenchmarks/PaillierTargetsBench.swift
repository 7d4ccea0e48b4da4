import Foundation
import HECore

/// `paillier-targets`: the issue-15 figures at 2048 bits — packed vs per-value secure
/// aggregation of 10,000 values from 5 owners, batch encryption on all cores, two-core
/// decryption latency, dot(100) with 16-bit integer weights — each beside its baseline from the
/// same run, and python-paillier's figures when `python3 -c "import phe"` works.
enum PaillierTargetsBench {
    static func run() throws {
        Bench.section("paillier targets (2048-bit n; baselines and phe measured in this run)")
        let key = try Paillier.PrivateKey.generate(bits: 2048)
        let pk = key.publicKey
        let fast = Paillier.FastEncryptor(publicKey: pk)
        let phe = pheFigures()

        // Secure aggregation of 10,000 values from 5 owners: encrypt, add, decrypt the sum.
        var rng = SystemRandomNumberGenerator()
        let owners = (0..<5).map { _ in (0..<10_000).map { _ in Double.random(in: -8...8, using: &rng) } }
        let layout = try Paillier.PackingLayout(publicKey: pk, valueBits: 32, maxParties: 5, range: 8)
        // Both paths: fast (DJN) encryption, ciphertext additions, decryption on all cores, no
        // re-randomisation of the sum.
        let packed = try Bench.secondsPerOp(operations: 1, rounds: 2) {
            let vectors = try owners.map { try layout.encrypt($0, using: fast) }
            _ = try layout.decrypt(layout.aggregate(vectors, rerandomizing: false), with: key)
        }
        // One ciphertext per value, on the first 1,000 values (the cost is linear), × 10.
        let perValue = try Bench.secondsPerOp(operations: 1, rounds: 1) {
            let vectors = try owners.map { try Paillier.EncryptedVector.encrypt(Array($0.prefix(1000)), publicKey: pk, using: fast) }
            var sum = vectors[0]
            for v in vectors.dropFirst() { sum = try sum.adding(v) }
            _ = try key.decrypt(sum)
        } * 10
        let ciphertextRatio = Double(5 * 10_000) / Double(5 * layout.ciphertextCount(forValues: 10_000))
        Bench.row("secure aggregation 10k values × 5 owners, packed", value: Bench.duration(packed),
                  baseline: Bench.duration(perValue) + " per value (1k × 10)", ratio: perValue / packed,
                  target: "≥ 20× faster: " + (perValue / packed >= 20 ? "met" : "NOT met"))
        Bench.row("  ciphertexts, packed vs one per value", value: "\(5 * layout.ciphertextCount(forValues: 10_000))",
                  baseline: "50000", ratio: ciphertextRatio, target: "≥ 30× fewer: " + (ciphertextRatio >= 30 ? "met" : "NOT met"))
        if let phe = phe["aggregate_per_value_x1000"] {
            Bench.row("  phe, one ciphertext per value (1k → 10k)", value: Bench.duration(phe * 10),
                      baseline: Bench.duration(packed) + " ours packed", ratio: phe * 10 / packed, target: "no target; × ours")
        }

        // 1,000 standard encryptions on all cores vs one core, alternated so load hits both.
        let encoded = try Paillier.EncodedNumber.encode(3.14159, publicKey: pk)
        let thousand = Array(repeating: encoded, count: 1000)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var single = Double.infinity, batch = Double.infinity
        for _ in 0..<2 {
            single = min(single, try Bench.secondsPerOp(operations: 200, rounds: 1) {
                for item in thousand.prefix(200) { _ = try pk.encrypt(item) }
            })
            batch = min(batch, try Bench.secondsPerOp(operations: 1000, rounds: 1) { _ = try pk.encryptBatch(thousand) })
        }
        Bench.row("1,000 standard encryptions, \(cores) cores", value: Bench.rate(batch),
                  baseline: Bench.rate(single) + " 1 core", ratio: single / batch,
                  target: "≥ 1.8×: " + (single / batch >= 1.8 ? "met" : "NOT met") + String(format: "; load %.1f", PaillierBench.loadAverage()))
        if let phe = phe["encrypt"] {
            Bench.row("  phe standard encryption (1 core)", value: Bench.rate(phe), baseline: Bench.rate(single) + " ours 1 core",
                      ratio: phe / single, target: "no target; × ours")
        }

        // Decryption latency: CRT halves on two cores vs one after the other.
        let c = try pk.encrypt(encoded)
        var oneCore = Double.infinity, twoCores = Double.infinity
        for _ in 0..<3 {
            oneCore = min(oneCore, try Bench.secondsPerOp(operations: 50, rounds: 1) { for _ in 0..<50 { _ = try key.decrypt(c) } })
            twoCores = min(twoCores, try Bench.secondsPerOp(operations: 50, rounds: 1) { for _ in 0..<50 { _ = try key.decryptConcurrently(c) } })
        }
        let cpuBefore = PaillierBench.processCPUSeconds(), wallBefore = Bench.now()
        for _ in 0..<50 { _ = try key.decryptConcurrently(c) }
        let utilisation = (PaillierBench.processCPUSeconds() - cpuBefore) / (Double(Bench.now() - wallBefore) / 1e9)
        Bench.row("decryption latency, CRT halves on 2 cores", value: Bench.duration(twoCores),
                  baseline: Bench.duration(oneCore) + " 1 core", ratio: twoCores / oneCore,
                  target: "≤ 0.6: " + (twoCores / oneCore <= 0.6 ? "met" : "NOT met")
                      + String(format: "; %.2f CPU s per wall s; load %.1f", utilisation, PaillierBench.loadAverage()))
        if let phe = phe["decrypt"] {
            Bench.row("  phe decryption", value: Bench.duration(phe), baseline: Bench.duration(oneCore) + " ours 1 core",
                      ratio: phe / oneCore, target: "no target; × ours")
        }

        // dot(100) with 16-bit integer weights over encrypted Doubles.
        var state: UInt64 = 0x15
        var values: [Double] = []
        var weights: [Paillier.EncodedNumber] = []
        for _ in 0..<100 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            values.append(Double(Int64(bitPattern: state >> 11) % 20_000) / 100)
            state = state &* 6364136223846793005 &+ 1442695040888963407
            weights.append(try .encode(Int(Int64(bitPattern: state >> 11) % 32_768), publicKey: pk))
        }
        let vector = try Paillier.EncryptedVector.encrypt(values, publicKey: pk, using: fast)
        let dot = try Bench.secondsPerOp(operations: 5) { for _ in 0..<5 { _ = try vector.dot(encoded: weights) } }
        let pheDot = phe["dot100_int16"]
        Bench.row("dot product, 100 × 16-bit integer weights", value: Bench.duration(dot),
                  baseline: pheDot.map { Bench.duration($0) + " phe" } ?? "phe not installed", ratio: pheDot.map { $0 / dot },
                  target: "≤ 5 ms: " + (dot <= 0.005 ? "met" : "NOT met") + (pheDot.map { ", ≥ 4× phe: " + ($0 / dot >= 4 ? "met" : "NOT met") } ?? ""))
    }

    /// python-paillier's figures from `scripts/phe_bench.py`, or none when Python or phe is missing.
    static func pheFigures() -> [String: Double] {
        var folder = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { folder.deleteLastPathComponent() }
        let script = folder.appendingPathComponent("scripts/phe_bench.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return [:] }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            print("(python-paillier not available: install it with `pip install phe gmpy2` for its figures)")
            return [:]
        }
        print("(python-paillier \(object["phe"] ?? "?"), gmpy2 \(object["gmpy2"] ?? "?"), run in this benchmark)")
        return object.compactMapValues { $0 as? Double }
    }
}
