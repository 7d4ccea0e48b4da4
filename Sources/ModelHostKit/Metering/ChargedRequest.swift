/// A paid call the host has already charged, remembered under the caller's request id so that a
/// retry of the same call (its answer lost to a dropped connection or a host restart) is answered
/// again without being charged again.
public struct ChargedRequest: Sendable, Equatable, Codable {
    /// The bundle the call was charged to.
    public let bundle: UInt64
    /// The uses it was charged (one per row).
    public let uses: UInt64

    /// A charged call.
    public init(bundle: UInt64, uses: UInt64) {
        self.bundle = bundle
        self.uses = uses
    }

    /// Whether `id` is an acceptable request id: 1 to 64 characters of `A–Z a–z 0–9 . _ : -`.
    public static func isValidID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x3A || c == 0x2D
        }
    }
}
