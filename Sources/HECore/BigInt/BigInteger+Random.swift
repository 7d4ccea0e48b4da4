internal import GMPSupport
internal import SodiumSupport

extension BigInteger {
    /// A uniformly random integer of at most `bits` bits, from libsodium.
    public static func random(bits: Int) -> BigInteger {
        guard bits > 0 else { return .zero }
        var bytes = SecureRandom.bytes((bits + 7) / 8)
        let excess = bytes.count * 8 - bits
        if excess > 0, !bytes.isEmpty { bytes[0] &= UInt8(0xFF >> excess) }
        return BigInteger(bigEndianBytes: bytes)
    }

    /// A uniformly random integer in `1..<upperBound` (rejection sampling), or nil when
    /// `upperBound ≤ 1`.
    public static func random(in1Below upperBound: BigInteger) -> BigInteger? {
        guard upperBound > .one else { return nil }
        let bits = upperBound.bitWidth
        while true {
            let candidate = random(bits: bits)
            if !candidate.isZero, candidate < upperBound { return candidate }
        }
    }

    /// A uniformly random unit of Z*_n (coprime to `n`), or nil when `n ≤ 1`.
    static func randomUnit(modulo n: BigInteger) -> BigInteger? {
        while true {
            guard let r = random(in1Below: n) else { return nil }
            if r.gcd(n) == .one { return r }
        }
    }

    /// A random prime of exactly `bits` bits whose two top bits are set, so that the product
    /// of two such primes has exactly `2·bits` bits.
    static func randomPrime(bits: Int) -> BigInteger {
        while true {
            let candidate = prime(bits: bits, startingFrom: random(bits: bits).bigEndianMagnitude)
            if candidate.bitWidth == bits { return candidate }
        }
    }

    /// The first probable prime at or after `start` (its low `bits` bits, with the two top bits
    /// and the low bit set); it may have `bits + 1` bits in the rare case the search runs past
    /// 2^bits, which the caller checks.
    static func prime(bits: Int, startingFrom bytes: [UInt8]) -> BigInteger {
        var masked = bytes
        let excess = masked.count * 8 - bits
        if excess > 0, !masked.isEmpty { masked[0] &= UInt8(0xFF >> excess) }
        var start = BigInteger(bigEndianBytes: masked)
        while true {
            let candidate = BigInteger { target in
                target.set(start.raw)
                target.setBit(bits - 1)
                target.setBit(bits - 2)
                target.setBit(0)
                target.nextPrime(after: target)
            }
            if candidate.isProbablePrime(rounds: 40) { return candidate }
            start = candidate + .one  // nextprime's pick failed the stronger test: search on
        }
    }
}
