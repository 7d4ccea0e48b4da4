import Foundation
import Testing
import LedgerCore

@Suite struct StateMapTests {
    @Test func encodingAndIterationAreInKeyOrderWhateverTheInsertionOrder() throws {
        var rng = SplitMix64(seed: 42)
        let pairs = (0..<500).map { _ in (UInt64.random(in: 0...1_000_000, using: &rng), UInt64.random(in: 0...9, using: &rng)) }
        let unique = Dictionary(pairs, uniquingKeysWith: { a, _ in a }).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        var forward = StateMap<UInt64, UInt64>()
        for (k, v) in unique { forward[k] = v }
        var backward = StateMap<UInt64, UInt64>()
        for (k, v) in unique.shuffled(using: &rng) { backward[k] = v }
        #expect(forward == backward)
        #expect(forward.keys == unique.map(\.0))
        #expect(try CanonicalJSON.encode(forward) == CanonicalJSON.encode(backward))
        #expect(forward.sorted.map(\.key) == backward.sorted.map(\.key))
    }

    @Test func aCopyIsIndependent() {
        var a: StateMap<String, Int> = ["x": 1, "y": 2]
        var b = a
        b["x"] = 10
        b["z"] = 3
        a["y"] = nil
        #expect(a.sorted.map(\.key) == ["x"])
        #expect(a["x"] == 1)
        #expect(b.sorted.map { "\($0.key)=\($0.value)" } == ["x=10", "y=2", "z=3"])
        #expect(b.removeValue(forKey: "z") == 3)
        #expect(!b.contains("z"))
        #expect(b[ "q", default: 7] == 7)
    }

    @Test func decodingRoundTripsAndRefusesADuplicateKey() throws {
        let map: StateMap<String, UInt64> = ["b": 2, "a": 1]
        let bytes = try CanonicalJSON.encode(map)
        #expect(String(decoding: bytes, as: UTF8.self) == #"[{"key":"a","value":1},{"key":"b","value":2}]"#)
        #expect(try JSONDecoder().decode(StateMap<String, UInt64>.self, from: Data(bytes)) == map)
        let duplicate = Data(#"[{"key":"a","value":1},{"key":"a","value":2}]"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(StateMap<String, UInt64>.self, from: duplicate) }
    }

    @Test func filterAndValuesFollowKeyOrder() {
        let map = StateMap((1...20).reversed().map { (UInt64($0), $0 * 10) })
        #expect(map.values == (1...20).map { $0 * 10 })
        #expect(map.filter { k, _ in k % 5 == 0 }.map(\.key) == [5, 10, 15, 20])
        #expect(map.count == 20)
    }
}
