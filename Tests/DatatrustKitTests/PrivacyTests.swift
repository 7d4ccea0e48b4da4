import DataMarketTesting
import Foundation
import LedgerCore
import Testing
import LedgerCore
import DatatrustKit

@Suite struct PrivacyTests {
    /// Mean 0 and variance 2p/(1−p)² with p = exp(−1/b); bounds are 6 standard errors, the
    /// variance's standard error taken as σ²·√((κ−1)/n) with the discrete Laplace kurtosis κ ≤ 6.
    func checkMoments(scale: DiscreteLaplace.Scale, draws n: Int, sample: () -> Int64) {
        let b = Double(scale.numerator) / Double(scale.denominator)
        let p = exp(-1 / b)
        let variance = 2 * p / ((1 - p) * (1 - p))
        var sum = 0.0
        var sumSquares = 0.0
        for _ in 0..<n {
            let x = Double(sample())
            sum += x
            sumSquares += x * x
        }
        let mean = sum / Double(n)
        let empiricalVariance = sumSquares / Double(n) - mean * mean
        #expect(abs(mean) <= 6 * (variance / Double(n)).squareRoot(), "mean \(mean)")
        #expect(abs(empiricalVariance - variance) <= 6 * variance * (5 / Double(n)).squareRoot(), "variance \(empiricalVariance) vs \(variance)")
    }

    @Test(arguments: [(1 as UInt64, 1 as UInt64), (10, 1), (1000, 300), (3, 7)])
    func seededDiscreteLaplaceHasTheTheoreticalMeanAndVariance(numerator: UInt64, denominator: UInt64) throws {
        let scale = try #require(DiscreteLaplace.Scale(numerator: numerator, denominator: denominator))
        var rng = SplitMix64(seed: numerator &* 31 &+ denominator)
        checkMoments(scale: scale, draws: 100_000) { DiscreteLaplace.sample(scale: scale, using: &rng) }
    }

    @Test func libsodiumDiscreteLaplaceHasTheTheoreticalMeanAndVariance() throws {
        let scale = try #require(DiscreteLaplace.Scale(numerator: 5, denominator: 2))
        var rng = SodiumRandomSource()
        checkMoments(scale: scale, draws: 100_000) { DiscreteLaplace.sample(scale: scale, using: &rng) }
    }

    @Test func discreteLaplaceIsSymmetricWithTheRightMassAtZero() throws {
        // P[0] = (1 − p)/(1 + p) with p = e^(−1/b); b = 2.
        let scale = try #require(DiscreteLaplace.Scale(numerator: 2, denominator: 1))
        var rng = SplitMix64(seed: 99)
        let n = 100_000
        var zeros = 0, positive = 0, negative = 0
        for _ in 0..<n {
            let x = DiscreteLaplace.sample(scale: scale, using: &rng)
            if x == 0 { zeros += 1 } else if x > 0 { positive += 1 } else { negative += 1 }
        }
        let p = exp(-0.5)
        let p0 = (1 - p) / (1 + p)
        #expect(abs(Double(zeros) / Double(n) - p0) <= 6 * (p0 * (1 - p0) / Double(n)).squareRoot())
        #expect(abs(positive - negative) <= Int(6 * Double(positive + negative).squareRoot()))
    }

    @Test func bernoulliExpMinusMatchesExpOfMinusGamma() {
        var rng = SplitMix64(seed: 5)
        for (n, d) in [(0 as UInt64, 1 as UInt64), (1, 2), (1, 1), (5, 2), (7, 3)] {
            let draws = 50_000
            var hits = 0
            for _ in 0..<draws where DiscreteLaplace.bernoulliExpMinus(n, over: d, using: &rng) { hits += 1 }
            let q = exp(-Double(n) / Double(d))
            #expect(abs(Double(hits) / Double(draws) - q) <= 6 * (q * (1 - q) / Double(draws)).squareRoot() + 1e-9, "γ = \(n)/\(d)")
        }
    }

    @Test func epsilonParsesAndFormatsExactly() throws {
        #expect(try Epsilon.parse("0.5") == 500)
        #expect(try Epsilon.parse("2") == 2000)
        #expect(try Epsilon.parse("0.125") == 125)
        #expect(Epsilon.format(milli: 1500) == "1.5")
        #expect(Epsilon.format(milli: 125) == "0.125")
        for bad in ["", ".5", "1.2345", "-1", "1e3", "abc", "1."] {
            #expect(throws: DatatrustError.self) { try Epsilon.parse(bad) }
        }
    }

    @Test func planStatesSensitivityAndRefusesUnsoundQueries() throws {
        let schema = Fixture.heartSchema
        let sum = try PrivateAggregator.plan(AggregateQuery(kind: .sum, column: "chol", epsilon: "1"), schema: schema)
        #expect(sum.sensitivity == 60_000) // max(|0|, |600|) × 10^2
        #expect(sum.milliEpsilon == 1000)
        #expect(throws: DatatrustError.unprocessable("aggregate.column: \"note\" is text; sum needs a numeric column")) {
            try PrivateAggregator.plan(AggregateQuery(kind: .sum, column: "note", epsilon: "1"), schema: schema)
        }
        #expect(throws: DatatrustError.badRequest("aggregate.filters: op \"LIKE\" is not one of [\"=\", \"!=\", \"<\", \"<=\", \">\", \">=\"]")) {
            try PrivateAggregator.plan(AggregateQuery(kind: .count, filters: [.init(column: "age", op: "LIKE", value: .integer(1))], epsilon: "1"), schema: schema)
        }
        #expect(throws: DatatrustError.badRequest("aggregate.epsilon: must be positive, e.g. \"0.1\"")) {
            try PrivateAggregator.plan(AggregateQuery(kind: .count, epsilon: "0"), schema: schema)
        }
    }
}

@Suite struct SchemaTests {
    @Test func csvWithQuotesCRLFAndNullsParses() throws {
        let text = "age,chol,smoker,diagnosis,note\r\n40,,true,benign,\"a, \"\"quoted\"\" note\"\r\n41,199.5,0,malignant,\n"
        let rows = try RowParser.parse(Array(text.utf8), schema: Fixture.heartSchema)
        #expect(rows == [
            [.integer(40), .null, .integer(1), .text("benign"), .text("a, \"quoted\" note")],
            [.integer(41), .real(199.5), .integer(0), .text("malignant"), .null],
        ])
    }

    @Test func jsonLinesParse() throws {
        var schema = Fixture.heartSchema
        schema.format = .jsonl
        let text = "{\"age\": 40, \"chol\": 200, \"smoker\": true, \"diagnosis\": \"benign\"}\n{\"age\": 41, \"chol\": null, \"smoker\": false, \"diagnosis\": \"malignant\", \"note\": \"x\"}\n"
        let rows = try RowParser.parse(Array(text.utf8), schema: schema)
        #expect(rows.count == 2)
        #expect(rows[0][1] == .real(200))
        #expect(throws: DatatrustError.unprocessable("row 1, column age: a boolean, expected integer")) {
            try RowParser.parse(Array("{\"age\": true, \"smoker\": true, \"diagnosis\": \"benign\"}".utf8), schema: schema)
        }
    }

    @Test(arguments: [
        ("age,chol,smoker,diagnosis,note\n130,1,true,benign,\n", "row 1, column age: 130.0 is above the maximum 120.0"),
        ("age,chol,smoker,diagnosis,note\n30,1,maybe,benign,\n", "row 1, column smoker: expected true/false or 1/0"),
        ("age,chol,smoker,diagnosis,note\n30,1,true,unknown,\n", "row 1, column diagnosis: \"unknown\" is not a declared label; expected one of [\"benign\", \"malignant\"]"),
        ("age,chol,smoker,diagnosis,note\n30,1,true,benign\n", "row 1: 4 fields, expected 5 (age,chol,smoker,diagnosis,note)"),
        ("age,smoker\n1,true\n", "header: columns [\"age\", \"smoker\"] do not match the schema; expected [\"age\", \"chol\", \"smoker\", \"diagnosis\", \"note\"]"),
        ("age,chol,smoker,diagnosis,note\n,1,true,benign,\n", "row 1, column age: missing value; expected a integer (column is not nullable)"),
        ("age,chol,smoker,diagnosis,note\n", "data: no rows; expected at least one row"),
    ])
    func malformedRowsNameTheRowAndColumn(text: String, message: String) {
        #expect(throws: DatatrustError.unprocessable(message)) { try RowParser.parse(Array(text.utf8), schema: Fixture.heartSchema) }
    }

    /// `Data/breast_cancer.csv` has scikit-learn's header line ("569,30,malignant,benign":
    /// rows, features, class names); its 569 rows of 30 reals and a 0/1 target fit this schema.
    @Test func realBreastCancerDataFitsADeclaredSchema() throws {
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/breast_cancer.csv")
        let bytes = try #require(FileManager.default.contents(atPath: data.path))
        let columns = (0..<30).map { MarketSchema.Column(name: "f\($0)", type: .real, min: 0, max: 5000) }
            + [MarketSchema.Column(name: "target", type: .integer, min: 0, max: 1)]
        let schema = MarketSchema(format: .csv, columns: columns)
        try schema.validate()
        var text = Array(columns.map(\.name).joined(separator: ",").utf8)
        text.append(contentsOf: bytes.drop(while: { $0 != 0x0A }))
        let rows = try RowParser.parse(text, schema: schema)
        #expect(rows.count == 569)
    }
}

/// A noisy mean can fall outside the data's range (−636.9 for [0, 600] was seen); the answer is
/// clamped to the declared bounds after the noise, which costs no privacy.
@Test func aNoisyMeanStaysWithinItsDeclaredBounds() async throws {
    let f = try Fixture(budget: "1000"); defer { f.folder.cleanup() }
    let data = Fixture.csv(rows: 2, seed: 91)
    await f.list(data, by: f.owner)
    _ = try await f.datatrust.addDatapoint(data, market: "heart", caller: f.owner.address)
    var answered = 0
    for job in UInt64(1)...30 {
        await f.chain.setJob(market: Fixture.heartMarket, id: job, buyer: f.buyer.address, amount: 10_000)
        let result = try await f.datatrust.runQuery(
            QueryRequest(markets: [Fixture.heartMarket], aggregate: AggregateQuery(kind: .mean, column: "chol", lower: 0, upper: 600, epsilon: "0.002"),
                         jobs: ["heart": job]), caller: f.buyer.address)
        guard case .real(let mean) = result.rows.first?.first else { continue }
        answered += 1
        #expect((0...600).contains(mean), "job \(job): mean \(mean) outside [0, 600]")
    }
    #expect(answered > 0)
}
