import PropertyBased
import Testing
@testable import LedgerCore

/// Known values, exact boundaries and randomised cross-checks of UInt256 arithmetic against
/// `ReferenceNatural` (an independent 32-bit-limb oracle) and vectors computed with Python ints.
@Suite struct UInt256Tests {
    static let maxDecimal = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    /// 2^k, built from bytes so the test does not rely on the shift under test.
    static func powerOfTwo(_ k: Int) throws -> UInt256 {
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes[31 - k / 8] = 1 << UInt8(k % 8)
        return try UInt256(bigEndianBytes: bytes)
    }

    // MARK: - Known values

    @Test func maxPrintsAsTwoToThe256MinusOne() {
        #expect(UInt256.max.description == Self.maxDecimal)
        #expect(UInt256.max.hex == "0x" + String(repeating: "f", count: 64))
        #expect(UInt256.max.bigEndianBytes == [UInt8](repeating: 0xFF, count: 32))
        #expect(UInt256.max.significantBitCount == 256)
        #expect(UInt256.max.uint64Value == nil)
    }

    @Test func zeroAndOneHaveTheirCanonicalForms() {
        #expect(UInt256.zero.description == "0")
        #expect(UInt256.zero.hex == "0x0")
        #expect(UInt256.zero.isZero)
        #expect(UInt256.zero.minimalBigEndianBytes.isEmpty)
        #expect(UInt256.zero.leadingZeroBitCount == 256)
        #expect(UInt256.one.description == "1")
        #expect(UInt256.one.hex == "0x1")
        #expect(UInt256.one.minimalBigEndianBytes == [1])
        #expect(UInt256.one.uint64Value == 1)
        #expect(UInt256(exactly: -1) == nil)
        #expect(UInt256(exactly: 42) == 42)
        #expect(UInt256.bitWidth == 256)
    }

    @Test func powersOfTwoMatchPythonAndTheOracle() throws {
        #expect(try Self.powerOfTwo(64).description == "18446744073709551616")
        #expect(try Self.powerOfTwo(128).description == "340282366920938463463374607431768211456")
        #expect(try Self.powerOfTwo(255).description
            == "57896044618658097711785492504343953926634992332820282019728792003956564819968")
        for k in 0..<256 {
            let p = try Self.powerOfTwo(k)
            #expect(p.description == ReferenceNatural.pow(2, k).description, "2^\(k)")
            #expect(p.hex == "0x" + (k % 4 == 0 ? "1" : k % 4 == 1 ? "2" : k % 4 == 2 ? "4" : "8")
                + String(repeating: "0", count: k / 4), "2^\(k)")
            #expect(p.significantBitCount == k + 1)
            #expect(p.trailingZeroBitCount == k)
            #expect(try UInt256.one.shiftedLeft(by: k) == p)
            #expect(try p.shiftedRight(by: k) == 1)
            #expect(try UInt256.max.shiftedRight(by: 256 - k) == (try p - 1))
        }
    }

    @Test func powersOfTenPrintAndScale() throws {
        var p: UInt256 = 1
        for k in 0...77 {
            #expect(p.description == "1" + String(repeating: "0", count: k))
            if k < 77 { p = try p * 10 }
        }
        #expect(p.description == "1" + String(repeating: "0", count: 77))
        #expect(throws: ArithmeticError.overflow(operation: "*", lhs: p, rhs: 10)) { try p * 10 }
    }

    @Test func reciprocalOfTenToThe19IsTheMollerGranlundConstant() {
        let d = UInt256.tenToThe19
        #expect(UInt256.tenToThe19Reciprocal == d.dividingFullWidth((~d, ~0)).quotient)
        // Spot-check the reciprocal division against the hardware divide at its edges.
        for (high, low): (UInt64, UInt64) in [(0, 0), (0, .max), (d - 1, .max), (d - 1, 0), (1, 0), (12345, 678)] {
            let expected = d.dividingFullWidth((high, low))
            let got = UInt256.divideByTenToThe19(high: high, low: low)
            #expect(got.0 == expected.quotient && got.1 == expected.remainder)
        }
    }

    // MARK: - Exact boundaries

    @Test func maxPlusOneOverflows() throws {
        #expect(throws: ArithmeticError.overflow(operation: "+", lhs: .max, rhs: 1)) { try UInt256.max + 1 }
        #expect(throws: ArithmeticError.overflow(operation: "+", lhs: 1, rhs: .max)) { try UInt256.one.adding(.max) }
        #expect(try (UInt256.max - 1) + 1 == .max)
    }

    @Test func zeroMinusOneUnderflows() throws {
        #expect(throws: ArithmeticError.underflow(lhs: 0, rhs: 1)) { try UInt256.zero - 1 }
        #expect(try UInt256.max - .max == .zero)
        let error = ArithmeticError.underflow(lhs: 5, rhs: 7)
        #expect(error.description.hasPrefix("underflow: 5 - 7 would be negative"))
    }

    @Test func maxTimesTwoOverflows() throws {
        #expect(throws: ArithmeticError.overflow(operation: "*", lhs: .max, rhs: 2)) { try UInt256.max * 2 }
        #expect(try UInt256.max * 1 == .max)
        #expect(try UInt256.max * 0 == .zero)
        let half = try Self.powerOfTwo(255)
        #expect(throws: ArithmeticError.overflow(operation: "*", lhs: half, rhs: 2)) { try half * 2 }
        #expect(try (half - 1) * 2 == (try UInt256.max - 1))
    }

    @Test func twoToThe128SquaredOverflowsButOneLessFits() throws {
        let p128 = try Self.powerOfTwo(128)
        #expect(throws: ArithmeticError.overflow(operation: "*", lhs: p128, rhs: p128)) { try p128 * p128 }
        // 2^128 · (2^128 − 1) = 2^256 − 2^128.
        #expect(try p128 * (p128 - 1) == (try UInt256.max - (p128 - 1)))
        // Overflow only through the carry out of the top limb: (2^128 − 1)·(2^128 + 1) = 2^256 − 1.
        #expect(try (p128 - 1) * (p128 + 1) == .max)
        #expect(throws: ArithmeticError.self) { try (p128 + 1) * (p128 + 1) }
    }

    @Test func divisionByZeroThrowsWithTheDividend() {
        #expect(throws: ArithmeticError.divisionByZero(dividend: 7)) { try UInt256(7) / 0 }
        #expect(throws: ArithmeticError.divisionByZero(dividend: 7)) { try UInt256(7) % 0 }
        #expect(throws: ArithmeticError.divisionByZero(dividend: .max)) { try UInt256.max.dividedReportingRemainder(by: .zero) }
        #expect(throws: ArithmeticError.divisionByZero(dividend: 3)) { try UInt256.multiplyThenDivide(3, 4, 0) }
    }

    @Test func shiftingOutAOneBitOverflows() throws {
        #expect(throws: ArithmeticError.overflow(operation: "<<", lhs: 1, rhs: 256)) { try UInt256.one.shiftedLeft(by: 256) }
        #expect(throws: ArithmeticError.overflow(operation: "<<", lhs: 3, rhs: 255)) { try UInt256(3).shiftedLeft(by: 255) }
        #expect(try UInt256.zero.shiftedLeft(by: 1000) == .zero)
        #expect(try UInt256(8).shiftedLeft(by: -3) == 1)
        #expect(try UInt256(8).shiftedRight(by: -3) == 64)
        #expect(try UInt256.max.shiftedRight(by: Int.max) == .zero)
        #expect(try UInt256.max.shiftedLeft(by: Int.min) == .zero)
        #expect(throws: ArithmeticError.self) { try UInt256.one.shiftedRight(by: Int.min) }
    }

    @Test func errorDescriptionsStateTheBound() {
        let overflow = ArithmeticError.overflow(operation: "+", lhs: .max, rhs: 1)
        #expect(overflow.description == "overflow: \(Self.maxDecimal) + 1 exceeds 2^256−1 = \(Self.maxDecimal), the largest UInt256")
        #expect(ArithmeticError.divisionByZero(dividend: 9).description.contains("9 / 0"))
    }

    // MARK: - Multiply then divide

    @Test func mulDivOfMaxByMaxOverMaxIsMax() throws {
        let (q, r) = try UInt256.multiplyThenDivide(.max, .max, .max)
        #expect(q == .max)
        #expect(r == .zero)
        #expect(try UInt256.mulDivRoundingUp(.max, .max, .max) == .max)
    }

    @Test func mulDivWithOverflowingProductButFittingQuotient() throws {
        let p200 = try Self.powerOfTwo(200)
        // 2^200 · 2^200 / 2^160 = 2^240: the product needs 401 bits.
        let (q, r) = try UInt256.multiplyThenDivide(p200, p200, try Self.powerOfTwo(160))
        #expect(q == (try Self.powerOfTwo(240)))
        #expect(r == .zero)
        // (2^256 − 1)^2 = (2^256 − 2)·2^256 + 1: quotient 2^256, one past the largest.
        #expect(throws: ArithmeticError.self) { try UInt256.multiplyThenDivide(.max, .max, .max - 1) }
    }

    @Test func mulDivQuotientThatDoesNotFitThrowsOverflow() throws {
        let p255 = try Self.powerOfTwo(255)
        #expect(throws: ArithmeticError.overflow(operation: "multiplyThenDivide by 2", lhs: p255, rhs: 4)) {
            try UInt256.multiplyThenDivide(p255, 4, 2)
        }
        // The largest product that still fits after dividing by 2: quotient exactly 2^256 − 1.
        let (q, r) = try UInt256.multiplyThenDivide(.max, 2, 2)
        #expect(q == .max && r == .zero)
        #expect(throws: ArithmeticError.self) { try UInt256.multiplyThenDivide(.max, 3, 2) }
    }

    @Test func mulDivKeepsTheRemainderAndRoundsUpOnRequest() throws {
        let (q, r) = try UInt256.multiplyThenDivide(100, 1, 3)
        #expect(q == 33 && r == 1)
        #expect(try UInt256.mulDivRoundingUp(100, 1, 3) == 34)
        #expect(try UInt256.mulDivRoundingUp(99, 1, 3) == 33)
        // floor(max·(max−1)/max) = max − 1 exactly, remainder 0.
        let (q1, r1) = try UInt256.multiplyThenDivide(.max, .max - 1, .max)
        #expect(q1 == (try UInt256.max - 1))
        #expect(r1 == 0)
        // (2^256 − 2)(2^255 + 2) / (2^255 + 1) = 2^256 − 1 rest 2^255 − 3 (checked with Python):
        // the floor fits exactly, so rounding up is the step that overflows.
        let p255 = try Self.powerOfTwo(255)
        let (a, b, c) = (try UInt256.max - 1, try p255 + 2, try p255 + 1)
        let (q2, r2) = try UInt256.multiplyThenDivide(a, b, c)
        let expectedRemainder = try p255 - 3
        #expect(q2 == .max)
        #expect(r2 == expectedRemainder)
        #expect(throws: ArithmeticError.overflow(operation: "mulDivRoundingUp by \(c)", lhs: a, rhs: b)) {
            try UInt256.mulDivRoundingUp(a, b, c)
        }
    }

    /// (a, b, c, floor(a·b/c), a·b mod c), computed with Python integers.
    static let pythonMulDiv: [(String, String, String, String, String)] = [
        ("0x6861072c1e753a938661abe05b1b90b46762b34f4e26ea8e603235a1e58e1b1c", "0xcaceb86f95b686c534ba5acef0867ff78698e95fb8d058ea97da1b729ffe1d99", "0x52b0d8efd1cdb9adfab0d313c6308d6fd77942e72c799d488aa74654b4b42b46", "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffef9b8fa4", "0x2c18242e85f9e8c07baf188ef30499083c67e3958e9a7b7c898a9fa59fce8ce4"),
        ("0x3e4f17400fcb44b3fcba4843d2380b6a8c10562b7b994e16150e5651b8d96afd", "0xf422b965679b215bdf4cb40426b3d8cc64877995004857e61f3a5b50337f214", "0x3b6bd5c9fbc8e287353bb955b9a4203cff808622ede34b44d277fcd3789b0da", "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffff805555cf1", "0x29536569802b2251c60faaef11d5703f2dff06fb973816b693d4d752ceab08a"),
        ("0xbabe3ec5308924e99e0691b377d5ebfa2d7017eb3a9589e6bc182f77f2f5f933", "0xca0833dd804fd65ce1181284f76ff762aff624d28ca15772111b8802c3eba5d5", "0x9360194f08cc90c676e63e0fbf433b864dff0e4cd2f913c8377814ee51ef4f5e", "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffff236fd84d", "0x634d32e50ee3754ca982b7916a4b74a4109088facf56a0c2ee33ed5977630729"),
        ("0xd6a7b6c8a2d2466d6760ed2a37ffff52c83c5d24252665113a7c6010b9ae8a03", "0x2a79e68e9142e87433ae1a625db1e1995ac6ef5270fbb2e8d8eaeebd745da064", "0x239dba9488983332a9823f63a1fc8d04ab4cab448ad2bdab9ff0bb48cf760e6c", "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffff906a1e79e", "0x108202c27f6d04cb6b020d3fa8ed01abfbeb66cb3fc770a256c010f8f1ba6e84"),
        ("0x1c29cabdfb70d9dd38f7053d3f406ac50f947e6da9d34bcd79a2402084268cc8", "0x159f55ce920bd182908767574e597a5c50314f2dfdc80c8099f65693bb51aed", "0x7f780056b2cde10df1adedbc5c915e933e108dd1d5424a1ff33b82db7842ae8c", "0x4c6fd784ab63ed4a2ff9b07c1e4fa5b67ea55b867a2f9416ca36289678354c", "0x6cf089ca99bbed30d0f7933b49c539e5cb576ae8d1728110b7ef1acc87d5d798"),
        ("0x715662cd87f9b29028ed7ada559ebda1d5f66883a4a3d1fd2ffd0cecc14c05c8", "0xb37640cad26b50f2d4aaa6d16290b6f9b8468eb9a10408c7732baabe2974051b", "0x4f73c196a4d5fd1d38df3c03f298e5a1470618ca414bac0ac01c231153fe8e56", "0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffe5a2f8aa4", "0x31dc8cec0943497d90117cd23170c9d85f9b636d77aca47b6d623f132029f900"),
    ]

    @Test func mulDivTakesTheAddBackStepAndKeepsTheRemainderBelowTheDivisor() throws {
        // The add-back pair of `pythonDivision` as a · 1 / d, through the 512-bit path.
        let a = try UInt256(hex: "0xfffffffffffffffeffffffffffffffff00000000000000010000000000000000")
        let d = try UInt256(hex: "0xffffffffffffffffffffffffffffffff0000000000000001")
        let result = try UInt256.multiplyThenDivide(a, .one, d)
        #expect(result.quotient == UInt256(18_446_744_073_709_551_614))
        #expect(result.remainder == (try UInt256(decimalInteger: "6277101735386680763835789423207666416065461956316615409666")))
        #expect(result.remainder < d)
    }

    @Test func mulDivMatchesPythonVectors() throws {
        for (a, b, c, q, r) in Self.pythonMulDiv {
            let result = try UInt256.multiplyThenDivide(UInt256(hex: a), UInt256(hex: b), UInt256(hex: c))
            #expect(result.quotient == (try UInt256(hex: q)))
            #expect(result.remainder == (try UInt256(hex: r)))
        }
    }

    /// (a, d, a / d, a % d), computed with Python integers.
    static let pythonDivision: [(String, String, String, String)] = [
        ("60105134791900524892119419146603876386461841305655767608410829043413695295112", "1025070466966682522163797459302908200914397581062724852517", "58635124831719592760", "580186987209603598691743406555828360976219584043394318192"),
        ("91133214731896310053966146297149757086626176264357656802285191585934715683903", "50661620069821522868223996647069400015766970732960512998392201079337383678", "1798", "43621846357211936899400325718975858277162886494654431176014045286099830859"),
        ("110145360389960024525904416260706391607942931190502163809492895107970333120993", "1702173182129141026632642582924964091784610985527753121225396748740893482226", "64", "1206276733694998821415290953508689733727828116725964051067503188553150258529"),
        ("44352293619612638257750974692115043890637743322947668079190838983166751083380", "1396780868809544260950900501533607174477976551674463829433056554737035526085", "31", "1052086686516766168273059144573221481820470221039289366766085786318649774745"),
        // Knuth D's rare add-back step (its first quotient estimate is one too large) with a
        // three-limb divisor: swift-property-based shrank this pair from a failing run in CI,
        // where the top limb of the remainder came back as 2^64 − 1.
        ("115792089237316195417293883273301227089093912875511959159910300700091036467200", "6277101735386680763835789423207666416083908700390324961281", "18446744073709551614", "6277101735386680763835789423207666416065461956316615409666"),
    ]

    @Test func divisionMatchesPythonVectors() throws {
        for (a, d, q, r) in Self.pythonDivision {
            let result = try UInt256(decimalInteger: a).dividedReportingRemainder(by: UInt256(decimalInteger: d))
            #expect(result.quotient.description == q)
            #expect(result.remainder.description == r)
        }
    }

    // MARK: - Properties against the oracle

    @Test func additionAndSubtractionMatchTheOracle() async {
        let limit = ReferenceNatural(UInt256.max)
        await propertyCheck(count: 4000, input: Gen.amount, Gen.amount) { a, b throws in
            let ra = ReferenceNatural(a), rb = ReferenceNatural(b)
            if ra + rb > limit {
                #expect(throws: ArithmeticError.overflow(operation: "+", lhs: a, rhs: b)) { try a + b }
            } else {
                let sum = try a + b
                #expect(ReferenceNatural(sum) == ra + rb, "\(a) + \(b)")
                #expect(try sum - b == a)
            }
            if ra < rb {
                #expect(throws: ArithmeticError.underflow(lhs: a, rhs: b)) { try a - b }
            } else {
                #expect(ReferenceNatural(try a - b) == ra - rb, "\(a) - \(b)")
            }
            #expect((a < b) == (ra < rb))
            #expect((a == b) == (ra == rb))
        }
    }

    @Test func multiplicationMatchesTheOracle() async {
        await propertyCheck(count: 4000, input: Gen.amount, Gen.amount) { a, b throws in
            let exact = ReferenceNatural(a) * ReferenceNatural(b)
            if let fits = exact.uint256 {
                #expect(try a * b == fits, "\(a) * \(b)")
            } else {
                #expect(throws: ArithmeticError.overflow(operation: "*", lhs: a, rhs: b)) { try a * b }
            }
            let wide = a.multipliedFullWidth(by: b)
            #expect(ReferenceNatural(wide.high) * ReferenceNatural.pow(2, 256) + ReferenceNatural(wide.low) == exact)
        }
    }

    @Test func divisionSatisfiesQuotientTimesDivisorPlusRemainder() async {
        await propertyCheck(count: 3000, input: Gen.amount, Gen.amount) { a, d throws in
            if d.isZero {
                #expect(throws: ArithmeticError.divisionByZero(dividend: a)) { try a / d }
                return
            }
            let (q, r) = try a.dividedReportingRemainder(by: d)
            #expect(r < d)
            #expect(ReferenceNatural(q) * ReferenceNatural(d) + ReferenceNatural(r) == ReferenceNatural(a), "\(a) / \(d)")
            let oracle = ReferenceNatural(a).quotientAndRemainder(dividingBy: ReferenceNatural(d))
            #expect(ReferenceNatural(q) == oracle.quotient && ReferenceNatural(r) == oracle.remainder)
            #expect(try a / d == q)
            #expect(try a % d == r)
        }
    }

    @Test func multiplyThenDivideMatchesTheOracle() async {
        var overflowed = 0, wideProducts = 0
        await propertyCheck(count: 3000, input: Gen.amount, Gen.amount, Gen.amount) { a, b, c throws in
            if c.isZero {
                #expect(throws: ArithmeticError.divisionByZero(dividend: a)) { try UInt256.multiplyThenDivide(a, b, c) }
                return
            }
            let product = ReferenceNatural(a) * ReferenceNatural(b)
            if product.uint256 == nil { wideProducts += 1 }
            let oracle = product.quotientAndRemainder(dividingBy: ReferenceNatural(c))
            guard let expected = oracle.quotient.uint256 else {
                overflowed += 1
                #expect(throws: ArithmeticError.overflow(operation: "multiplyThenDivide by \(c)", lhs: a, rhs: b)) {
                    try UInt256.multiplyThenDivide(a, b, c)
                }
                return
            }
            let (q, r) = try UInt256.multiplyThenDivide(a, b, c)
            #expect(q == expected, "\(a) * \(b) / \(c)")
            #expect(r < c)
            #expect(ReferenceNatural(q) * ReferenceNatural(c) + ReferenceNatural(r) == product)
            let up = try? UInt256.mulDivRoundingUp(a, b, c)
            if r.isZero { #expect(up == q) } else { #expect(up == (try? q + 1)) }
        }
        // The generator must reach both interesting regions, or the test proves little. The
        // seed changes from run to run, so the bounds sit far below the expected counts (about
        // 300 overflows and 850 wide products in 3,000 draws, by a simulation of the generator).
        #expect(overflowed > 100 && wideProducts > 500, "\(overflowed) overflows, \(wideProducts) wide products")
    }

    @Test func shiftsMatchMultiplicationByPowersOfTwo() async {
        await propertyCheck(count: 2000, input: Gen.amount, Gen.int(in: 0...259)) { a, k throws in
            let exact = ReferenceNatural(a) * ReferenceNatural.pow(2, k)
            if let fits = exact.uint256 {
                #expect(try a.shiftedLeft(by: k) == fits)
            } else {
                #expect(throws: ArithmeticError.self) { try a.shiftedLeft(by: k) }
            }
            let down = ReferenceNatural(a).quotientAndRemainder(dividingBy: ReferenceNatural.pow(2, k)).quotient
            #expect(ReferenceNatural(try a.shiftedRight(by: k)) == down)
        }
    }

    @Test func equalValuesHashEquallyAndOrderIsTotal() async {
        await propertyCheck(count: 500, input: Gen.amount) { a in
            let copy = UInt256(littleEndianLimbs: a.littleEndianLimbs)
            #expect(copy == a && copy.hashValue == a.hashValue)
            let seen: [UInt256: Int] = [a: 1]
            #expect(seen[copy] == 1)
        }
        await propertyCheck(count: 20, input: Gen.amount.array(of: 2...200)) { values in
            let sorted = values.sorted()
            for (x, y) in zip(sorted, sorted.dropFirst()) { #expect(ReferenceNatural(x) <= ReferenceNatural(y)) }
        }
    }
}
