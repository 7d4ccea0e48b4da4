internal import SodiumSupport

extension Paillier {
    /// A step of key generation, reported to the caller's progress handler.
    public enum KeyGenerationEvent: Sendable, Equatable {
        /// Searching for prime `index` (1 or 2) of `bits` bits.
        case searchingPrime(index: Int, bits: Int)
        /// Prime `index` was found.
        case foundPrime(index: Int)
        /// The product did not have the requested length (or p = q); starting again.
        case retrying
        /// The key pair is ready.
        case done
    }
}

extension Paillier.PrivateKey {
    /// Generates a key pair with a modulus of exactly `bits` bits from libsodium randomness.
    ///
    /// p and q are random primes of `bits/2` bits each with their two top bits set; g = n + 1.
    ///
    /// - Parameters:
    ///   - bits: the modulus length; even and at least ``Paillier/minimumKeyBits``. Default 2048.
    ///   - progress: called on the generating thread at each step (for a progress display).
    /// - Throws: `HEError.unsupportedKeySize` for an odd or too small `bits`.
    public static func generate(
        bits: Int = Paillier.defaultKeyBits,
        progress: ((Paillier.KeyGenerationEvent) -> Void)? = nil
    ) throws(HEError) -> Paillier.PrivateKey {
        guard bits >= Paillier.minimumKeyBits, bits % 2 == 0, bits <= 1 << 16 else {
            throw .unsupportedKeySize(bits: bits, minimum: Paillier.minimumKeyBits)
        }
        let half = bits / 2
        while true {
            progress?(.searchingPrime(index: 1, bits: half))
            let p = BigInteger.randomPrime(bits: half)
            progress?(.foundPrime(index: 1))
            progress?(.searchingPrime(index: 2, bits: half))
            let q = BigInteger.randomPrime(bits: half)
            progress?(.foundPrime(index: 2))
            let n = p * q
            let phi = (p - .one) * (q - .one)
            guard p != q, n.bitWidth == bits, n.gcd(phi) == .one else {
                progress?(.retrying)
                continue
            }
            let key = Paillier.PrivateKey(
                validatedPublicKey: Paillier.PublicKey(validated: n), p: p, q: q)
            progress?(.done)
            return key
        }
    }
}

extension Paillier.PrivateKey {
    /// Derives a key pair deterministically from `seed`, for reproducible demos, tests and
    /// simulations only: the key is exactly as secret as the seed, so never protect real data
    /// with it. The same `bits` and `seed` give the same key on every machine.
    ///
    /// The primes are found as in ``generate(bits:progress:)`` (two top bits and the low bit
    /// set, next prime), but each starting point is read from a SHA-256 counter stream over
    /// `"hecore-derived-key" ‖ seed ‖ counter` instead of libsodium's generator.
    ///
    /// - Throws: `HEError.unsupportedKeySize` for an odd or too small `bits`.
    public static func derived(bits: Int = Paillier.defaultKeyBits, seed: [UInt8]) throws(HEError) -> Paillier.PrivateKey {
        guard bits >= Paillier.minimumKeyBits, bits % 2 == 0, bits <= 1 << 16 else {
            throw .unsupportedKeySize(bits: bits, minimum: Paillier.minimumKeyBits)
        }
        var stream = DerivedByteStream(seed: seed)
        let half = bits / 2
        while true {
            let p = BigInteger.prime(bits: half, startingFrom: stream.next(count: (half + 7) / 8))
            let q = BigInteger.prime(bits: half, startingFrom: stream.next(count: (half + 7) / 8))
            let n = p * q
            let phi = (p - .one) * (q - .one)
            guard p != q, n.bitWidth == bits, n.gcd(phi) == .one else { continue }
            return Paillier.PrivateKey(validatedPublicKey: Paillier.PublicKey(validated: n), p: p, q: q)
        }
    }
}

/// SHA-256 in counter mode over a fixed prefix and a seed: a reproducible byte stream.
struct DerivedByteStream {
    private let prefix: [UInt8]
    private var counter: UInt64 = 0
    private var buffer: [UInt8] = []

    init(seed: [UInt8]) { prefix = Array("hecore-derived-key".utf8) + seed }

    /// The next `count` bytes.
    mutating func next(count: Int) -> [UInt8] {
        while buffer.count < count {
            var block = prefix
            withUnsafeBytes(of: counter.bigEndian) { block.append(contentsOf: $0) }
            buffer += Sodium.sha256(block)
            counter &+= 1
        }
        let out = Array(buffer.prefix(count))
        buffer.removeFirst(count)
        return out
    }
}
