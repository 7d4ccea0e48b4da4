public import Foundation

extension Paillier {
    /// Encrypted packed values: ``count`` values of a ``PackingLayout``, summed over
    /// ``contributors`` parties, in ⌈count / slotsPerCiphertext⌉ ciphertexts.
    public struct PackedVector: Sendable, Hashable {
        /// The layout the values were packed with.
        public let layout: PackingLayout
        /// The ciphertexts of the packed plaintexts (exponent 0).
        public let ciphertexts: [EncryptedNumber]
        /// How many values are packed.
        public let count: Int
        /// How many parties' vectors were summed into this one (1 for a fresh encryption).
        public let contributors: Int

        /// Wraps ciphertexts received from elsewhere (for example encrypted with chosen
        /// randomness from ``PackingLayout/pack(_:)``).
        ///
        /// - Throws: `lengthMismatch` when the ciphertexts cannot hold `count` values;
        ///   `packingBoundExceeded` for contributors outside 1...maxParties; `keyMismatch`;
        ///   `exponentMismatch` for a ciphertext not at exponent 0.
        public init(layout: PackingLayout, ciphertexts: [EncryptedNumber], count: Int, contributors: Int = 1) throws(HEError) {
            let expected = layout.ciphertextCount(forValues: count)
            guard count >= 1, ciphertexts.count == expected else {
                throw .lengthMismatch(field: "ciphertexts", expected: expected, found: ciphertexts.count)
            }
            guard contributors >= 1, contributors <= layout.maxParties else {
                throw .packingBoundExceeded(field: "contributors", found: contributors, bound: layout.maxParties)
            }
            for c in ciphertexts {
                try layout.publicKey.requireSame(c.publicKey)
                guard c.exponent == 0 else { throw .exponentMismatch(field: "ciphertexts", expected: 0, found: c.exponent) }
            }
            self.init(unchecked: layout, ciphertexts: ciphertexts, count: count, contributors: contributors)
        }

        init(unchecked layout: PackingLayout, ciphertexts: [EncryptedNumber], count: Int, contributors: Int) {
            self.layout = layout
            self.ciphertexts = ciphertexts
            self.count = count
            self.contributors = contributors
        }
    }
}

/// The packed JSON form: `{"packing":{"valueBits":b,"maxParties":N,"range":r},"count":…,
/// "contributors":…,"v":["<decimal>",…],"key":"<fingerprint>"}`.
struct PackedVectorJSON: Codable {
    struct Packing: Codable {
        var valueBits: Int
        var maxParties: Int
        var range: Double
    }

    var packing: Packing
    var count: Int
    var contributors: Int
    var v: [String]
    var key: String?
}

extension Paillier.PackedVector {
    /// Reads the packed JSON form for `publicKey`; `key`, when present, must be its fingerprint.
    ///
    /// - Throws: `malformedJSON`, `malformedInteger`, `keyMismatch`, the layout's refusals and
    ///   those of ``init(layout:ciphertexts:count:contributors:)``.
    public init(json data: Data, publicKey: Paillier.PublicKey) throws(HEError) {
        let parsed = try JSONCoding.decode(PackedVectorJSON.self, from: data, document: "packed")
        if let key = parsed.key, key != publicKey.fingerprint {
            throw .keyMismatch(expected: publicKey.fingerprint, found: key)
        }
        let layout = try Paillier.PackingLayout(
            publicKey: publicKey, valueBits: parsed.packing.valueBits, maxParties: parsed.packing.maxParties,
            range: parsed.packing.range)
        var ciphertexts: [Paillier.EncryptedNumber] = []
        for (i, text) in parsed.v.enumerated() {
            ciphertexts.append(try Paillier.EncryptedNumber(
                publicKey: publicKey, ciphertext: BigInteger(decimal: text, field: "packed.v[\(i)]"), exponent: 0))
        }
        try self.init(layout: layout, ciphertexts: ciphertexts, count: parsed.count, contributors: parsed.contributors)
    }

    /// This vector in the packed JSON form (one line), with the key's fingerprint.
    public func json() -> Data {
        JSONCoding.encode(PackedVectorJSON(
            packing: .init(valueBits: layout.valueBits, maxParties: layout.maxParties, range: layout.range),
            count: count, contributors: contributors, v: ciphertexts.map(\.ciphertext.decimalString),
            key: layout.publicKey.fingerprint))
    }
}
