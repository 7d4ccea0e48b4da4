extension Paillier {
    /// A vector of ciphertexts under one public key.
    public struct EncryptedVector: Sendable, Hashable {
        /// The key every element belongs to.
        public let publicKey: PublicKey
        /// The elements.
        public let elements: [EncryptedNumber]

        /// Groups ciphertexts into a vector.
        ///
        /// - Throws: `emptyInput` for no elements; `keyMismatch` when they mix keys.
        public init(_ elements: [EncryptedNumber]) throws(HEError) {
            guard let first = elements.first else { throw .emptyInput(field: "elements") }
            for element in elements { try first.publicKey.requireSame(element.publicKey) }
            publicKey = first.publicKey
            self.elements = elements
        }

        /// Encrypts `values` (phe encoding) on all cores.
        ///
        /// - Throws: the encoding errors of ``EncodedNumber``; `emptyInput`.
        public static func encrypt(
            _ values: [Double], publicKey: PublicKey, precision: Double? = nil, using fast: FastEncryptor? = nil
        ) throws(HEError) -> EncryptedVector {
            var encodings: [EncodedNumber] = []
            encodings.reserveCapacity(values.count)
            for value in values {
                encodings.append(try EncodedNumber.encode(value, publicKey: publicKey, precision: precision))
            }
            return try EncryptedVector(publicKey.encryptBatch(encodings, using: fast))
        }

        /// The number of elements.
        public var count: Int { elements.count }

        /// Element-wise sum.
        ///
        /// - Throws: `lengthMismatch`, `keyMismatch`.
        public func adding(_ other: EncryptedVector) throws(HEError) -> EncryptedVector {
            guard other.count == count else { throw .lengthMismatch(field: "vector", expected: count, found: other.count) }
            var sums: [EncryptedNumber] = []
            sums.reserveCapacity(count)
            for (a, b) in zip(elements, other.elements) { sums.append(try a.adding(b)) }
            return try EncryptedVector(sums)
        }

        /// Every element under fresh randomness (see ``EncryptedNumber/rerandomized(using:)``),
        /// spread over all cores; with `fast`, its table serves the whole vector.
        ///
        /// - Throws: `keyMismatch` when `fast` was built for another key.
        public func rerandomized(using fast: FastEncryptor? = nil) throws(HEError) -> EncryptedVector {
            if let fast { try publicKey.requireSame(fast.publicKey) }
            let obfuscator: Obfuscator = fast.map { .fast($0) } ?? .standard(publicKey)
            let key = publicKey
            let fresh = Paillier.parallelMap(elements) { element in
                EncryptedNumber(
                    unchecked: key, ciphertext: key.multiplyModNSquared(element.ciphertext, obfuscator.randomNthResidue()),
                    exponent: element.exponent)
            }
            return try EncryptedVector(fresh)
        }

        /// Σ E(aᵢ)·bᵢ for plaintext `weights`, as one multi-exponentiation (see ``dot(encoded:)``).
        ///
        /// - Throws: `lengthMismatch`; encoding errors of the weights.
        public func dot(_ weights: [Double], precision: Double? = nil) throws(HEError) -> EncryptedNumber {
            var encoded: [EncodedNumber] = []
            encoded.reserveCapacity(weights.count)
            for weight in weights {
                encoded.append(try EncodedNumber.encode(weight, publicKey: publicKey, precision: precision))
            }
            return try dot(encoded: encoded)
        }

        /// Σ E(aᵢ)·bᵢ for plaintext encodings, computed as one multi-exponentiation (bucketed
        /// without tables when every aligned weight has at most 32 bits, as integer weights do).
        ///
        /// Every product's exponent is eᵢ + fᵢ; the result takes the smallest, E, and each
        /// plaintext mantissa is scaled by 16^(eᵢ + fᵢ − E) before exponentiation (overflow is
        /// refused). Negative mantissas are gathered into a second product that is inverted once.
        ///
        /// - Throws: `lengthMismatch`, `keyMismatch`, `exponentAlignmentOverflow`.
        public func dot(encoded weights: [EncodedNumber]) throws(HEError) -> EncryptedNumber {
            guard weights.count == count else {
                throw .lengthMismatch(field: "weights", expected: count, found: weights.count)
            }
            for weight in weights { try publicKey.requireSame(weight.publicKey) }
            let (target, positive, negative) = try Self.alignedMantissas(exponents: elements.map(\.exponent), weights: weights)
            let widest = (positive + negative).reduce(0) { max($0, $1?.bitWidth ?? 0) }
            if widest <= MultiExponentiation.shortExponentBits {
                // Short (e.g. 16-bit integer) weights: buckets, no per-base tables.
                let bases = elements.map(\.ciphertext)
                var result = MultiExponentiation.bucketProduct(bases: bases, exponents: positive, modulus: publicKey.nSquared)
                if negative.contains(where: { $0 != nil }) {
                    let denominator = MultiExponentiation.bucketProduct(bases: bases, exponents: negative, modulus: publicKey.nSquared)
                    let inverse = denominator.inverse(modulo: publicKey.nSquared) ?? denominator
                    result = publicKey.multiplyModNSquared(result, inverse)
                }
                return EncryptedNumber(unchecked: publicKey, ciphertext: result, exponent: target)
            }
            let engine = MultiExponentiation(bases: elements.map(\.ciphertext), modulus: publicKey.nSquared)
            return try Self.dot(engine: engine, exponents: elements.map(\.exponent), weights: weights, key: publicKey)
        }

        /// The common exponent of every product eᵢ + fᵢ (the smallest) and each weight's
        /// mantissa at it, split by sign (a positive and a negative magnitude, nil elsewhere).
        static func alignedMantissas(
            exponents: [Int], weights: [EncodedNumber]
        ) throws(HEError) -> (target: Int, positive: [BigInteger?], negative: [BigInteger?]) {
            var target = Int.max
            for (e, w) in zip(exponents, weights) { target = min(target, e + w.exponent) }
            try Paillier.checkExponent(target, field: "exponent")
            var positive: [BigInteger?] = []
            var negative: [BigInteger?] = []
            for (e, w) in zip(exponents, weights) {
                let mantissa = try w.decreasingExponent(to: target - e).mantissa()
                positive.append(mantissa.signum > 0 ? mantissa : nil)
                negative.append(mantissa.signum < 0 ? -mantissa : nil)
            }
            return (target, positive, negative)
        }

        /// The dot product over a prepared multi-exponentiation engine (shared by the gradients).
        static func dot(
            engine: MultiExponentiation, exponents: [Int], weights: [EncodedNumber], key: PublicKey
        ) throws(HEError) -> EncryptedNumber {
            let (target, positive, negative) = try alignedMantissas(exponents: exponents, weights: weights)
            var result = engine.evaluate(positive)
            if negative.contains(where: { $0 != nil }) {
                let denominator = engine.evaluate(negative)
                let inverse = denominator.inverse(modulo: key.nSquared) ?? denominator
                result = key.multiplyModNSquared(result, inverse)
            }
            return EncryptedNumber(unchecked: key, ciphertext: result, exponent: target)
        }
    }
}

extension Paillier.PrivateKey {
    /// Decrypts every element, spread over all cores.
    ///
    /// - Throws: the errors of ``decrypt(_:)``.
    public func decrypt(_ vector: Paillier.EncryptedVector) throws(HEError) -> [Paillier.PlainNumber] {
        let key = self
        let results = Paillier.parallelMap(vector.elements) { element in
            Result { () throws(HEError) -> Paillier.PlainNumber in try key.decrypt(element) }
        }
        var values: [Paillier.PlainNumber] = []
        values.reserveCapacity(vector.count)
        for result in results { values.append(try result.get()) }
        return values
    }
}
