internal import GMPSupport
import Foundation

extension BigInteger {
    /// The exact integer value of a finite `Double`'s significand and its binary exponent:
    /// `value = significand · 2^exponent`, significand signed.
    static func exactParts(of value: Double) -> (significand: BigInteger, exponent: Int) {
        let bits = value.significandBitPattern
        let biased = Int(value.exponentBitPattern)
        let magnitude: UInt64 = biased == 0 ? bits : bits | (1 << 52)
        let exponent = biased == 0 ? -1074 : biased - 1075
        let significand = BigInteger { $0.set(UInt(magnitude)) }
        return (value.sign == .minus ? -significand : significand, exponent)
    }

    /// `self · 2^power` rounded once to the nearest `Double` (ties to even), subnormals included,
    /// as Python's true division of integers does; GMP's own `mpz_get_d` truncates instead.
    ///
    /// - Throws: `HEError.doubleOverflow` when the result is 2^1024 or more in magnitude.
    func correctlyRoundedDouble(timesPowerOfTwo power: Int) throws(HEError) -> Double {
        guard !isZero else { return 0 }
        let mag = magnitude
        let length = mag.bitWidth
        let top = length - 1 + power  // value in [2^top, 2^(top+1))
        guard top < 1024 else { throw .doubleOverflow(exponent: top) }
        let precision = top >= -1022 ? 53 : 53 - (-1022 - top)
        let drop = length - precision
        var result: Double
        if drop <= 0 {
            // At most `precision` bits: the scaled value is representable, so scalbn is exact.
            result = scalbn(Double(mag.raw.lowWord), power)
        } else {
            let top53 = mag.shifted(by: -drop)
            var kept = withExtendedLifetime(top53) { top53.raw.lowWord }
            let halfBit = mag.testBit(drop - 1)
            let sticky = drop >= 2 && mag.raw.firstSetBit(from: 0) < UInt(drop - 1)
            if halfBit && (sticky || kept & 1 == 1) { kept += 1 }
            // `kept` has at most `precision` bits (or is 2^precision): exact again.
            result = scalbn(Double(kept), drop + power)
        }
        guard result.isFinite else { throw .doubleOverflow(exponent: top) }
        return signum < 0 ? -result : result
    }
}

