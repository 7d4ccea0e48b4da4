import Foundation

/// Parses and validates a datapoint's bytes against a ``MarketSchema``. A refusal names the
/// row (1-based, not counting the CSV header) and the column.
public enum RowParser {
    /// The rows of `data`, each a value per schema column.
    /// - Throws: ``DatatrustError/unprocessable(_:)`` naming the row and column of the first fault.
    public static func parse(_ data: [UInt8], schema: MarketSchema) throws(DatatrustError) -> [[SQLValue]] {
        guard let text = String(validating: data, as: UTF8.self) else {
            throw .unprocessable("data: not valid UTF-8; expected \(schema.format.rawValue) text")
        }
        let rows: [[SQLValue]]
        switch schema.format {
        case .csv: rows = try parseCSV(text, schema: schema)
        case .jsonl: rows = try parseJSONLines(text, schema: schema)
        }
        guard !rows.isEmpty else { throw .unprocessable("data: no rows; expected at least one row") }
        return rows
    }

    // MARK: - CSV

    static func parseCSV(_ text: String, schema: MarketSchema) throws(DatatrustError) -> [[SQLValue]] {
        let records = try csvRecords(text)
        guard let header = records.first else { throw .unprocessable("data: empty; expected a CSV header line") }
        let names = schema.columns.map(\.name)
        guard header.map({ $0 ?? "" }) == names else {
            throw .unprocessable("header: columns \(header.map { $0 ?? "" }) do not match the schema; expected \(names)")
        }
        var out: [[SQLValue]] = []
        out.reserveCapacity(records.count - 1)
        for (index, record) in records.dropFirst().enumerated() {
            let row = index + 1
            guard record.count == names.count else {
                throw .unprocessable("row \(row): \(record.count) fields, expected \(names.count) (\(names.joined(separator: ",")))")
            }
            var values: [SQLValue] = []
            values.reserveCapacity(names.count)
            for (column, field) in zip(schema.columns, record) {
                values.append(try convert(field.flatMap { $0.isEmpty ? nil : .text($0) }, column: column, row: row))
            }
            out.append(values)
        }
        return out
    }

    /// Splits RFC 4180 CSV into records of fields; a field is nil when empty and unquoted.
    static func csvRecords(_ text: String) throws(DatatrustError) -> [[String?]] {
        var records: [[String?]] = []
        var fields: [String?] = []
        var field: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        var line = 1
        let bytes = Array(text.utf8)
        var i = 0
        func endField() {
            fields.append(field.isEmpty && !wasQuoted ? nil : String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == 0x22 {
                    if i + 1 < bytes.count && bytes[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                    quoted = false
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case 0x22:
                guard field.isEmpty, !wasQuoted else {
                    throw .unprocessable("line \(line): a quote inside an unquoted field; expected the whole field in quotes")
                }
                quoted = true
                wasQuoted = true
            case 0x2C:
                endField()
            case 0x0D where i + 1 < bytes.count && bytes[i + 1] == 0x0A:
                break
            case 0x0A:
                endField()
                records.append(fields)
                fields.removeAll(keepingCapacity: true)
                line += 1
            default:
                guard !wasQuoted else {
                    throw .unprocessable("line \(line): characters after a closing quote; expected a comma or end of line")
                }
                field.append(b)
            }
            i += 1
        }
        if quoted { throw .unprocessable("line \(line): quoted field not closed at end of data") }
        if !field.isEmpty || wasQuoted || !fields.isEmpty {
            endField()
            records.append(fields)
        }
        return records
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

    static func parseJSONLines(_ text: String, schema: MarketSchema) throws(DatatrustError) -> [[SQLValue]] {
        let decoder = JSONDecoder()
        var out: [[SQLValue]] = []
        var row = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line[...]
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            row += 1
            let object: [String: Scalar]
            do { object = try decoder.decode([String: Scalar].self, from: Data(trimmed.utf8)) } catch {
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
            out.append(values)
        }
        return out
    }

    // MARK: - Typing and constraints

    static func convert(_ raw: SQLValue?, column: MarketSchema.Column, row: Int) throws(DatatrustError) -> SQLValue {
        let at = "row \(row), column \(column.name)"
        guard let raw else {
            guard column.nullable else { throw .unprocessable("\(at): missing value; expected a \(column.type.rawValue) (column is not nullable)") }
            return .null
        }
        switch column.type {
        case .integer:
            let value: Int64
            switch raw {
            case .integer(let i): value = i
            case .text(let s):
                guard let i = Int64(s) else { throw .unprocessable("\(at): \"\(s.prefix(40))\" is not an integer") }
                value = i
            default: throw .unprocessable("\(at): expected an integer")
            }
            try checkBounds(Double(value), column: column, at: at)
            return .integer(value)
        case .real:
            let value: Double
            switch raw {
            case .integer(let i): value = Double(i)
            case .real(let d): value = d
            case .text(let s):
                guard let d = Double(s) else { throw .unprocessable("\(at): \"\(s.prefix(40))\" is not a number") }
                value = d
            default: throw .unprocessable("\(at): expected a number")
            }
            guard value.isFinite else { throw .unprocessable("\(at): \(value) is not finite; expected a finite number") }
            try checkBounds(value, column: column, at: at)
            return .real(value)
        case .boolean:
            switch raw {
            case .integer(let i) where i == 0 || i == 1: return .integer(i)
            case .text(let s) where ["true", "1"].contains(s.lowercased()): return .integer(1)
            case .text(let s) where ["false", "0"].contains(s.lowercased()): return .integer(0)
            default: throw .unprocessable("\(at): expected true/false or 1/0")
            }
        case .text, .label:
            let s: String
            switch raw {
            case .text(let t): s = t
            case .integer(let i) where column.type == .label: s = String(i)
            default: throw .unprocessable("\(at): expected a string")
            }
            if let limit = column.maxLength, s.utf8.count > limit {
                throw .unprocessable("\(at): text is \(s.utf8.count) bytes, expected at most \(limit)")
            }
            if column.type == .label, let labels = column.labels, !labels.contains(s) {
                throw .unprocessable("\(at): \"\(s.prefix(40))\" is not a declared label; expected one of \(labels)")
            }
            return .text(s)
        }
    }

    private static func checkBounds(_ value: Double, column: MarketSchema.Column, at: String) throws(DatatrustError) {
        if let lo = column.min, value < lo { throw .unprocessable("\(at): \(value) is below the minimum \(lo)") }
        if let hi = column.max, value > hi { throw .unprocessable("\(at): \(value) is above the maximum \(hi)") }
    }
}
