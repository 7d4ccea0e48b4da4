extension Paillier {
    /// The model whose gradient a data owner computes.
    public enum GradientModel: Sendable, Hashable {
        /// Least squares: r = w·x − y, gradient Σ r·x.
        case linearRegression
        /// Logistic regression with σ(z) ≈ 1/2 + z/4: r = 1/2 + (w·x)/4 − y, gradient Σ r·x.
        case logisticTaylor
    }

    /// The fixed-point layout of a federated round: weights are encrypted at `weightExponent`,
    /// features and labels are encoded at `featureExponent`.
    public struct FixedPointLayout: Sendable, Hashable {
        /// The exponent of every encrypted weight.
        public let weightExponent: Int
        /// The exponent at which data owners encode features and labels.
        public let featureExponent: Int

        /// Creates the layout.
        public init(weightExponent: Int, featureExponent: Int) {
            self.weightExponent = weightExponent
            self.featureExponent = featureExponent
        }

        /// The exponent of every gradient component: weight + 2·feature (one less for the
        /// logistic model, whose ¼ is encoded as 4·16⁻¹).
        public func gradientExponent(for model: GradientModel) -> Int {
            let base = weightExponent + 2 * featureExponent
            return model == .logisticTaylor ? base - 1 : base
        }
    }

    /// What a data owner computes on its own rows against encrypted weights.
    public enum Gradient {
        /// The encrypted gradient Σᵢ rᵢ·xᵢ over the owner's plaintext rows, where each residual rᵢ
        /// is computed under encryption from the encrypted weights (see ``GradientModel``).
        ///
        /// Before any work the owner checks, from its own data and the trainer's public
        /// `weightBound` (max |wₖ|), that every component is within the aggregation's
        /// `perPartyBound`, and that the gradient lands on the aggregation's exponent. The result
        /// is re-randomised, ready to leave the owner.
        ///
        /// - Parameters:
        ///   - model: how the residual is computed from the encrypted weights.
        ///   - weights: the trainer's encrypted weights.
        ///   - rows: feature rows (include a constant 1 column for a bias).
        ///   - labels: one target per row.
        ///   - layout: the fixed-point layout the gradient is encoded in.
        ///   - weightBound: the trainer's public bound on every |wₖ|.
        ///   - aggregation: the secure aggregation the gradient is summed in.
        /// - Throws: `lengthMismatch`, `emptyInput`, `keyMismatch`; `exponentMismatch` when the
        ///   weights or the layout disagree with the aggregation; `gradientBoundExceeded`.
        public static func compute(
            model: GradientModel, encryptedWeights weights: EncryptedVector, rows: [[Double]], labels: [Double],
            layout: FixedPointLayout, weightBound: Double, aggregation: SecureAggregation
        ) throws(HEError) -> EncryptedVector {
            let key = weights.publicKey
            try key.requireSame(aggregation.publicKey)
            guard !rows.isEmpty else { throw .emptyInput(field: "rows") }
            guard labels.count == rows.count else {
                throw .lengthMismatch(field: "labels", expected: rows.count, found: labels.count)
            }
            for weight in weights.elements where weight.exponent != layout.weightExponent {
                throw .exponentMismatch(field: "weights", expected: layout.weightExponent, found: weight.exponent)
            }
            let target = layout.gradientExponent(for: model)
            guard target == aggregation.exponent else {
                throw .exponentMismatch(field: "layout", expected: aggregation.exponent, found: target)
            }
            // Encode the owner's data once, at the agreed exponent.
            var encodedRows: [[EncodedNumber]] = []
            var roundedRows: [[Double]] = []
            for row in rows {
                guard row.count == weights.count else {
                    throw .lengthMismatch(field: "row", expected: weights.count, found: row.count)
                }
                var encoded: [EncodedNumber] = []
                for x in row { encoded.append(try .encode(x, atExponent: layout.featureExponent, publicKey: key)) }
                encodedRows.append(encoded)
                roundedRows.append(encoded.map { $0.approximateValue ?? .infinity })
            }
            let bound = boundOfGradient(model: model, rows: roundedRows, labels: labels, weightBound: weightBound)
            guard bound <= aggregation.perPartyBound else {
                throw .gradientBoundExceeded(bound: bound, allowed: aggregation.perPartyBound)
            }
            // Residuals rᵢ under encryption.
            let scores = try scores(encodedRows: encodedRows, weights: weights)
            var residuals: [EncryptedNumber] = []
            residuals.reserveCapacity(rows.count)
            let quarter = try EncodedNumber.encode(BigInteger(4), publicKey: key).shiftedExponent(by: -1)
            for (score, label) in zip(scores, labels) {
                switch model {
                case .linearRegression:
                    let y = try EncodedNumber.encode(-label, atExponent: score.exponent, publicKey: key)
                    residuals.append(try score.adding(y))
                case .logisticTaylor:
                    let scaled = try score.multiplied(by: quarter)
                    let offset = try EncodedNumber.encode(0.5 - label, atExponent: scaled.exponent, publicKey: key)
                    residuals.append(try scaled.adding(offset))
                }
            }
            // gⱼ = Σᵢ rᵢ·xᵢⱼ: one multi-exponentiation per component over shared tables.
            let engine = MultiExponentiation(bases: residuals.map(\.ciphertext), modulus: key.nSquared)
            let residualExponents = residuals.map(\.exponent)
            let columns = weights.count
            var gradient: [EncryptedNumber] = []
            gradient.reserveCapacity(columns)
            for column in 0..<columns {
                let coefficients = encodedRows.map { $0[column] }
                gradient.append(try EncryptedVector.dot(
                    engine: engine, exponents: residualExponents, weights: coefficients, key: key))
            }
            return try EncryptedVector(gradient).rerandomized()
        }

        /// w·xᵢ for every row, spread over all cores, sharing the weights' tables.
        private static func scores(encodedRows: [[EncodedNumber]], weights: EncryptedVector) throws(HEError) -> [EncryptedNumber] {
            let key = weights.publicKey
            let engine = MultiExponentiation(bases: weights.elements.map(\.ciphertext), modulus: key.nSquared)
            let exponents = weights.elements.map(\.exponent)
            let results = Paillier.parallelMap(encodedRows) { row in
                Result { () throws(HEError) -> EncryptedNumber in
                    try EncryptedVector.dot(engine: engine, exponents: exponents, weights: row, key: key)
                }
            }
            var scores: [EncryptedNumber] = []
            for result in results { scores.append(try result.get()) }
            return scores
        }

        /// An upper bound of maxⱼ |Σᵢ rᵢ·xᵢⱼ| given |wₖ| ≤ `weightBound`, computed from the
        /// owner's (rounded) data alone, with a relative margin for floating-point summation.
        public static func boundOfGradient(
            model: GradientModel, rows: [[Double]], labels: [Double], weightBound: Double
        ) -> Double {
            guard let width = rows.first?.count else { return 0 }
            var columnBounds = [Double](repeating: 0, count: width)
            for (row, label) in zip(rows, labels) {
                let scoreBound = weightBound * row.reduce(0) { $0 + abs($1) }
                let residualBound: Double
                switch model {
                case .linearRegression: residualBound = scoreBound + abs(label)
                case .logisticTaylor: residualBound = scoreBound / 4 + abs(0.5 - label)
                }
                for (j, x) in row.enumerated() where j < width { columnBounds[j] += residualBound * abs(x) }
            }
            return (columnBounds.max() ?? 0) * (1 + 1e-9)
        }
    }
}

extension Paillier.EncodedNumber {
    /// The same mantissa at `exponent + delta` (the value scales by 16^delta).
    func shiftedExponent(by delta: Int) throws(HEError) -> Paillier.EncodedNumber {
        try Paillier.checkExponent(exponent + delta, field: "exponent")
        return Paillier.EncodedNumber(unchecked: publicKey, encoding: encoding, exponent: exponent + delta)
    }
}
