/// The Keccak-f[1600] state: 25 lanes of 64 bits, lane (x, y) at index x + 5y.
///
/// A homogeneous tuple, so the state lives inline (no heap) and its elements are laid out
/// contiguously, which lets the sponge XOR bytes into a lane by index.
typealias KeccakLanes = (
    UInt64, UInt64, UInt64, UInt64, UInt64,
    UInt64, UInt64, UInt64, UInt64, UInt64,
    UInt64, UInt64, UInt64, UInt64, UInt64,
    UInt64, UInt64, UInt64, UInt64, UInt64,
    UInt64, UInt64, UInt64, UInt64, UInt64
)

/// The Keccak-f[1600] permutation (FIPS 202, section 3), 24 rounds of θ, ρ, π, χ and ι.
///
/// Each round is written out step by step over named lanes, so the state works in registers
/// and locals; the rounds run in a loop of two rounds per pass, with their constants from a
/// table. The loop is deliberately not unrolled further: with all 24 rounds written out, the
/// sponge's absorb loop came to about 22 KB of machine code, more than the decoded-instruction
/// cache of the x86 cores this runs on, so its speed depended on where the linker happened to
/// place it (the same source hashed a 1 GiB file at 185–210 MiB/s in one build and 282–336
/// MiB/s in others); with two rounds per pass it is about 3 KB and stays in that cache.
enum KeccakF1600 {
    /// The all-zero state a sponge starts from.
    static let zeroLanes: KeccakLanes = (
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    )

    /// The ι step's round constants, in round order (FIPS 202, algorithm 5).
    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    /// Applies the 24 rounds to `state`.
    @inline(__always)
    static func permute(_ state: inout KeccakLanes) {
        roundConstants.withUnsafeBufferPointer { constants in
            var a = state
            var index = 0
            while index < 24 {
                round(&a, constants[index])
                round(&a, constants[index &+ 1])
                index &+= 2
            }
            state = a
        }
    }

    @inline(__always)
    private static func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value &<< count) | (value &>> (64 &- count))
    }

    /// One round. Lane names: `cX` column parity, `dX` θ correction for column X,
    /// `bXY` the lane that lands at (X, Y) after ρ and π.
    @inline(__always)
    private static func round(_ a: inout KeccakLanes, _ roundConstant: UInt64) {
        // θ: column parities, then each lane takes its neighbours' parities.
        let c0 = a.0 ^ a.5 ^ a.10 ^ a.15 ^ a.20
        let c1 = a.1 ^ a.6 ^ a.11 ^ a.16 ^ a.21
        let c2 = a.2 ^ a.7 ^ a.12 ^ a.17 ^ a.22
        let c3 = a.3 ^ a.8 ^ a.13 ^ a.18 ^ a.23
        let c4 = a.4 ^ a.9 ^ a.14 ^ a.19 ^ a.24
        let d0 = c4 ^ rotateLeft(c1, 1)
        let d1 = c0 ^ rotateLeft(c2, 1)
        let d2 = c1 ^ rotateLeft(c3, 1)
        let d3 = c2 ^ rotateLeft(c4, 1)
        let d4 = c3 ^ rotateLeft(c0, 1)
        // ρ and π: rotate each lane and move lane (x, y) to (y, 2x + 3y); bXY names the destination.
        let b00 = a.0 ^ d0
        let b10 = rotateLeft(a.6 ^ d1, 44)
        let b20 = rotateLeft(a.12 ^ d2, 43)
        let b30 = rotateLeft(a.18 ^ d3, 21)
        let b40 = rotateLeft(a.24 ^ d4, 14)
        let b01 = rotateLeft(a.3 ^ d3, 28)
        let b11 = rotateLeft(a.9 ^ d4, 20)
        let b21 = rotateLeft(a.10 ^ d0, 3)
        let b31 = rotateLeft(a.16 ^ d1, 45)
        let b41 = rotateLeft(a.22 ^ d2, 61)
        let b02 = rotateLeft(a.1 ^ d1, 1)
        let b12 = rotateLeft(a.7 ^ d2, 6)
        let b22 = rotateLeft(a.13 ^ d3, 25)
        let b32 = rotateLeft(a.19 ^ d4, 8)
        let b42 = rotateLeft(a.20 ^ d0, 18)
        let b03 = rotateLeft(a.4 ^ d4, 27)
        let b13 = rotateLeft(a.5 ^ d0, 36)
        let b23 = rotateLeft(a.11 ^ d1, 10)
        let b33 = rotateLeft(a.17 ^ d2, 15)
        let b43 = rotateLeft(a.23 ^ d3, 56)
        let b04 = rotateLeft(a.2 ^ d2, 62)
        let b14 = rotateLeft(a.8 ^ d3, 55)
        let b24 = rotateLeft(a.14 ^ d4, 39)
        let b34 = rotateLeft(a.15 ^ d0, 41)
        let b44 = rotateLeft(a.21 ^ d1, 2)
        // χ: the only non-linear step, along each row; ι: break the symmetry between rounds.
        a.0 = b00 ^ (~b10 & b20) ^ roundConstant
        a.1 = b10 ^ (~b20 & b30)
        a.2 = b20 ^ (~b30 & b40)
        a.3 = b30 ^ (~b40 & b00)
        a.4 = b40 ^ (~b00 & b10)
        a.5 = b01 ^ (~b11 & b21)
        a.6 = b11 ^ (~b21 & b31)
        a.7 = b21 ^ (~b31 & b41)
        a.8 = b31 ^ (~b41 & b01)
        a.9 = b41 ^ (~b01 & b11)
        a.10 = b02 ^ (~b12 & b22)
        a.11 = b12 ^ (~b22 & b32)
        a.12 = b22 ^ (~b32 & b42)
        a.13 = b32 ^ (~b42 & b02)
        a.14 = b42 ^ (~b02 & b12)
        a.15 = b03 ^ (~b13 & b23)
        a.16 = b13 ^ (~b23 & b33)
        a.17 = b23 ^ (~b33 & b43)
        a.18 = b33 ^ (~b43 & b03)
        a.19 = b43 ^ (~b03 & b13)
        a.20 = b04 ^ (~b14 & b24)
        a.21 = b14 ^ (~b24 & b34)
        a.22 = b24 ^ (~b34 & b44)
        a.23 = b34 ^ (~b44 & b04)
        a.24 = b44 ^ (~b04 & b14)
    }
}
