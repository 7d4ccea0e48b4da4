/// The schema a market declares for its datapoints: a byte format and typed columns with
/// constraints. A datapoint holds one or more rows in that format.
///
/// Formats:
/// - `csv`: UTF-8, RFC 4180 quoting, a header line naming exactly the columns in order, then
///   one row per line (LF or CRLF). An empty field is NULL.
/// - `jsonl`: UTF-8, one JSON object per line whose keys are exactly the column names; `null`
///   or a missing key is NULL.
public struct MarketSchema: Sendable, Hashable, Codable {
    /// The byte format of a datapoint.
    public enum Format: String, Sendable, Codable, CaseIterable {
        /// Comma-separated values with a header line.
        case csv
        /// JSON lines.
        case jsonl
    }

    /// A column's type.
    public enum ColumnType: String, Sendable, Codable, CaseIterable {
        /// A 64-bit signed integer.
        case integer
        /// A finite real number (IEEE double).
        case real
        /// UTF-8 text.
        case text
        /// `true`/`false` (also `1`/`0` in CSV); stored as 1/0.
        case boolean
        /// One of the declared `labels`; stored as text.
        case label
    }

    /// One column and its constraints.
    public struct Column: Sendable, Hashable, Codable {
        /// The column name: 1–63 of `a–z`, `A–Z`, `0–9`, `_`, starting with a letter.
        public var name: String
        /// The type.
        public var type: ColumnType
        /// Whether NULL (an empty CSV field, JSON `null`) is accepted.
        public var nullable: Bool
        /// Inclusive lower bound (integer and real columns); also the default DP clamping bound.
        public var min: Double?
        /// Inclusive upper bound (integer and real columns); also the default DP clamping bound.
        public var max: Double?
        /// Longest accepted text, in UTF-8 bytes (text columns).
        public var maxLength: Int?
        /// The accepted values (label columns).
        public var labels: [String]?

        /// A column.
        public init(name: String, type: ColumnType, nullable: Bool = false, min: Double? = nil, max: Double? = nil,
                    maxLength: Int? = nil, labels: [String]? = nil) {
            self.name = name
            self.type = type
            self.nullable = nullable
            self.min = min
            self.max = max
            self.maxLength = maxLength
            self.labels = labels
        }

        enum CodingKeys: String, CodingKey { case name, type, nullable, min, max, maxLength, labels }

        /// Decodes a column; `nullable` defaults to false.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            type = try c.decode(ColumnType.self, forKey: .type)
            nullable = try c.decodeIfPresent(Bool.self, forKey: .nullable) ?? false
            min = try c.decodeIfPresent(Double.self, forKey: .min)
            max = try c.decodeIfPresent(Double.self, forKey: .max)
            maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength)
            labels = try c.decodeIfPresent([String].self, forKey: .labels)
        }
    }

    /// The byte format.
    public var format: Format
    /// The columns, in order.
    public var columns: [Column]

    /// A schema.
    public init(format: Format, columns: [Column]) {
        self.format = format
        self.columns = columns
    }

    /// The column named `name`.
    public func column(named name: String) -> Column? { columns.first { $0.name == name } }

    /// Checks the schema itself: names valid and distinct, bounds ordered, labels given for label columns.
    /// - Throws: ``DatatrustError/badRequest(_:)`` naming the column.
    public func validate() throws(DatatrustError) {
        guard !columns.isEmpty else { throw .badRequest("schema: no columns; expected at least one") }
        var seen: [String] = []
        for column in columns {
            let bytes = Array(column.name.utf8)
            let valid = (1...63).contains(bytes.count)
                && ((65...90).contains(bytes[0]) || (97...122).contains(bytes[0]))
                && bytes.allSatisfy { (65...90).contains($0) || (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
            guard valid else {
                throw .badRequest("schema: column name \"\(column.name.prefix(64))\" is invalid; expected 1–63 of letters, digits, _ starting with a letter")
            }
            guard !seen.contains(column.name.lowercased()) else {
                throw .badRequest("schema: column \"\(column.name)\" is declared twice")
            }
            seen.append(column.name.lowercased())
            if let lo = column.min, let hi = column.max, !(lo <= hi) {
                throw .badRequest("schema: column \"\(column.name)\": min \(lo) is above max \(hi)")
            }
            if column.type == .label, (column.labels ?? []).isEmpty {
                throw .badRequest("schema: label column \"\(column.name)\" declares no labels; expected a non-empty labels list")
            }
        }
    }
}
