public import HECore

// Encrypted inference over HECore's Paillier scheme, both ways round:
//
// 1. Encrypted inputs: the user encrypts a row under their own key and sends the ciphertexts;
//    the host computes Enc(W·x + b) with ciphertext-by-plaintext products and sums, and returns
//    ciphertexts only the user can decrypt. The host never sees x or the scores.
// 2. Encrypted weights: the model owner encrypts W and b under their key and hands them to a
//    compute provider, which scores plaintext rows into Enc(W·x + b) without reading the model.
//
// Paillier adds and scales, so only the affine part is evaluated; the activation (logistic,
// softmax, ReLU) is applied by the key holder after decryption. Values are fixed-point with
// base-16 exponents (phe's encoding); decrypted scores match the float model to about 1e-9
// relative at the default precision.

extension LinearLayer {
    /// Host side of (1): encrypted scores Enc(W·x + b) for an encrypted row.
    ///
    /// - Throws: `HEError.lengthMismatch` when the row has a different feature count.
    public func scores(encryptedFeatures row: Paillier.EncryptedVector) throws(HEError) -> [Paillier.EncryptedNumber] {
        var out: [Paillier.EncryptedNumber] = []
        out.reserveCapacity(weights.count)
        for (w, b) in zip(weights, biases) {
            out.append(try Paillier.LinearModel.predict(encryptedFeatures: row, weights: w, bias: b))
        }
        return out
    }

    /// Owner side of (2): the layer encrypted under the owner's public key.
    ///
    /// - Throws: HECore encoding errors (a non-finite or too large weight).
    public func encrypted(under publicKey: Paillier.PublicKey) throws(HEError) -> EncryptedLinearLayer {
        var rows: [Paillier.EncryptedVector] = []
        var biases: [Paillier.EncryptedNumber] = []
        for (w, b) in zip(weights, self.biases) {
            rows.append(try Paillier.EncryptedVector.encrypt(w, publicKey: publicKey))
            biases.append(try publicKey.encrypt(b))
        }
        return EncryptedLinearLayer(unchecked: rows, biases: biases)
    }
}

/// A linear layer whose weights and biases are Paillier ciphertexts: a compute provider can
/// score plaintext rows with it but cannot read the model.
public struct EncryptedLinearLayer: Sendable, Hashable {
    /// One encrypted weight vector per output.
    public let weights: [Paillier.EncryptedVector]
    /// One encrypted bias per output.
    public let biases: [Paillier.EncryptedNumber]

    /// A layer from its ciphertexts (e.g. as received from the model owner).
    ///
    /// - Throws: `shapeMismatch` unless there is one bias per weight row, every row has the same
    ///   non-zero length, and every ciphertext is under the same key.
    public init(weights: [Paillier.EncryptedVector], biases: [Paillier.EncryptedNumber]) throws(ONNXError) {
        let width = weights.first?.count ?? 0
        guard !weights.isEmpty, width > 0, weights.allSatisfy({ $0.count == width }), biases.count == weights.count else {
            throw .shapeMismatch(node: "encrypted layer", reason: "\(weights.count) weight rows of lengths \(Set(weights.map(\.count)).sorted()) and \(biases.count) biases; expected equal non-empty rows and one bias per row")
        }
        let key = weights[0].publicKey
        guard weights.allSatisfy({ $0.publicKey == key }), biases.allSatisfy({ $0.publicKey == key }) else {
            throw .shapeMismatch(node: "encrypted layer", reason: "ciphertexts under different keys; expected one key for every weight and bias")
        }
        self.weights = weights
        self.biases = biases
    }

    /// The number of input features.
    public var features: Int { weights.first?.count ?? 0 }

    /// The key the weights are encrypted under (the only key that decrypts the scores).
    public var publicKey: Paillier.PublicKey? { weights.first?.publicKey }

    /// A layer built by ``LinearLayer/encrypted(under:)`` (consistent by construction).
    init(unchecked weights: [Paillier.EncryptedVector], biases: [Paillier.EncryptedNumber]) {
        self.weights = weights
        self.biases = biases
    }

    /// Compute-provider side of (2): Enc(W·x + b) for a plaintext row.
    ///
    /// - Throws: `HEError.lengthMismatch` when the row has a different feature count.
    public func scores(features row: [Double]) throws(HEError) -> [Paillier.EncryptedNumber] {
        var out: [Paillier.EncryptedNumber] = []
        out.reserveCapacity(weights.count)
        for (w, b) in zip(weights, biases) {
            out.append(try Paillier.LinearModel.predict(features: row, encryptedWeights: w, bias: b))
        }
        return out
    }
}
