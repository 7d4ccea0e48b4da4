extension Paillier {
    /// The fixed-point parameters every party of a federated round agrees on, and the check
    /// that the sum of all parties' gradients cannot wrap modulo n.
    ///
    /// Each party's gradient component g satisfies |g| ≤ `perPartyBound`; in fixed point its
    /// mantissa is at most M = ⌈perPartyBound · 16^−exponent⌉. The sum of N parties is at most
    /// N·M, and decoding is exact only while N·M ≤ n/3 − 1, so the aggregation is refused
    /// unless `maxParties · M ≤ maxInt`.
    public struct SecureAggregation: Sendable, Hashable {
        /// The key the gradients are encrypted under.
        public let publicKey: PublicKey
        /// The exponent every gradient carries (16^exponent is the fixed-point resolution).
        public let exponent: Int
        /// The largest |component| any single party may contribute, in real units.
        public let perPartyBound: Double
        /// The most parties whose gradients may be summed.
        public let maxParties: Int

        /// States and checks the bound.
        ///
        /// - Throws: `aggregationBoundExceeded` when `maxParties · ⌈perPartyBound · 16^−exponent⌉`
        ///   exceeds n/3 − 1; `invalidPrecision` for a bound that is not finite and positive;
        ///   `emptyInput` for `maxParties < 1`.
        public init(publicKey: PublicKey, exponent: Int, perPartyBound: Double, maxParties: Int) throws(HEError) {
            guard perPartyBound.isFinite, perPartyBound > 0 else { throw .invalidPrecision(perPartyBound) }
            guard maxParties >= 1 else { throw .emptyInput(field: "maxParties") }
            try Paillier.checkExponent(exponent, field: "exponent")
            let mantissaBound = BigInteger.scaled(perPartyBound, byPowerOf16: -exponent, rounding: .up)
            let total = mantissaBound * BigInteger(maxParties)
            guard total <= publicKey.maxInt else {
                throw .aggregationBoundExceeded(
                    parties: maxParties, boundBits: mantissaBound.bitWidth, limitBits: publicKey.maxInt.bitWidth)
            }
            self.publicKey = publicKey
            self.exponent = exponent
            self.perPartyBound = perPartyBound
            self.maxParties = maxParties
        }

        /// The largest number of parties this key supports at `exponent` and `perPartyBound`:
        /// ⌊(n/3 − 1) / ⌈perPartyBound · 16^−exponent⌉⌋.
        public static func largestPartyCount(
            publicKey: PublicKey, exponent: Int, perPartyBound: Double
        ) -> BigInteger {
            let mantissaBound = BigInteger.scaled(perPartyBound, byPowerOf16: -exponent, rounding: .up)
            return publicKey.maxInt.floorDivided(by: mantissaBound) ?? .zero
        }

        /// Sums the parties' encrypted gradients component-wise and re-randomises the result.
        ///
        /// - Throws: `emptyInput`; `aggregationBoundExceeded` for more than `maxParties`
        ///   gradients; `lengthMismatch`; `keyMismatch`; `exponentMismatch` for a gradient not at
        ///   the agreed fixed-point exponent (its bound would not be the one checked).
        public func aggregate(_ gradients: [EncryptedVector]) throws(HEError) -> EncryptedVector {
            guard let first = gradients.first else { throw .emptyInput(field: "gradients") }
            guard gradients.count <= maxParties else {
                let mantissaBound = BigInteger.scaled(perPartyBound, byPowerOf16: -exponent, rounding: .up)
                throw .aggregationBoundExceeded(
                    parties: gradients.count, boundBits: mantissaBound.bitWidth, limitBits: publicKey.maxInt.bitWidth)
            }
            for (party, gradient) in gradients.enumerated() {
                try publicKey.requireSame(gradient.publicKey)
                guard gradient.count == first.count else {
                    throw .lengthMismatch(field: "gradients[\(party)]", expected: first.count, found: gradient.count)
                }
                for element in gradient.elements where element.exponent != exponent {
                    throw .exponentMismatch(field: "gradients[\(party)]", expected: exponent, found: element.exponent)
                }
            }
            var sums = first.elements
            for gradient in gradients.dropFirst() {
                for index in sums.indices {
                    sums[index] = EncryptedNumber(
                        unchecked: publicKey,
                        ciphertext: publicKey.multiplyModNSquared(sums[index].ciphertext, gradient.elements[index].ciphertext),
                        exponent: exponent)
                }
            }
            return try EncryptedVector(sums).rerandomized()
        }
    }
}
