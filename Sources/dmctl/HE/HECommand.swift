import ArgumentParser
import Foundation
import HECore

/// `dmctl he`: Paillier tools over python-paillier (pheutil) JSON files.
struct HECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "he",
        abstract: "Paillier homomorphic encryption over pheutil-compatible JSON files.",
        discussion: """
            Keys and ciphertexts use python-paillier's pheutil formats, so files made here \
            work with `pheutil` and `phe`, and the other way round.

            Example:
              dmctl he keygen --out keys
              dmctl he encrypt --key keys/public.json 2.5 > a.json
              dmctl he encrypt --key keys/public.json -- -4 > b.json
              dmctl he add --key keys/public.json a.json b.json > sum.json
              dmctl he decrypt --key keys/private.json sum.json     # -1.5

            Packed vectors (many quantised values a ciphertext; addition only):
              dmctl he encrypt --key keys/public.json --packed --bits 32 --parties 2 --range 8 -- 1.5,-2 > p1.json
              dmctl he encrypt --key keys/public.json --packed --bits 32 --parties 2 --range 8 -- 0.5,4 > p2.json
              dmctl he add --key keys/public.json p1.json p2.json > psum.json
              dmctl he decrypt --key keys/private.json psum.json    # 2.0,2.0 (to the step)
            """,
        subcommands: [
            HEKeygen.self, HEEncrypt.self, HEDecrypt.self, HEAdd.self, HEMul.self, HEDot.self,
        ])
}

/// Shared helpers of the `he` commands.
enum HEFiles {
    /// The bytes of `path`, or a storage error naming the file.
    static func read(_ path: String, what: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIError.storage("\(what): cannot read \(path) (\(error.localizedDescription)), expected a readable file")
        }
    }

    /// Loads a public key file (a private key file is accepted too: its `pub` is used).
    static func publicKey(_ path: String) throws -> Paillier.PublicKey {
        let data = try read(path, what: "--key")
        if let key = try? Paillier.PublicKey(jwk: data) { return key }
        if let key = try? Paillier.PrivateKey(jwk: data) { return key.publicKey }
        return try Paillier.PublicKey(jwk: data)  // rethrows the public-key error, naming the field
    }

    /// Loads a private key file.
    static func privateKey(_ path: String) throws -> Paillier.PrivateKey {
        try Paillier.PrivateKey(jwk: read(path, what: "--key"))
    }

    /// Loads a ciphertext file for `key`.
    static func ciphertext(_ path: String, key: Paillier.PublicKey) throws -> Paillier.EncryptedNumber {
        do {
            return try Paillier.EncryptedNumber(json: read(path, what: "ciphertext"), publicKey: key)
        } catch let error as HEError {
            throw CLIError.usage("\(path): \(error)")
        }
    }

    /// Encodes a command-line number: an integer exactly at exponent 0, a decimal number as a Double.
    static func encode(_ text: String, field: String, key: Paillier.PublicKey) throws -> Paillier.EncodedNumber {
        if let integer = try? BigInteger(decimal: text) {
            return try Paillier.EncodedNumber.encode(integer, publicKey: key)
        }
        guard let value = Double(text), value.isFinite, !text.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) else {
            throw CLIError.usage("\(field): '\(text)' is not a number, expected an integer or a decimal number such as -12 or 3.5")
        }
        return try Paillier.EncodedNumber.encode(value, publicKey: key)
    }

    /// Whether a file holds a packed vector (its JSON has a `packing` object) rather than one
    /// pheutil ciphertext.
    static func isPacked(_ data: Data) -> Bool {
        ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["packing"] != nil
    }

    /// Loads a packed-vector file for `key`.
    static func packed(_ path: String, key: Paillier.PublicKey) throws -> Paillier.PackedVector {
        do {
            return try Paillier.PackedVector(json: read(path, what: "packed vector"), publicKey: key)
        } catch let error as HEError {
            throw CLIError.usage("\(path): \(error)")
        }
    }

    /// Prints a packed vector as one line of its JSON form.
    static func print(_ vector: Paillier.PackedVector) {
        FileHandle.standardOutput.write(vector.json())
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// Prints a ciphertext as one line of pheutil JSON (the same with or without --json).
    static func print(_ number: Paillier.EncryptedNumber) {
        FileHandle.standardOutput.write(number.json())
        FileHandle.standardOutput.write(Data("\n".utf8))
    }
}
