import Testing
import LedgerCore

@Suite struct DerivedKeyTests {
    @Test func derivedKeyIsReproducibleAndDependsOnSeedAndLabel() {
        let a = PrivateKey.derived(seed: 42, label: "owner/0")
        #expect(a == PrivateKey.derived(seed: 42, label: "owner/0"))
        #expect(a.address != PrivateKey.derived(seed: 43, label: "owner/0").address)
        #expect(a.address != PrivateKey.derived(seed: 42, label: "owner/1").address)
    }

    @Test func derivedKeyMatchesItsDefinition() throws {
        // The first counter value gives a valid scalar for this seed and label.
        let material = RLP.list([.string("datamarket-derived-key"), .uint(7), .string("buyer"), .uint(0)]).encoded
        let expected = try PrivateKey(bytes: Keccak256.hash(material).bytes)
        #expect(PrivateKey.derived(seed: 7, label: "buyer") == expected)
    }
}
