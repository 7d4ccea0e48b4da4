import Foundation
import Testing
@testable import HECore

@Suite struct MachineLearningTests {
    @Test func inferenceWorksWithEncryptedFeaturesOrEncryptedWeights() throws {
        let key = try #require(SharedKeys.generated)
        let x = [1.5, -2.0, 0.25], w = [0.5, 4.0, -8.0]
        let expected = 0.75 - 8 - 2 + 0.125  // w·x + 0.125
        let encryptedX = try Paillier.EncryptedVector.encrypt(x, publicKey: key.publicKey)
        let a = try Paillier.LinearModel.predict(encryptedFeatures: encryptedX, weights: w, bias: 0.125)
        #expect(try key.decrypt(a).doubleValue == expected)
        let encryptedW = try Paillier.EncryptedVector.encrypt(w, publicKey: key.publicKey)
        let b = try Paillier.LinearModel.predict(features: x, encryptedWeights: encryptedW, bias: key.publicKey.encrypt(0.125))
        #expect(try key.decrypt(b).doubleValue == expected)
        let rows = try Paillier.LinearModel.predict(rows: [x, [1, 1, 1]], encryptedWeights: encryptedW, featureExponent: -4)
        #expect(try rows.map { try key.decrypt($0).doubleValue } == [expected - 0.125, -3.5])
    }

    @Test func linearRegressionGradientMatchesThePlainGradient() throws {
        let key = try #require(SharedKeys.generated)
        let layout = Paillier.FixedPointLayout(weightExponent: -6, featureExponent: -3)
        let aggregation = try Paillier.SecureAggregation(
            publicKey: key.publicKey, exponent: layout.gradientExponent(for: .linearRegression),
            perPartyBound: 1e6, maxParties: 3)
        let weights = [0.5, -1.25, 2.0]
        let rows = [[1, 0.5, -1], [1, 2, 0.25], [1, -0.75, 1.5]]
        let labels = [1.0, -2.0, 0.5]
        let encoded = try weights.map { w throws(HEError) in try Paillier.EncodedNumber.encode(w, atExponent: -6, publicKey: key.publicKey) }
        let encryptedWeights = try Paillier.EncryptedVector(key.encryptBatch(encoded))
        let gradient = try Paillier.Gradient.compute(
            model: .linearRegression, encryptedWeights: encryptedWeights, rows: rows, labels: labels,
            layout: layout, weightBound: 5, aggregation: aggregation)
        var expected = [0.0, 0, 0]
        for (row, y) in zip(rows, labels) {
            let r = zip(weights, row).reduce(0) { $0 + $1.0 * $1.1 } - y
            for j in 0..<3 { expected[j] += r * row[j] }
        }
        #expect(try key.decrypt(gradient).map(\.doubleValue) == expected)  // dyadic: exact
        #expect(gradient.elements.allSatisfy { $0.exponent == aggregation.exponent })
    }

    @Test func aggregationRefusesABoundThatCouldWrapModuloN() throws {
        let pk = try #require(SharedKeys.generated).publicKey
        // 1e280 · 16^25 ≈ 2^1030 > n/3 for a 1024-bit key.
        #expect(throws: HEError.self) {
            try Paillier.SecureAggregation(publicKey: pk, exponent: -25, perPartyBound: 1e280, maxParties: 1)
        }
        let limit = Paillier.SecureAggregation.largestPartyCount(publicKey: pk, exponent: -25, perPartyBound: 1e200)
        let fits = try #require(limit.intValue == nil ? Int.max : limit.intValue)
        if fits < Int.max {
            _ = try Paillier.SecureAggregation(publicKey: pk, exponent: -25, perPartyBound: 1e200, maxParties: fits)
            #expect(throws: HEError.self) {
                try Paillier.SecureAggregation(publicKey: pk, exponent: -25, perPartyBound: 1e200, maxParties: fits + 1)
            }
        }
        let bound = BigInteger.scaled(1e280, byPowerOf16: 25, rounding: .up)
        #expect(throws: HEError.aggregationBoundExceeded(parties: 2, boundBits: bound.bitWidth, limitBits: pk.maxInt.bitWidth)) {
            try Paillier.SecureAggregation(publicKey: pk, exponent: -25, perPartyBound: 1e280, maxParties: 2)
        }
    }

    @Test func aggregationRefusesTooManyPartiesWrongExponentsAndLargeGradients() throws {
        let key = try #require(SharedKeys.generated)
        let pk = key.publicKey
        let aggregation = try Paillier.SecureAggregation(publicKey: pk, exponent: -4, perPartyBound: 10, maxParties: 2)
        let g = try Paillier.EncryptedVector([pk.encrypt(Paillier.EncodedNumber.encode(1.0, atExponent: -4, publicKey: pk))])
        #expect(try key.decrypt(aggregation.aggregate([g, g])).map(\.doubleValue) == [2])
        #expect(throws: HEError.self) { try aggregation.aggregate([g, g, g]) }
        let wrong = try Paillier.EncryptedVector([pk.encrypt(1.5)])
        #expect(throws: HEError.exponentMismatch(field: "gradients[1]", expected: -4, found: wrong.elements[0].exponent)) {
            try aggregation.aggregate([g, wrong])
        }
        #expect(throws: HEError.emptyInput(field: "gradients")) { try aggregation.aggregate([]) }
        // An owner whose data could push a component past the per-party bound refuses to compute.
        let layout = Paillier.FixedPointLayout(weightExponent: -2, featureExponent: -1)
        let wide = try Paillier.SecureAggregation(publicKey: pk, exponent: layout.gradientExponent(for: .linearRegression), perPartyBound: 10, maxParties: 2)
        let weights = try Paillier.EncryptedVector([pk.encrypt(Paillier.EncodedNumber.encode(1.0, atExponent: -2, publicKey: pk))])
        #expect(throws: HEError.self) {
            try Paillier.Gradient.compute(model: .linearRegression, encryptedWeights: weights, rows: [[100]], labels: [0],
                                          layout: layout, weightBound: 1, aggregation: wide)
        }
    }
}
