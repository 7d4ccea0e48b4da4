// PaillierQuickStart: additively homomorphic encryption with HECore.
//
//     swift run PaillierQuickStart
//
// Generates a key, encrypts integers and doubles, computes on the ciphertexts (sum, scalar
// product, dot product), decrypts, round-trips keys and a ciphertext through python-paillier's
// JSON (pheutil), and scores one encrypted row with a plaintext linear model.

import Foundation
import HECore

func show(_ label: String, _ value: some CustomStringConvertible) {
    print("  \(label.padding(toLength: 28, withPad: " ", startingAt: 0)) = \(value)")
}

func run() throws(HEError) {
    // MARK: - Keys
    // 2048 bits is the default; 1024 keeps the example quick (use 2048+ for real data).
    print("1. key generation (1024 bits)")
    let privateKey = try Paillier.PrivateKey.generate(bits: 1024)
    let publicKey = privateKey.publicKey
    print("  modulus: \(publicKey.bits) bits, fingerprint \(publicKey.fingerprint)")

    // MARK: - Encrypt, add, multiply by a plaintext
    print("2. arithmetic on ciphertexts")
    let a = try publicKey.encrypt(42)          // an Int, encoded at exponent 0
    let b = try publicKey.encrypt(-17)         // negatives are stored as n - |x|
    let x = try publicKey.encrypt(3.25)        // a Double, encoded exactly as phe does
    show("42 + (-17)", try privateKey.decrypt(try a.adding(b)))
    show("42 - (-17)", try privateKey.decrypt(try a.subtracting(b)))
    show("3.25 + 0.5 (plaintext)", try privateKey.decrypt(try x.adding(0.5)))
    show("3.25 * 4 (plaintext)", try privateKey.decrypt(try x.multiplied(by: 4.0)))
    show("-17 * 1.5 (plaintext)", try privateKey.decrypt(try b.multiplied(by: 1.5)))

    // MARK: - Vectors and a dot product
    print("3. encrypted vector and dot product")
    let values = [1.5, -2.0, 0.25, 10.0]
    let weights = [2.0, 0.5, 4.0, -0.1]
    let vector = try Paillier.EncryptedVector.encrypt(values, publicKey: publicKey)
    let dot = try vector.dot(weights)
    let expected = zip(values, weights).map(*).reduce(0, +)
    show("E(v) . w", try privateKey.decrypt(dot))
    show("plaintext check", expected)
    let doubled = try privateKey.decrypt(try vector.adding(vector)).map(\.doubleValue)
    print("  E(v) + E(v) decrypts to      \(doubled)")

    // MARK: - python-paillier JSON
    print("4. pheutil JSON round trip")
    let publicJSON = publicKey.jwk()
    let privateJSON = privateKey.jwk()
    let cipherJSON = dot.json()
    print("  public key  \(publicJSON.count) bytes: \(String(decoding: publicJSON.prefix(60), as: UTF8.self))...")
    print("  ciphertext  \(cipherJSON.count) bytes, fields v, e and key")
    let publicBack = try Paillier.PublicKey(jwk: publicJSON)
    let privateBack = try Paillier.PrivateKey(jwk: privateJSON)
    let dotBack = try Paillier.EncryptedNumber(json: cipherJSON, publicKey: publicBack)
    show("decrypted after reload", try privateBack.decrypt(dotBack))
    print("  same key after reload:       \(publicBack == publicKey)")

    // MARK: - Encrypted linear inference
    // A data owner encrypts a row; the model owner scores it with plaintext weights without
    // seeing it; only the data owner can read the score.
    print("5. encrypted linear inference")
    let row = [0.8, 1.2, -0.4]
    let model = (weights: [0.5, -1.0, 2.0], bias: 0.3)
    let encryptedRow = try Paillier.EncryptedVector.encrypt(row, publicKey: publicKey)
    let score = try Paillier.LinearModel.predict(
        encryptedFeatures: encryptedRow, weights: model.weights, bias: model.bias)
    let plainScore = zip(row, model.weights).map(*).reduce(model.bias, +)
    show("w . x + b (encrypted)", try privateKey.decrypt(score))
    show("w . x + b (plaintext)", plainScore)

    // MARK: - A refusal
    print("6. a ciphertext of another key is refused")
    let otherKey = try Paillier.PrivateKey.generate(bits: 512)
    do {
        _ = try Paillier.EncryptedNumber(json: cipherJSON, publicKey: otherKey.publicKey)
        print("  unexpectedly accepted")
    } catch {
        print("  refused: \(error)")
    }
    print("PaillierQuickStart: done")
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("PaillierQuickStart failed: \(error)\n".utf8))
    exit(1)
}
