import Foundation
import Testing
@testable import HECore

/// Vectors produced by python-paillier (phe 1.5.0); see `Fixtures/README.md`.
@Suite struct PheInteropTests {
    @Test func pheKeyFilesLoadAndMatchEachOther() throws {
        let privateKey = try Fixtures.privateKey()
        let publicKey = try Paillier.PublicKey(jwk: Fixtures.data("public.json"))
        #expect(privateKey.publicKey == publicKey)
        #expect(publicKey.bits == 1024)
        #expect(privateKey.p * privateKey.q == publicKey.n)
        #expect(publicKey.maxInt == publicKey.n.floorDivided(by: BigInteger(3)).map { $0 - .one })
    }

    @Test func pheCiphertextsDecryptToTheExactValues() throws {
        let key = try Fixtures.privateKey()
        let entries = try #require(Fixtures.json("phe_ciphertexts.json") as? [[String: Any]])
        #expect(entries.count == 29)
        for entry in entries {
            let expected = try #require(entry["expected"] as? String)
            let object = try #require(entry["ciphertext"])
            let data = try JSONSerialization.data(withJSONObject: object)
            let number = try Paillier.EncryptedNumber(json: data, publicKey: key.publicKey)
            let decrypted = try key.decrypt(number)
            switch decrypted {
            case .integer(let value):
                if let exact = try? BigInteger(decimal: expected) {
                    #expect(value == exact, "\(entry)")
                } else {
                    // A large float that phe encodes at a positive exponent decrypts (in phe
                    // too) to the exact integer value of that float.
                    let wanted = try #require(Double(expected))
                    let (significand, binary) = BigInteger.exactParts(of: wanted)
                    #expect(value == significand.shifted(by: binary), "\(entry)")
                }
            case .double(let value):
                let wanted = try #require(Double(expected))
                #expect(value == wanted && value.sign == wanted.sign, "\(expected) decrypted as \(value)")
            }
        }
    }

    @Test func encryptionWithAFixedRandomnessGivesPheRawEncryptBitForBit() throws {
        let key = try Fixtures.privateKey().publicKey
        let vectors = try #require(Fixtures.json("fixed_r.json") as? [[String: String]])
        #expect(vectors.count == 5)
        for vector in vectors {
            let m = try BigInteger(decimal: vector["m"] ?? "")
            let r = try BigInteger(decimal: vector["r"] ?? "")
            let expected = try BigInteger(decimal: vector["c"] ?? "")
            let encoded = try Paillier.EncodedNumber(publicKey: key, encoding: m, exponent: 0)
            #expect(try key.encrypt(encoded, randomness: r).ciphertext == expected)
            // and the formula itself: (1 + n·m) · rⁿ mod n²
            let formula = ((BigInteger.one + key.n * m) * (r.power(key.n, modulo: key.nSquared) ?? .zero))
                .modulo(key.nSquared)
            #expect(formula == expected)
        }
    }

    /// The cases of one section ("encode" or "decode") of `encodings.json`, expecting `count` of them.
    static func encodingCases(_ section: String, count: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let root = try #require(Fixtures.json("encodings.json") as? [String: Any], sourceLocation: sourceLocation)
        let cases = try #require(root[section] as? [[String: Any]], sourceLocation: sourceLocation)
        #expect(cases.count == count, sourceLocation: sourceLocation)
        return cases
    }

    @Test func encodingsMatchPheEncodedNumberEncode() throws {
        let key = try Fixtures.privateKey().publicKey
        let cases = try Self.encodingCases("encode", count: 24)
        for item in cases {
            let text = try #require(item["value"] as? String)
            let precision = item["precision"] as? Double
            let maxExponent = item["max_exponent"] as? Int
            let encoded: Paillier.EncodedNumber
            if item["kind"] as? String == "int" {
                encoded = try .encode(BigInteger(decimal: text), publicKey: key, precision: precision, maxExponent: maxExponent)
            } else {
                encoded = try .encode(try #require(Double(text)), publicKey: key, precision: precision, maxExponent: maxExponent)
            }
            #expect(encoded.encoding.decimalString == item["encoding"] as? String, "\(item)")
            #expect(encoded.exponent == item["exponent"] as? Int, "\(item)")
        }
    }

    @Test func decodingMatchesPheIncludingTiesSubnormalsAndOverflow() throws {
        let key = try Fixtures.privateKey().publicKey
        let cases = try Self.encodingCases("decode", count: 85)
        for item in cases {
            let encoding = try BigInteger(decimal: item["encoding"] as? String ?? "")
            let exponent = try #require(item["exponent"] as? Int)
            let expected = try #require(item["decoded"] as? String)
            let encoded = try Paillier.EncodedNumber(publicKey: key, encoding: encoding, exponent: exponent)
            if expected == "overflow" {
                #expect(throws: HEError.self) { try encoded.decode() }
                continue
            }
            guard case .double(let value) = try encoded.decode() else {
                Issue.record("expected a Double for \(item)")
                continue
            }
            let wanted = try #require(Double(expected))
            #expect(value == wanted && value.sign == wanted.sign, "\(item) gave \(value)")
        }
    }

    /// Ciphertexts made by HECore (dmctl he encrypt) that phe 1.5.0 decrypted to the recorded values.
    @Test func hecoreCiphertextsThatPheDecryptedAlsoDecryptHere() throws {
        let key = try Fixtures.privateKey()
        let entries = try #require(Fixtures.json("hecore_ciphertexts_checked_by_phe.json") as? [[String: Any]])
        #expect(entries.count >= 10)
        for entry in entries {
            let expected = try #require(entry["expected"] as? String)
            #expect(entry["phe_decrypted"] as? String == expected, "phe disagreed: \(entry)")
            let data = try JSONSerialization.data(withJSONObject: try #require(entry["ciphertext"]))
            let decrypted = try key.decrypt(Paillier.EncryptedNumber(json: data, publicKey: key.publicKey))
            #expect(decrypted.description == expected || Double(decrypted.description) == Double(expected))
        }
    }

    @Test func ownKeyFilesRoundTripThroughTheJWKFormat() throws {
        let key = try Fixtures.privateKey()
        let again = try Paillier.PrivateKey(jwk: key.jwk())
        #expect(again == key)
        let object = try #require(JSONSerialization.jsonObject(with: key.publicKey.jwk()) as? [String: Any])
        #expect(object["kty"] as? String == "DAJ")
        #expect(object["alg"] as? String == "PAI-GN1")
        #expect(object["key_ops"] as? [String] == ["encrypt"])
        #expect(object["n"] as? String == key.publicKey.n.base64URLString)
    }
}
