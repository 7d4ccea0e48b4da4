import LedgerCore
import MarketKit

/// Validates and runs ``AggregateQuery`` values: the true aggregate is computed on integers on a
/// fixed-point grid, then discrete Laplace noise from ``DiscreteLaplace`` is added.
package enum PrivateAggregator {
    /// A validated aggregate: everything needed to state its epsilon and run it.
    package struct Plan: Sendable, Equatable {
        /// The query.
        package let query: AggregateQuery
        /// Epsilon in milli-epsilon.
        package let milliEpsilon: UInt64
        /// The column, for all kinds but count.
        package let column: MarketSchema.Column?
        /// Clamping bounds, for sum and mean.
        package let bounds: (lower: Double, upper: Double)?
        /// Grid digits.
        package let decimals: Int
        /// Sensitivity in grid units (1 for count and histogram).
        package let sensitivity: UInt64
        /// Histogram bins' labels.
        package let bins: [String]

        /// Whether two plans are the same aggregate: same query, epsilon, grid digits and sensitivity (the column, bounds and bins are not compared).
        package static func == (a: Plan, b: Plan) -> Bool {
            a.query == b.query && a.milliEpsilon == b.milliEpsilon && a.decimals == b.decimals && a.sensitivity == b.sensitivity
        }
    }

    /// Largest accepted `max(|lower|, |upper|) × 10^decimals`, so sums of up to 2^20 rows fit in Int64.
    static let maxGridMagnitude: Double = 1_099_511_627_776 // 2^40
    static let ops = ["=", "!=", "<", "<=", ">", ">="]

    /// Checks `query` against `schema`.
    /// - Throws: ``DatatrustError/badRequest(_:)`` for malformed fields, ``DatatrustError/unprocessable(_:)``
    ///   when no sound epsilon or sensitivity can be stated (text column, missing bounds).
    package static func plan(_ query: AggregateQuery, schema: MarketSchema) throws(DatatrustError) -> Plan {
        let milli = try Epsilon.parse(query.epsilon, field: "aggregate.epsilon")
        guard milli >= 1 else { throw .badRequest("aggregate.epsilon: must be positive, e.g. \"0.1\"") }
        guard milli <= 100 * Epsilon.milliPerUnit else { throw .badRequest("aggregate.epsilon: \(query.epsilon) is above the ceiling 100") }
        if query.kind == .mean && milli < 2 { throw .badRequest("aggregate.epsilon: mean needs at least 0.002 (split between sum and count)") }
        for filter in query.filters ?? [] {
            guard schema.column(named: filter.column) != nil else {
                throw .badRequest("aggregate.filters: column \"\(filter.column)\" is not in the schema; expected one of \(schema.columns.map(\.name))")
            }
            guard ops.contains(filter.op) else { throw .badRequest("aggregate.filters: op \"\(filter.op)\" is not one of \(ops)") }
        }
        if query.kind == .count {
            return Plan(query: query, milliEpsilon: milli, column: nil, bounds: nil, decimals: 0, sensitivity: 1, bins: [])
        }
        guard let name = query.column else { throw .badRequest("aggregate.column: required for \(query.kind.rawValue)") }
        guard let column = schema.column(named: name) else {
            throw .badRequest("aggregate.column: \"\(name)\" is not in the schema; expected one of \(schema.columns.map(\.name))")
        }
        switch query.kind {
        case .count:
            throw .badRequest("aggregate.kind: unreachable")
        case .histogram:
            switch column.type {
            case .label:
                return Plan(query: query, milliEpsilon: milli, column: column, bounds: nil, decimals: 0, sensitivity: 1, bins: column.labels ?? [])
            case .boolean:
                return Plan(query: query, milliEpsilon: milli, column: column, bounds: nil, decimals: 0, sensitivity: 1, bins: ["false", "true"])
            case .integer, .real:
                guard let edges = query.edges, edges.count >= 2, edges.count <= 1001, zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }),
                      edges.allSatisfy(\.isFinite) else {
                    throw .badRequest("aggregate.edges: a numeric histogram needs 2–1001 ascending finite edges")
                }
                let bins = zip(edges, edges.dropFirst()).map { "[\($0), \($1))" }
                return Plan(query: query, milliEpsilon: milli, column: column, bounds: nil, decimals: 0, sensitivity: 1, bins: bins)
            case .text:
                throw .unprocessable("aggregate.column: \"\(name)\" is free text; a histogram needs a label, boolean or numeric column")
            }
        case .sum, .mean:
            guard column.type == .integer || column.type == .real || column.type == .boolean else {
                throw .unprocessable("aggregate.column: \"\(name)\" is \(column.type.rawValue); \(query.kind.rawValue) needs a numeric column")
            }
            let lower = query.lower ?? column.min ?? (column.type == .boolean ? 0 : nil)
            let upper = query.upper ?? column.max ?? (column.type == .boolean ? 1 : nil)
            guard let lower, let upper, lower.isFinite, upper.isFinite, lower <= upper else {
                throw .unprocessable("aggregate.lower/upper: \(query.kind.rawValue) of \"\(name)\" needs finite clamping bounds lower ≤ upper (in the query or the schema); epsilon cannot be stated without them")
            }
            let decimals = query.decimals ?? (column.type == .real ? 2 : 0)
            guard (0...6).contains(decimals) else { throw .badRequest("aggregate.decimals: \(decimals), expected 0…6") }
            let magnitude = max(abs(lower), abs(upper)) * pow10(decimals)
            guard magnitude <= maxGridMagnitude else {
                throw .unprocessable("aggregate.lower/upper: bound magnitude × 10^\(decimals) is \(magnitude), expected at most 2^40")
            }
            let sensitivity = max(1, UInt64(magnitude.rounded(.up)))
            return Plan(query: query, milliEpsilon: milli, column: column, bounds: (lower, upper), decimals: decimals, sensitivity: sensitivity, bins: [])
        }
    }

    static func pow10(_ d: Int) -> Double { [1, 10, 100, 1000, 10_000, 100_000, 1_000_000][max(0, min(d, 6))] }

    /// The SQL that selects the plan's input column from the market view, and its bindings.
    static func selection(_ plan: Plan, market: MarketID) -> (sql: String, bindings: [SQLValue]) {
        let target = plan.column.map { "\"\($0.name)\"" } ?? "1"
        let filters = plan.query.filters ?? []
        var sql = "SELECT \(target) FROM \"\(market.slug)\""
        if !filters.isEmpty {
            sql += " WHERE " + filters.map { "\"\($0.column)\" \($0.op) ?" }.joined(separator: " AND ")
        }
        return (sql, filters.map(\.value))
    }

    /// Runs the plan over `table` and adds noise drawn from `rng`.
    package static func run<R: ExactRandomSource>(
        _ plan: Plan, table: MarketTable, limits: QueryLimits, using rng: inout R
    ) throws(DatatrustError) -> (result: SandboxResult, privacy: PrivacyReport) {
        var unlimited = limits
        unlimited.maxResultRows = limits.maxLoadedRows
        let (sql, bindings) = selection(plan, market: table.market)
        let selected = try SQLSandbox.run(sql: sql, tables: [table], limits: unlimited, bindings: bindings)
        let values = selected.rows.map { $0.first ?? .null }
        let milli = plan.milliEpsilon
        func noise(sensitivity: UInt64, milli: UInt64) -> Int64 {
            // scale = sensitivity / (milli / 1000) = sensitivity × 1000 / milli; both parts ≥ 1.
            guard let scale = DiscreteLaplace.Scale(numerator: sensitivity * 1000, denominator: max(milli, 1)) else { return 0 }
            return DiscreteLaplace.sample(scale: scale, using: &rng)
        }
        var report = PrivacyReport(mechanism: "discrete Laplace (Canonne–Kamath–Steinke), exact integer sampler",
                                   epsilon: Epsilon.format(milli: milli), sensitivity: "1",
                                   scale: "\(plan.sensitivity * 1000)/\(milli)", bounds: nil)
        let columns: [String]
        var rows: [[SQLValue]] = []
        switch plan.query.kind {
        case .count:
            columns = ["count"]
            let (noisy, o) = Int64(values.count).addingReportingOverflow(noise(sensitivity: 1, milli: milli))
            rows = [[.integer(o ? 0 : noisy)]]
        case .histogram:
            columns = ["bin", "count"]
            var counts = [Int64](repeating: 0, count: plan.bins.count)
            for value in values {
                if let bin = binIndex(of: value, plan: plan) { counts[bin] += 1 }
            }
            for (i, label) in plan.bins.enumerated() {
                rows.append([.text(label), .integer(counts[i] &+ noise(sensitivity: 1, milli: milli))])
            }
        case .sum, .mean:
            guard let bounds = plan.bounds else { throw .internalFailure("aggregate: plan without bounds") }
            let scale = pow10(plan.decimals)
            var sum: Int64 = 0
            var count: Int64 = 0
            for value in values {
                let x: Double
                switch value {
                case .integer(let i): x = Double(i)
                case .real(let d): x = d
                default: continue
                }
                let clamped = min(max(x, bounds.lower), bounds.upper)
                let (s, o) = sum.addingReportingOverflow(Int64((clamped * scale).rounded()))
                guard !o else { throw .unprocessable("aggregate: sum overflows 64 bits; narrow the bounds or decimals") }
                sum = s
                count += 1
            }
            report.bounds = [bounds.lower, bounds.upper]
            report.sensitivity = format(grid: Int64(plan.sensitivity), decimals: plan.decimals)
            if plan.query.kind == .sum {
                columns = ["sum"]
                let noisy = sum &+ noise(sensitivity: plan.sensitivity, milli: milli)
                rows = [[.real(Double(noisy) / scale)]]
            } else {
                columns = ["mean"]
                let sumMilli = milli / 2
                let countMilli = milli - sumMilli
                let noisySum = sum &+ noise(sensitivity: plan.sensitivity, milli: sumMilli)
                let noisyCount = count &+ noise(sensitivity: 1, milli: countMilli)
                // The mean of clamped values lies within the bounds; noise can push the ratio
                // outside, so it is clamped again (post-processing costs no privacy).
                rows = [[noisyCount > 0 ? .real(min(max(Double(noisySum) / scale / Double(noisyCount), bounds.lower), bounds.upper)) : .null]]
                report.scale = "sum \(plan.sensitivity * 1000)/\(sumMilli), count 1000/\(countMilli)"
            }
        }
        return (SandboxResult(columns: columns, rows: rows, listingsRead: selected.listingsRead), report)
    }

    static func binIndex(of value: SQLValue, plan: Plan) -> Int? {
        guard let column = plan.column else { return nil }
        switch (column.type, value) {
        case (.label, .text(let s)): return plan.bins.firstIndex(of: s)
        case (.boolean, .integer(let i)): return i == 0 ? 0 : 1
        case (.integer, .integer(let i)): return numericBin(Double(i), edges: plan.query.edges ?? [])
        case (.real, .real(let d)): return numericBin(d, edges: plan.query.edges ?? [])
        case (.real, .integer(let i)): return numericBin(Double(i), edges: plan.query.edges ?? [])
        default: return nil
        }
    }

    static func numericBin(_ x: Double, edges: [Double]) -> Int? {
        guard let first = edges.first, let last = edges.last, x >= first, x < last else { return nil }
        var lo = 0
        var hi = edges.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if x >= edges[mid] { lo = mid } else { hi = mid }
        }
        return lo
    }

    static func format(grid: Int64, decimals: Int) -> String {
        guard decimals > 0 else { return String(grid) }
        let negative = grid < 0
        let magnitude = grid.magnitude
        let unit = UInt64(pow10(decimals))
        var fraction = String(magnitude % unit)
        while fraction.count < decimals { fraction = "0" + fraction }
        return (negative ? "-" : "") + "\(magnitude / unit).\(fraction)"
    }
}
