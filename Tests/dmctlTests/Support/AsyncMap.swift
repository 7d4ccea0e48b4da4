extension Sequence {
    /// `map` whose transform may suspend (a dmctl run per element); one element at a time, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
