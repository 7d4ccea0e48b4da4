import DataMarketTesting
import Foundation
import Testing
import LedgerCore

/// EIP-712 hashing in general form, against the spec's own example and eth-account's answers
/// (Fixtures/eip712-vectors.json, made by scripts/make-eip712-fixtures.py).
@Suite struct TypedDataTests {
    typealias Vector = EIP712Vector

    static func vectors() throws -> [Vector] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/eip712-vectors.json")
        struct File: Decodable { let vectors: [Vector] }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).vectors
    }

    static func mail() throws -> TypedData {
        try #require(try vectors().first { $0.name == "mail" }).typedData
    }

    @Test func theSpecMailExampleHashesAsPublished() throws {
        // Values printed in EIP-712's own example (assets/eip-712/Example.js).
        let typed = try Self.mail()
        #expect(try typed.encodeType("Mail") == "Mail(Person from,Person to,string contents)Person(string name,address wallet)")
        #expect(try typed.typeHash("Mail").hex == "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2")
        #expect(try typed.domainSeparator().hex == "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f")
        #expect(try typed.messageHash().hex == "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e")
        #expect(try typed.signingDigest().hex == "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
        // The spec signs with keccak256("cow"): v = 28, r = 0x4355…1c9d, s = 0x0729…1562.
        let cow = try PrivateKey(bytes: Keccak256.hash("cow").bytes)
        let signature = cow.sign(digest: try typed.signingDigest())
        #expect(signature.hex == "0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
            + "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b915621c")
        #expect(cow.address.checksummed == "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
    }

    @Test func everyEthAccountVectorMatchesByteForByte() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count >= 2)
        for v in vectors {
            #expect(try v.typedData.domainSeparator().hex == v.domainSeparator, "\(v.name ?? "?")")
            #expect(try v.typedData.messageHash().hex == v.messageHash, "\(v.name ?? "?")")
            #expect(try v.typedData.signingDigest().hex == v.digest, "\(v.name ?? "?")")
            let recovered = try Signature(hex: v.signature).recoverAddress(digest: try v.typedData.signingDigest())
            #expect(recovered == (try Address(v.signer)), "\(v.name ?? "?")")
        }
    }

    @Test func nestedStructsAndArraysAreEncodedInTypeOrder() throws {
        let rich = try #require(try Self.vectors().first { $0.name == "rich" }).typedData
        #expect(try rich.encodeType("Order") == "Order(Party maker,Party[] takers,uint256[2] amounts,int64 delta,int256 floor,uint8 small,"
            + "bool open,bytes blob,bytes4 tag,string[] notes)Party(address wallet,string label,Proof proof)Proof(bytes32 root,uint16 depth)")
        // Round trip through JSON keeps every hash.
        let again = try TypedData(json: try rich.json())
        #expect(again == rich)
        #expect(try again.signingDigest() == (try rich.signingDigest()))
    }

    @Test func malformedValuesAreRefusedNamingThePath() throws {
        let mail = try Self.mail()
        var missing = mail
        missing.message["contents"] = nil
        #expect(throws: TypedDataError.missingField(path: "message.contents", type: "string")) { try missing.messageHash() }
        var extra = mail
        extra.message["bcc"] = .string("eve")
        #expect(throws: TypedDataError.unexpectedField(path: "message.bcc", type: "Mail")) { try extra.messageHash() }
        var badAddress = mail
        badAddress.message["to"] = .object(["name": .string("Bob"), "wallet": .string("0x1234")])
        #expect(throws: TypedDataError.self) { try badAddress.messageHash() }
        var unknown = mail
        unknown.types["Mail"]?[2].type = "text"
        #expect(throws: TypedDataError.unknownType("text")) { try unknown.messageHash() }

        let small = TypedData(types: ["T": [.init(name: "v", type: "uint8")], "EIP712Domain": []], primaryType: "T", domain: [:], message: ["v": .unsigned(256)])
        #expect(throws: TypedDataError.invalidValue(path: "message.v", type: "uint8", reason: "256 does not fit in 8 bits")) { try small.messageHash() }
        let signed = TypedData(types: ["T": [.init(name: "v", type: "int8")]], primaryType: "T", domain: [:], message: ["v": .signed(-129)])
        #expect(throws: TypedDataError.self) { try signed.messageHash() }
        let lowest = TypedData(types: ["T": [.init(name: "v", type: "int8")]], primaryType: "T", domain: [:], message: ["v": .signed(-128)])
        _ = try lowest.messageHash()
        #expect(throws: TypedDataError.self) { try TypedData(json: Array("[]".utf8)) }
    }
}
