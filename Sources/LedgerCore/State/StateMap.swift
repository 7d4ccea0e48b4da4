public import HashTreeCollections

/// A dictionary for chain state: cheap to copy, deterministic to iterate and to encode.
///
/// Every transaction runs against a copy of the whole state and either commits it or throws
/// it away. `StateMap` makes that affordable: it stores its entries in a persistent hash tree
/// (`TreeDictionary`), so a copy costs O(1) and a change to a copy costs O(log n), whatever
/// the number of accounts. Swift seeds its hashes per process, so hash order differs from run
/// to run; `StateMap` therefore iterates and encodes in ascending key order, never hash order,
/// and the same blocks give the same bytes on every machine.
public struct StateMap<Key: Hashable & Comparable & Sendable, Value: Sendable>: Sendable {
    @usableFromInline var storage: TreeDictionary<Key, Value>

    /// An empty map.
    public init() { storage = [:] }

    /// A map holding the given pairs; later duplicates replace earlier ones.
    public init<S: Sequence>(_ pairs: S) where S.Element == (Key, Value) {
        storage = [:]
        for (k, v) in pairs { storage[k] = v }
    }

    /// The value for `key`, or nil; assigning nil removes the entry.
    @inlinable public subscript(key: Key) -> Value? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    /// The value for `key`, or `defaultValue` when absent.
    @inlinable public subscript(key: Key, default defaultValue: @autoclosure () -> Value) -> Value {
        get { storage[key] ?? defaultValue() }
        set { storage[key] = newValue }
    }

    /// The number of entries.
    public var count: Int { storage.count }

    /// Whether the map is empty.
    public var isEmpty: Bool { storage.isEmpty }

    /// Removes and returns the value for `key`.
    @discardableResult
    public mutating func removeValue(forKey key: Key) -> Value? { storage.removeValue(forKey: key) }

    /// Whether `key` has an entry.
    public func contains(_ key: Key) -> Bool { storage[key] != nil }

    /// The entries in ascending key order.
    public var sorted: [(key: Key, value: Value)] {
        storage.map { ($0.key, $0.value) }.sorted { $0.key < $1.key }
    }

    /// The keys in ascending order.
    public var keys: [Key] { storage.keys.sorted() }

    /// The values in ascending key order.
    public var values: [Value] { sorted.map(\.value) }

    /// The entries, in ascending key order, whose value satisfies `predicate`.
    public func filter(_ predicate: (Key, Value) throws -> Bool) rethrows -> [(key: Key, value: Value)] {
        try sorted.filter { try predicate($0.key, $0.value) }
    }
}

extension StateMap: Equatable where Value: Equatable {
    /// Whether both maps hold the same keys with equal values, whatever order they were written in.
    public static func == (lhs: StateMap, rhs: StateMap) -> Bool { lhs.storage == rhs.storage }
}

extension StateMap: Codable where Key: Codable, Value: Codable {
    private struct Entry: Codable {
        let key: Key
        let value: Value
    }

    /// Encodes the entries as an array in ascending key order.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for (k, v) in sorted { try container.encode(Entry(key: k, value: v)) }
    }

    /// Decodes an array of entries; a repeated key is refused.
    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        storage = [:]
        while !container.isAtEnd {
            let entry = try container.decode(Entry.self)
            guard storage.updateValue(entry.value, forKey: entry.key) == nil else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "duplicate key \(entry.key) in state map")
            }
        }
    }
}

extension StateMap: ExpressibleByDictionaryLiteral {
    /// A map from a literal.
    public init(dictionaryLiteral elements: (Key, Value)...) { self.init(elements) }
}
