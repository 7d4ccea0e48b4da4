import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CDispatch)
// On Linux the C `timespec`/`timeval` the CPU clocks below fill are the ones Foundation's
// Dispatch brings in first; MemberImportVisibility wants their defining module imported.
import CDispatch
#endif
import HECore
import RawGMP

/// `paillier`: HECore at 2048 bits beside raw GMP figures measured in the same run.
enum PaillierBench {
    /// A raw `mpz_t` for the baselines, freed when the owner goes away.
    final class Raw {
        let value: UnsafeMutablePointer<__mpz_struct>
        init(_ decimal: String) {
            value = .allocate(capacity: 1)
            __gmpz_init(value)
            _ = __gmpz_set_str(value, decimal, 10)
        }
        init() {
            value = .allocate(capacity: 1)
            __gmpz_init(value)
        }
        deinit {
            __gmpz_clear(value)
            value.deallocate()
        }
    }

    /// User + system CPU seconds of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// The one-minute load average (other processes compete for the same cores).
    static func loadAverage() -> Double {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) > 0 ? loads[0] : .nan
    }

    static func run() throws {
        let bits = 2048
        Bench.section("paillier (\(bits)-bit n, phe-compatible; baselines: raw GMP in this run)")

        // Key generation (a few keys: the time varies a lot with the prime gaps).
        var key: Paillier.PrivateKey?
        let keygen = try Bench.secondsPerOp(operations: 1, rounds: 3) {
            key = try Paillier.PrivateKey.generate(bits: bits)
        }
        guard let key else { return }
        let pk = key.publicKey

        // Raw operands.
        let n = Raw(pk.n.decimalString), n2 = Raw(pk.nSquared.decimalString)
        let p = Raw(key.p.decimalString), q = Raw(key.q.decimalString)
        let p2 = Raw((key.p * key.p).decimalString), q2 = Raw((key.q * key.q).decimalString)
        let pm1 = Raw((key.p - .one).decimalString), qm1 = Raw((key.q - .one).decimalString)
        _ = (p, q)
        let r = Raw(BigInteger.random(in1Below: pk.n)?.decimalString ?? "2")
        let out = Raw(), tmp = Raw()

        let rawPowmN = Bench.secondsPerOp(operations: 50) {
            for _ in 0..<50 { __gmpz_powm(out.value, r.value, n.value, n2.value) }
        }
        Bench.row("raw mpz_powm r^n mod n² (baseline)", value: Bench.duration(rawPowmN), baseline: "-", ratio: nil, target: "reference")
        Bench.row("key generation", value: Bench.duration(keygen),
                  baseline: Bench.duration(rawPowmN) + " (r^n)", ratio: keygen / rawPowmN, target: "no target; × r^n")

        // Encryption.
        let encoded = try Paillier.EncodedNumber.encode(3.14159, publicKey: pk)
        let standard = try Bench.secondsPerOp(operations: 50) {
            for _ in 0..<50 { _ = try pk.encrypt(encoded) }
        }
        Bench.row("standard encryption (1+nm)·r^n", value: Bench.duration(standard),
                  baseline: Bench.duration(rawPowmN) + " raw r^n", ratio: standard / rawPowmN, target: "≈1 (phe's cost)")
        let tableStart = Bench.now()
        let fast = Paillier.FastEncryptor(publicKey: pk)
        let tableBuild = Double(Bench.now() - tableStart) / 1e9
        let fastEncryption = try Bench.secondsPerOp(operations: 200) {
            for _ in 0..<200 { _ = try pk.encrypt(encoded, using: fast) }
        }
        Bench.row("fast encryption (DJN, fixed-base table)", value: Bench.duration(fastEncryption),
                  baseline: Bench.duration(standard) + " standard", ratio: standard / fastEncryption,
                  target: "≥ 8× faster: " + (standard / fastEncryption >= 8 ? "met" : "NOT met"))
        Bench.row("  DJN table build (once per key)", value: Bench.duration(tableBuild), baseline: "-", ratio: nil, target: "one-off")
        let crt = try Bench.secondsPerOp(operations: 50) {
            for _ in 0..<50 { _ = try key.encrypt(encoded) }
        }
        Bench.row("key owner's CRT encryption", value: Bench.duration(crt),
                  baseline: Bench.duration(standard) + " standard", ratio: standard / crt, target: "no target; × faster")

        // Decryption vs two half-size raw exponentiations c^(p−1) mod p², c^(q−1) mod q².
        let c = try pk.encrypt(encoded)
        let rawC = Raw(c.ciphertext.decimalString)
        let decryption = try Bench.secondsPerOp(operations: 100) {
            for _ in 0..<100 { _ = try key.decrypt(c) }
        }
        let rawHalves = Bench.secondsPerOp(operations: 100) {
            for _ in 0..<100 {
                __gmpz_mod(tmp.value, rawC.value, p2.value)
                __gmpz_powm(out.value, tmp.value, pm1.value, p2.value)
                __gmpz_mod(tmp.value, rawC.value, q2.value)
                __gmpz_powm(out.value, tmp.value, qm1.value, q2.value)
            }
        }
        Bench.row("decryption (CRT, mpz_powm_sec)", value: Bench.duration(decryption),
                  baseline: Bench.duration(rawHalves) + " 2 raw powm", ratio: decryption / rawHalves,
                  target: "≤ 1.3: " + (decryption / rawHalves <= 1.3 ? "met" : "NOT met"))
        let rawHalvesSec = Bench.secondsPerOp(operations: 100) {
            for _ in 0..<100 {
                __gmpz_mod(tmp.value, rawC.value, p2.value)
                __gmpz_powm_sec(out.value, tmp.value, pm1.value, p2.value)
                __gmpz_mod(tmp.value, rawC.value, q2.value)
                __gmpz_powm_sec(out.value, tmp.value, qm1.value, q2.value)
            }
        }
        Bench.row("  raw 2 × mpz_powm_sec (the constant-time floor)", value: Bench.duration(rawHalvesSec),
                  baseline: Bench.duration(rawHalves) + " 2 raw powm", ratio: rawHalvesSec / rawHalves, target: "reference")

        // Addition vs one raw multiply-and-reduce mod n².
        let d = try pk.encrypt(encoded)
        let rawD = Raw(d.ciphertext.decimalString)
        let add = try Bench.secondsPerOp(operations: 20_000) {
            for _ in 0..<20_000 { _ = try c.adding(d) }
        }
        let rawMulMod = Bench.secondsPerOp(operations: 20_000) {
            for _ in 0..<20_000 {
                __gmpz_mul(tmp.value, rawC.value, rawD.value)
                __gmpz_tdiv_r(out.value, tmp.value, n2.value)
            }
        }
        Bench.row("ciphertext addition", value: Bench.duration(add),
                  baseline: Bench.duration(rawMulMod) + " raw mul+mod", ratio: add / rawMulMod,
                  target: "≤ 2: " + (add / rawMulMod <= 2 ? "met" : "NOT met"))

        // Scalar multiplication by a Double (53-bit mantissa) vs raw powm with that exponent.
        let scalar = try Paillier.EncodedNumber.encode(2.718281828459045, publicKey: pk)
        let rawScalar = Raw(scalar.encoding.decimalString)
        let scalarMul = try Bench.secondsPerOp(operations: 1000) {
            for _ in 0..<1000 { _ = try c.multiplied(by: scalar) }
        }
        let rawScalarPow = Bench.secondsPerOp(operations: 1000) {
            for _ in 0..<1000 { __gmpz_powm(out.value, rawC.value, rawScalar.value, n2.value) }
        }
        Bench.row("scalar multiply (Double, 53-bit mantissa)", value: Bench.duration(scalarMul),
                  baseline: Bench.duration(rawScalarPow) + " raw powm", ratio: scalarMul / rawScalarPow, target: "no target")

        // Dot product of length 100 vs 100 separate raw exponentiations and 99 products.
        var values: [Double] = []
        var weights: [Double] = []
        var state: UInt64 = 0x2545F4914F6CDD1D
        for _ in 0..<100 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            values.append(Double(Int64(bitPattern: state >> 11) % 10_000) / 100)
            state = state &* 6364136223846793005 &+ 1442695040888963407
            weights.append(Double(Int64(bitPattern: state >> 11) % 10_000) / 1000)
        }
        let vector = try Paillier.EncryptedVector.encrypt(values, publicKey: pk, using: fast)
        let weightEncodings = try weights.map { w throws(HEError) in try Paillier.EncodedNumber.encode(w, publicKey: pk) }
        let dot = try Bench.secondsPerOp(operations: 3) {
            for _ in 0..<3 { _ = try vector.dot(encoded: weightEncodings) }
        }
        let rawBases = vector.elements.map { Raw($0.ciphertext.decimalString) }
        let rawExponents = weightEncodings.map { Raw($0.encoding.decimalString) }
        let rawDot = Bench.secondsPerOp(operations: 3) {
            for _ in 0..<3 {
                __gmpz_set_ui(out.value, 1)
                for i in 0..<100 {
                    __gmpz_powm(tmp.value, rawBases[i].value, rawExponents[i].value, n2.value)
                    __gmpz_mul(out.value, out.value, tmp.value)
                    __gmpz_tdiv_r(out.value, out.value, n2.value)
                }
            }
        }
        Bench.row("dot product, length 100 (multi-exponentiation)", value: Bench.duration(dot),
                  baseline: Bench.duration(rawDot) + " 100 raw powm", ratio: dot / rawDot, target: "no target; < 1 is better")

        try batchFigures(pk: pk, encoded: encoded, fast: fast)
    }

    /// `paillier-batch`: only the all-core figures, with a 2048-bit key of its own.
    static func runBatch() throws {
        Bench.section("paillier batches (2048-bit n)")
        let key = try Paillier.PrivateKey.generate(bits: 2048)
        let encoded = try Paillier.EncodedNumber.encode(3.14159, publicKey: key.publicKey)
        try batchFigures(pk: key.publicKey, encoded: encoded, fast: Paillier.FastEncryptor(publicKey: key.publicKey))
    }

    /// 1,000 standard and 1,000 fast encryptions on all cores beside the single-core rates.
    static func batchFigures(pk: Paillier.PublicKey, encoded: Paillier.EncodedNumber, fast: Paillier.FastEncryptor) throws {
        // 1,000 encryptions on all cores vs the single-core rate, measured alternately in the
        // same rounds so that load from other processes hits both alike.
        let thousand = Array(repeating: encoded, count: 1000)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var single = (standard: Double.infinity, fast: Double.infinity)
        var batch = (standard: Double.infinity, fast: Double.infinity)
        for _ in 0..<2 {
            single.standard = min(single.standard, try Bench.secondsPerOp(operations: 100, rounds: 1) {
                for item in thousand.prefix(100) { _ = try pk.encrypt(item) }
            })
            batch.standard = min(batch.standard, try Bench.secondsPerOp(operations: 1000, rounds: 1) {
                _ = try pk.encryptBatch(thousand)
            })
        }
        let cpuBefore = processCPUSeconds(), wallBefore = Bench.now()
        _ = try pk.encryptBatch(thousand, using: fast)
        let utilisation = (processCPUSeconds() - cpuBefore) / (Double(Bench.now() - wallBefore) / 1e9)
        for _ in 0..<3 {
            single.fast = min(single.fast, try Bench.secondsPerOp(operations: 1000, rounds: 1) {
                for item in thousand { _ = try pk.encrypt(item, using: fast) }
            })
            batch.fast = min(batch.fast, try Bench.secondsPerOp(operations: 1000, rounds: 1) {
                _ = try pk.encryptBatch(thousand, using: fast)
            })
        }
        Bench.row("1,000 standard encryptions, \(cores) cores", value: Bench.rate(batch.standard),
                  baseline: Bench.rate(single.standard) + " 1 core", ratio: single.standard / batch.standard,
                  target: "≥ 1.4×: " + (single.standard / batch.standard >= 1.4 ? "met" : "NOT met"))
        Bench.row("1,000 fast encryptions, \(cores) cores", value: Bench.rate(batch.fast),
                  baseline: Bench.rate(single.fast) + " 1 core", ratio: single.fast / batch.fast,
                  target: "≥ 1.4×: " + (single.fast / batch.fast >= 1.4 ? "met" : "NOT met"))
        Bench.row("  CPU seconds per wall second in a batch", value: String(format: "%.2f", utilisation),
                  baseline: "\(cores) cores available", ratio: nil,
                  target: String(format: "load average now %.1f", loadAverage()))
    }
}
