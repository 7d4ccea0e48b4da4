extension Paillier {
    /// Linear-model inference where either the features or the weights are encrypted.
    public enum LinearModel {
        /// w·x + b for encrypted features x and plaintext weights w (the model owner scores a
        /// data owner's encrypted row without seeing it). One multi-exponentiation.
        ///
        /// - Throws: `lengthMismatch`; encoding errors of the weights or the bias.
        public static func predict(
            encryptedFeatures features: EncryptedVector, weights: [Double], bias: Double = 0
        ) throws(HEError) -> EncryptedNumber {
            try features.dot(weights).adding(bias)
        }

        /// w·x + b for plaintext features x and encrypted weights w (and optional encrypted bias):
        /// a data owner scores its own row against a model it cannot read.
        ///
        /// - Throws: `lengthMismatch`, `keyMismatch`; encoding errors of the features.
        public static func predict(
            features: [Double], encryptedWeights weights: EncryptedVector, bias: EncryptedNumber? = nil
        ) throws(HEError) -> EncryptedNumber {
            let score = try weights.dot(features)
            guard let bias else { return score }
            return try score.adding(bias)
        }

        /// Scores many plaintext rows against encrypted weights, sharing the weights'
        /// precomputed multi-exponentiation tables; features are encoded at `featureExponent`.
        ///
        /// - Throws: `lengthMismatch`; encoding errors of the features.
        public static func predict(
            rows: [[Double]], encryptedWeights weights: EncryptedVector, featureExponent: Int
        ) throws(HEError) -> [EncryptedNumber] {
            let engine = MultiExponentiation(bases: weights.elements.map(\.ciphertext), modulus: weights.publicKey.nSquared)
            let exponents = weights.elements.map(\.exponent)
            var scores: [EncryptedNumber] = []
            scores.reserveCapacity(rows.count)
            for row in rows {
                guard row.count == weights.count else {
                    throw .lengthMismatch(field: "row", expected: weights.count, found: row.count)
                }
                var encoded: [EncodedNumber] = []
                encoded.reserveCapacity(row.count)
                for x in row {
                    encoded.append(try .encode(x, atExponent: featureExponent, publicKey: weights.publicKey))
                }
                scores.append(try EncryptedVector.dot(
                    engine: engine, exponents: exponents, weights: encoded, key: weights.publicKey))
            }
            return scores
        }
    }
}
