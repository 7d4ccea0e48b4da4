extension PrivateKey {
    /// A key derived deterministically from `seed` and `label`, for reproducible demos, tests
    /// and simulations only: the key is exactly as secret as the seed, so never hold value with it.
    ///
    /// The scalar is `Keccak-256(RLP["datamarket-derived-key", seed, label, counter])` for the
    /// smallest `counter` (from 0) that gives a valid key (1 ≤ k < n; a retry is needed with
    /// probability about 2^-128).
    ///
    /// ```swift
    /// let alice = PrivateKey.derived(seed: 42, label: "owner/0")   // same address on every run
    /// ```
    public static func derived(seed: UInt64, label: String) -> PrivateKey {
        var counter: UInt64 = 0
        while true {
            let material = RLP.list([.string("datamarket-derived-key"), .uint(seed), .string(label), .uint(counter)]).encoded
            if let key = try? PrivateKey(bytes: Keccak256.hash(material).bytes) { return key }
            counter &+= 1
        }
    }
}
