internal import GMPSupport
import Foundation

// MARK: - Public-key encryption

extension Paillier.PublicKey {
    /// Encrypts an encoding: c = (1 + n·m) · rⁿ mod n² with r uniform in Z*n.
    ///
    /// - Parameters:
    ///   - encoded: the encoding to encrypt, made for this key.
    ///   - randomness: a fixed r in Z*n (for test vectors); nil draws one from libsodium.
    /// - Throws: `keyMismatch` when the encoding belongs to another key; `ciphertextNotInvertible`
    ///   or `ciphertextOutOfRange` (field r) when `randomness` is not in Z*n.
    public func encrypt(
        _ encoded: Paillier.EncodedNumber, randomness: BigInteger? = nil
    ) throws(HEError) -> Paillier.EncryptedNumber {
        try requireSame(encoded.publicKey)
        let residue: BigInteger
        if let r = randomness {
            guard r.signum > 0, r < n else {
                throw .ciphertextOutOfRange(bits: r.bitWidth, modulusBits: n.bitWidth)
            }
            guard r.gcd(n) == .one else { throw .ciphertextNotInvertible }
            residue = BigInteger { $0.power(r.raw, n.raw, modulo: nSquared.raw) }
        } else {
            residue = Paillier.Obfuscator.standard(self).randomNthResidue()
        }
        return seal(encoded, residue: residue)
    }

    /// Encrypts an encoding with the DJN fast method (see ``Paillier/FastEncryptor``).
    ///
    /// - Throws: `keyMismatch` when the encoding or the encryptor belongs to another key.
    public func encrypt(
        _ encoded: Paillier.EncodedNumber, using fast: Paillier.FastEncryptor
    ) throws(HEError) -> Paillier.EncryptedNumber {
        try requireSame(encoded.publicKey)
        try requireSame(fast.publicKey)
        return seal(encoded, residue: fast.randomNthResidue())
    }

    /// Encodes (phe semantics) and encrypts a `Double`.
    ///
    /// - Throws: the encoding errors of ``Paillier/EncodedNumber``.
    public func encrypt(
        _ value: Double, precision: Double? = nil, using fast: Paillier.FastEncryptor? = nil
    ) throws(HEError) -> Paillier.EncryptedNumber {
        let encoded = try Paillier.EncodedNumber.encode(value, publicKey: self, precision: precision)
        if let fast { return try encrypt(encoded, using: fast) }
        return try encrypt(encoded)
    }

    /// Encodes (exponent 0) and encrypts an integer.
    ///
    /// - Throws: `encodingOverflow` when |value| > n/3 − 1.
    public func encrypt(
        _ value: BigInteger, using fast: Paillier.FastEncryptor? = nil
    ) throws(HEError) -> Paillier.EncryptedNumber {
        let encoded = try Paillier.EncodedNumber.encode(value, publicKey: self)
        if let fast { return try encrypt(encoded, using: fast) }
        return try encrypt(encoded)
    }

    /// Encodes (exponent 0) and encrypts an `Int`.
    ///
    /// - Throws: `encodingOverflow` when |value| > n/3 − 1 (only for tiny keys).
    public func encrypt(
        _ value: Int, using fast: Paillier.FastEncryptor? = nil
    ) throws(HEError) -> Paillier.EncryptedNumber {
        try encrypt(BigInteger(value), using: fast)
    }

    /// Encrypts many encodings, spread over all cores.
    ///
    /// - Throws: `keyMismatch` when an encoding or the encryptor belongs to another key.
    public func encryptBatch(
        _ encodings: [Paillier.EncodedNumber], using fast: Paillier.FastEncryptor? = nil
    ) throws(HEError) -> [Paillier.EncryptedNumber] {
        for encoded in encodings { try requireSame(encoded.publicKey) }
        if let fast { try requireSame(fast.publicKey) }
        let obfuscator: Paillier.Obfuscator = fast.map { .fast($0) } ?? .standard(self)
        return Paillier.sealBatch(encodings, key: self, obfuscator: obfuscator)
    }

    /// (1 + n·m) · residue mod n².
    func seal(_ encoded: Paillier.EncodedNumber, residue: BigInteger) -> Paillier.EncryptedNumber {
        let c = multiplyModNSquared(nudeCiphertext(encoded.encoding), residue)
        return Paillier.EncryptedNumber(unchecked: self, ciphertext: c, exponent: encoded.exponent)
    }
}

// MARK: - The key owner's CRT encryption

extension Paillier.PrivateKey {
    /// Encrypts with rⁿ computed modulo p² and q² (constant-time, secret exponents), about
    /// three times faster than public-key encryption.
    ///
    /// - Throws: `keyMismatch` when the encoding belongs to another key.
    public func encrypt(_ encoded: Paillier.EncodedNumber) throws(HEError) -> Paillier.EncryptedNumber {
        try publicKey.requireSame(encoded.publicKey)
        return publicKey.seal(encoded, residue: Paillier.Obfuscator.crt(self).randomNthResidue())
    }

    /// Encodes (phe semantics) and encrypts a `Double` with CRT acceleration.
    ///
    /// - Throws: the encoding errors of ``Paillier/EncodedNumber``.
    public func encrypt(_ value: Double, precision: Double? = nil) throws(HEError) -> Paillier.EncryptedNumber {
        try encrypt(Paillier.EncodedNumber.encode(value, publicKey: publicKey, precision: precision))
    }

    /// Encrypts many encodings with CRT acceleration, spread over all cores.
    ///
    /// - Throws: `keyMismatch` when an encoding belongs to another key.
    public func encryptBatch(_ encodings: [Paillier.EncodedNumber]) throws(HEError) -> [Paillier.EncryptedNumber] {
        for encoded in encodings { try publicKey.requireSame(encoded.publicKey) }
        return Paillier.sealBatch(encodings, key: publicKey, obfuscator: .crt(self))
    }
}

// MARK: - Batches

extension Paillier {
    /// Seals every encoding with a fresh residue, in contiguous chunks, one per core.
    static func sealBatch(
        _ encodings: [EncodedNumber], key: PublicKey, obfuscator: Obfuscator
    ) -> [EncryptedNumber] {
        parallelMap(encodings) { key.seal($0, residue: obfuscator.randomNthResidue()) }
    }

    /// `transform` applied to every element, spread over all active cores.
    ///
    /// The work is cut into about eight chunks per core that idle workers take in turn, so
    /// a core slowed by another process does not leave the others waiting on its fixed share
    /// (one contiguous chunk per core gave only 1.26× on two busy cores).
    static func parallelMap<Element: Sendable, Result: Sendable>(
        _ input: [Element], _ transform: @Sendable (Element) -> Result
    ) -> [Result] {
        let count = input.count
        guard count > 1 else { return input.map(transform) }
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunks = min(count, cores * 8)
        let box = ResultBox<Result>(count: count)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lower = chunk * count / chunks
            let upper = (chunk + 1) * count / chunks
            for index in lower..<upper { box.store(transform(input[index]), at: index) }
        }
        return box.results()
    }
}

/// Slots written concurrently, each by exactly one worker, then read once all have finished.
private final class ResultBox<Value: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: each slot is written by one worker only, through a buffer allocated
    // once in `init`, and `results()` runs after `concurrentPerform` has returned, which orders
    // every write before the read.
    private let slots: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func store(_ value: Value, at index: Int) { slots[index] = value }

    func results() -> [Value] { slots.compactMap { $0 } }
}
