internal import GMPSupport

extension Paillier {
    /// Damgård–Jurik–Nielsen fast encryption: a fixed hₛ = hⁿ mod n² (h = −x² mod n for a
    /// random x) and, per encryption, hₛ^a mod n² for a random a of ⌈k/2⌉ bits (k = bits of n),
    /// read from a precomputed fixed-base table.
    ///
    /// Ciphertexts are ordinary Paillier ciphertexts: any Paillier decryptor, phe included,
    /// decrypts them. Security rests on the DJN assumption stated in the HECore overview.
    /// Building the table costs about 150 multiplications modulo n² per window row and
    /// `rows × 127` residues of memory (about 9.5 MB for a 2048-bit key); build it once per key
    /// and reuse it.
    public struct FastEncryptor: Sendable {
        /// The key the table was built for.
        public let publicKey: PublicKey
        let table: FixedBaseTable

        /// Picks a random hₛ for `publicKey` and builds its table.
        public init(publicKey: PublicKey) {
            self.publicKey = publicKey
            let n = publicKey.n
            let x = BigInteger.randomUnit(modulo: n) ?? .one
            // h = −x² mod n generates (with overwhelming probability) the subgroup of Jacobi
            // symbol +1 squares' negatives, as DJN prescribe.
            let h = BigInteger { t in
                t.multiply(x.raw, x.raw)
                t.negate(t)
                t.modulo(t, n.raw)
            }
            let hs = BigInteger { $0.power(h.raw, n.raw, modulo: publicKey.nSquared.raw) }
            table = FixedBaseTable(
                base: hs, modulus: publicKey.nSquared,
                exponentBits: (publicKey.bits + 1) / 2, window: FixedBaseTable.defaultWindow)
        }

        /// The number of bits of the random exponent a.
        public var exponentBits: Int { table.exponentBits }

        /// hₛ^a mod n² for a fresh random a.
        func randomNthResidue() -> BigInteger {
            table.power(BigInteger.random(bits: table.exponentBits))
        }

        /// hₛ^a mod n² for a given a (tests).
        func residue(exponent a: BigInteger) -> BigInteger { table.power(a) }
    }

    /// Precomputed powers base^(d·2^(w·i)) mod m for every window i and digit 1 ≤ d < 2^w, so
    /// that base^a costs one multiplication per non-zero w-bit digit of a.
    final class FixedBaseTable: @unchecked Sendable {
        // @unchecked Sendable: every entry is written in `init` and only read (as a `const`
        // GMP operand) afterwards, which GMP allows from any number of threads.

        /// The window width used by ``FastEncryptor``: 7 bits keeps 2048-bit keys near 9.5 MB.
        static let defaultWindow = 7

        let exponentBits: Int
        let window: Int
        let rows: Int
        let modulus: BigInteger
        private let entries: MPZBuffer

        init(base: BigInteger, modulus: BigInteger, exponentBits: Int, window: Int) {
            self.exponentBits = exponentBits
            self.window = window
            self.modulus = modulus
            rows = (exponentBits + window - 1) / window
            let perRow = (1 << window) - 1
            entries = MPZBuffer(count: rows * perRow)
            let rowBase = BigInteger { $0.set(base.raw) }
            let product = MPZ.allocate()
            for row in 0..<rows {
                let start = row * perRow
                entries[start].set(rowBase.raw)
                for d in 1..<perRow {
                    product.multiply(entries[start + d - 1], rowBase.raw)
                    entries[start + d].truncatedRemainder(product, modulus.raw)
                }
                // next row base = rowBase^(2^w) = entry(2^w − 1) · rowBase
                product.multiply(entries[start + perRow - 1], rowBase.raw)
                rowBase.raw.truncatedRemainder(product, modulus.raw)
            }
            product.deallocate()
        }

        deinit {
            entries.deallocate()
        }

        /// base^a mod m for 0 ≤ a < 2^exponentBits.
        func power(_ a: BigInteger) -> BigInteger {
            let perRow = (1 << window) - 1
            return BigInteger { result in
                result.set(1)
                let product = MPZ.allocate()
                for row in 0..<rows {
                    var digit = 0
                    for bit in 0..<window {
                        let index = row * window + bit
                        if index < exponentBits, a.raw.testBit(index) {
                            digit |= 1 << bit
                        }
                    }
                    guard digit != 0 else { continue }
                    product.multiply(result, entries[row * perRow + digit - 1])
                    result.truncatedRemainder(product, modulus.raw)
                }
                product.deallocate()
            }
        }
    }
}
