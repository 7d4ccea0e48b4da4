import Foundation

/// The canonical JSON form of a value: keys sorted, no insignificant white space, slashes
/// unescaped. Call payloads and state pieces are hashed in this form.
///
/// Decoding is strict: the bytes must be exactly the canonical encoding of the value they
/// decode to, so one call has one encoding and one hash.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// Decodes `bytes` and refuses them unless they are the canonical encoding.
    public static func decode<T: Codable>(_ type: T.Type, from bytes: [UInt8], field: String) throws(TransactionError) -> T {
        let value: T
        do {
            value = try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            throw .malformedCall(field: field, reason: describe(error))
        }
        guard let again = try? encode(value), again == bytes else {
            throw .nonCanonicalCall(field: field)
        }
        return value
    }

    /// A one-line account of a decoding error: the path to the offending field and why.
    public static func describe(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "top level" : p
        }
        switch e {
        case .typeMismatch(let t, let c): return "\(path(c)): expected \(t); \(c.debugDescription)"
        case .valueNotFound(let t, let c): return "\(path(c)): missing \(t)"
        case .keyNotFound(let k, let c): return "\(path(c)): missing key '\(k.stringValue)'"
        case .dataCorrupted(let c): return "\(path(c)): \(c.debugDescription)"
        @unknown default: return "\(e)"
        }
    }

    /// A request body's decoding error as the HTTP servers (datatrust, node, model host) report
    /// it: the field path, then what was missing or expected.
    package static func describeBody(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "" : "\(p): "
        }
        switch error {
        case .dataCorrupted(let c): return "\(path(c))\(c.debugDescription)"
        case .keyNotFound(let key, let c): return "\(path(c))missing field \"\(key.stringValue)\""
        case .typeMismatch(let type, let c): return "\(path(c))expected \(type)"
        case .valueNotFound(let type, let c): return "\(path(c))expected a \(type), found null"
        @unknown default: return "malformed JSON"
        }
    }
}
