import Foundation

/// A JSON value as decoded, keeping integers apart from other numbers and booleans apart from
/// numbers, so a schema check can tell `"integer"` from `"number"` and `true` from `1`.
indirect enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case integer(String)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let u = try? c.decode(UInt64.self) { self = .integer("\(u)"); return }
        if let i = try? c.decode(Int64.self) { self = .integer("\(i)"); return }
        if let d = try? c.decode(Double.self) { self = .number(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        self = .object(try c.decode([String: JSONValue].self))
    }

    /// Parses `data`, or nil when it is not JSON.
    static func parse(_ data: Data) -> JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: data) }
}

/// Checks a JSON value against the subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it)
/// that the node's document uses: `$ref`, `type` (one or several), `required`, `properties`,
/// `additionalProperties`, `items`, `enum`, `pattern`, `minimum`, `maximum`, `minLength`,
/// `maxLength`, `oneOf` and `anyOf`. Returns what does not match, as `path: problem` lines.
struct SchemaCheck {
    /// The whole document, for `$ref`.
    let document: [String: Any]

    func problems(_ value: JSONValue, _ schema: [String: Any], at path: String = "$") -> [String] {
        if let ref = schema["$ref"] as? String {
            guard let target = resolve(ref) else { return ["\(path): unresolvable $ref \(ref)"] }
            return problems(value, target, at: path)
        }
        if let choices = schema["oneOf"] as? [[String: Any]] {
            let fits = choices.filter { problems(value, $0, at: path).isEmpty }.count
            return fits == 1 ? [] : ["\(path): matches \(fits) of the \(choices.count) oneOf schemas, expected exactly 1"]
        }
        if let choices = schema["anyOf"] as? [[String: Any]], !choices.contains(where: { problems(value, $0, at: path).isEmpty }) {
            return ["\(path): matches none of the \(choices.count) anyOf schemas"]
        }
        var out: [String] = []
        if let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map({ [$0] }) {
            guard types.contains(where: { matches(value, type: $0) }) else { return ["\(path): \(kind(value)), expected \(types.joined(separator: " or "))"] }
        }
        if let allowed = schema["enum"] as? [String] {
            if case .string(let s) = value, !allowed.contains(s) { out.append("\(path): \"\(s)\" is not one of \(allowed)") }
        }
        switch value {
        case .string(let s):
            if let pattern = schema["pattern"] as? String, s.range(of: pattern, options: .regularExpression) == nil {
                out.append("\(path): \"\(s.prefix(80))\" does not match \(pattern)")
            }
            if let min = schema["minLength"] as? Int, s.count < min { out.append("\(path): shorter than \(min)") }
            if let max = schema["maxLength"] as? Int, s.count > max { out.append("\(path): longer than \(max)") }
        case .integer(let text):
            if let min = schema["minimum"] as? Int, let v = Int64(text), v < min { out.append("\(path): \(v) below the minimum \(min)") }
            if let max = schema["maximum"] as? Int, let v = Int64(text), v > max { out.append("\(path): \(v) above the maximum \(max)") }
        case .array(let items):
            if let itemSchema = schema["items"] as? [String: Any] {
                for (i, item) in items.enumerated() { out += problems(item, itemSchema, at: "\(path)[\(i)]") }
            }
        case .object(let fields):
            for name in schema["required"] as? [String] ?? [] where fields[name] == nil { out.append("\(path): missing required \"\(name)\"") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (name, field) in fields {
                if let sub = properties[name] as? [String: Any] {
                    out += problems(field, sub, at: "\(path).\(name)")
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    out += problems(field, extra, at: "\(path).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    out.append("\(path): unexpected property \"\(name)\"")
                }
            }
        default:
            break
        }
        return out
    }

    private func resolve(_ ref: String) -> [String: Any]? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: Any = document
        for part in ref.dropFirst(2).split(separator: "/") {
            guard let next = (node as? [String: Any])?[String(part)] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    private func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("integer", .integer), ("number", .integer), ("number", .number),
             ("string", .string), ("array", .array), ("object", .object): true
        default: false
        }
    }

    private func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
