import Foundation

/// Parses and validates a datapoint's bytes against a ``MarketSchema``. A refusal names the
/// row (1-based, not counting the CSV header) and the column.
package enum RowParser {
    /// The rows of `data`, each a value per schema column.
    /// - Throws: ``DatatrustError/unprocessable(_:)`` naming the row and column of the first fault.
    package static func parse(_ data: [UInt8], schema: MarketSchema) throws(DatatrustError) -> [[SQLValue]] {
        var stream = RowStream(schema: schema)
        var rows: [[SQLValue]] = []
        let failure: DatatrustError? = data.withUnsafeBytes { bytes in
            do throws(DatatrustError) { try stream.feed(bytes) { rows.append($0) } } catch { return error }
            return nil
        }
        if let failure { throw failure }
        try stream.finish { rows.append($0) }
        return rows
    }

    // MARK: - JSON lines

    private enum Scalar: Decodable {
        case null, bool(Bool), integer(Int64), real(Double), text(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let i = try? c.decode(Int64.self) {
                self = .integer(i)
            } else if let d = try? c.decode(Double.self) { self = .real(d) } else if let s = try? c.decode(String.self) { self = .text(s) } else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a JSON scalar, not an array or object")
            }
        }
    }

    /// The values of one JSON-lines row (`line` without its line feed).
    static func jsonRow(_ line: [UInt8], row: Int, schema: MarketSchema) throws(DatatrustError) -> [SQLValue] {
        let object: [String: Scalar]
        do { object = try JSONDecoder().decode([String: Scalar].self, from: Data(line)) } catch {
            throw .unprocessable("row \(row): not a JSON object of scalars; expected {\"column\": value, …}")
        }
        for key in object.keys.sorted() where schema.column(named: key) == nil {
            throw .unprocessable("row \(row), column \(key): not in the schema; expected only \(schema.columns.map(\.name))")
        }
        var values: [SQLValue] = []
        for column in schema.columns {
            let raw: SQLValue?
            switch object[column.name] ?? .null {
            case .null: raw = nil
            case .bool(let b):
                guard column.type == .boolean else {
                    throw .unprocessable("row \(row), column \(column.name): a boolean, expected \(column.type.rawValue)")
                }
                raw = .integer(b ? 1 : 0)
            case .integer(let i): raw = .integer(i)
            case .real(let d): raw = .real(d)
            case .text(let s): raw = .text(s)
            }
            values.append(try convert(raw, column: column, row: row))
        }
        return values
    }

    // MARK: - Typing and constraints

    static func convert(_ raw: SQLValue?, column: MarketSchema.Column, row: Int) throws(DatatrustError) -> SQLValue {
        // Built only for a refusal: this runs for every value of a large upload.
        func at() -> String { "row \(row), column \(column.name)" }
        guard let raw else {
            guard column.nullable else { throw .unprocessable("\(at()): missing value; expected a \(column.type.rawValue) (column is not nullable)") }
            return .null
        }
        switch column.type {
        case .integer:
            let value: Int64
            switch raw {
            case .integer(let i): value = i
            case .text(let s):
                guard let i = Int64(s) else { throw .unprocessable("\(at()): \"\(s.prefix(40))\" is not an integer") }
                value = i
            default: throw .unprocessable("\(at()): expected an integer")
            }
            try checkBounds(Double(value), column: column, at: at())
            return .integer(value)
        case .real:
            let value: Double
            switch raw {
            case .integer(let i): value = Double(i)
            case .real(let d): value = d
            case .text(let s):
                guard let d = Double(s) else { throw .unprocessable("\(at()): \"\(s.prefix(40))\" is not a number") }
                value = d
            default: throw .unprocessable("\(at()): expected a number")
            }
            guard value.isFinite else { throw .unprocessable("\(at()): \(value) is not finite; expected a finite number") }
            try checkBounds(value, column: column, at: at())
            return .real(value)
        case .boolean:
            switch raw {
            case .integer(let i) where i == 0 || i == 1: return .integer(i)
            case .text(let s) where ["true", "1"].contains(s.lowercased()): return .integer(1)
            case .text(let s) where ["false", "0"].contains(s.lowercased()): return .integer(0)
            default: throw .unprocessable("\(at()): expected true/false or 1/0")
            }
        case .text, .label:
            let s: String
            switch raw {
            case .text(let t): s = t
            case .integer(let i) where column.type == .label: s = String(i)
            default: throw .unprocessable("\(at()): expected a string")
            }
            if let limit = column.maxLength, s.utf8.count > limit {
                throw .unprocessable("\(at()): text is \(s.utf8.count) bytes, expected at most \(limit)")
            }
            if column.type == .label, let labels = column.labels, !labels.contains(s) {
                throw .unprocessable("\(at()): \"\(s.prefix(40))\" is not a declared label; expected one of \(labels)")
            }
            return .text(s)
        }
    }

    private static func checkBounds(_ value: Double, column: MarketSchema.Column, at: @autoclosure () -> String) throws(DatatrustError) {
        if let lo = column.min, value < lo { throw .unprocessable("\(at()): \(value) is below the minimum \(lo)") }
        if let hi = column.max, value > hi { throw .unprocessable("\(at()): \(value) is above the maximum \(hi)") }
    }
}
