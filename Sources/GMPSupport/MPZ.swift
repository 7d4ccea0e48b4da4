// `package import` rather than `internal import`: the `@inlinable` methods below are inlined
// into HECore's hot loops (Paillier exponentiations and fixed-base tables), and inlinable code
// may only name declarations of a module imported at least at `package` level. The C module
// still reaches no public signature, and no other target imports it.
package import CGMP

/// The package's one wrapper of GMP: a handle to one initialised `mpz_t`, with GMP's in-place
/// operations as methods that write their result into the receiver (`t.multiply(a, b)` is
/// `mpz_mul(t, a, b)`). GMP needs no process-wide initialisation.
///
/// The handle does not own its storage: whoever calls ``allocate()`` calls ``deallocate()``
/// exactly once (HECore's `BigInteger` does so in `deinit`), and keeps the owner alive while
/// the handle is used. Operands may alias the receiver, as in GMP.
package struct MPZ {
    /// The `mpz_t`; only this module sees the C type.
    @usableFromInline let pointer: UnsafeMutablePointer<__mpz_struct>

    /// Wraps an initialised `mpz_t`.
    @inlinable init(pointer: UnsafeMutablePointer<__mpz_struct>) { self.pointer = pointer }

    /// A fresh integer equal to 0; release it with ``deallocate()``.
    @inlinable package static func allocate() -> MPZ {
        let pointer = UnsafeMutablePointer<__mpz_struct>.allocate(capacity: 1)
        __gmpz_init(pointer)
        return MPZ(pointer: pointer)
    }

    /// Frees the limbs and the `mpz_t` itself; the handle must not be used afterwards.
    @inlinable package func deallocate() {
        __gmpz_clear(pointer)
        pointer.deallocate()
    }

    // MARK: - Assignment

    /// self ← x.
    @inlinable package func set(_ x: MPZ) { __gmpz_set(pointer, x.pointer) }
    /// self ← value.
    @inlinable package func set(_ value: Int) { __gmpz_set_si(pointer, value) }
    /// self ← value.
    @inlinable package func set(_ value: UInt) { __gmpz_set_ui(pointer, value) }

    /// self ← the integer written in `text` in base 10; false (self unspecified) when GMP
    /// rejects the text.
    package func setDecimal(_ text: String) -> Bool { __gmpz_set_str(pointer, text, 10) == 0 }

    /// self ← the non-negative integer whose big-endian bytes are `bytes` (empty means 0).
    package func setBigEndian(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else {
                __gmpz_set_ui(pointer, 0)
                return
            }
            __gmpz_import(pointer, buffer.count, 1, 1, 1, 0, base)
        }
    }

    // MARK: - Arithmetic (result into self)

    /// self ← a + b.
    @inlinable package func add(_ a: MPZ, _ b: MPZ) { __gmpz_add(pointer, a.pointer, b.pointer) }
    /// self ← a + b.
    @inlinable package func add(_ a: MPZ, _ b: UInt) { __gmpz_add_ui(pointer, a.pointer, b) }
    /// self ← a − b.
    @inlinable package func subtract(_ a: MPZ, _ b: MPZ) { __gmpz_sub(pointer, a.pointer, b.pointer) }
    /// self ← a − b.
    @inlinable package func subtract(_ a: MPZ, _ b: UInt) { __gmpz_sub_ui(pointer, a.pointer, b) }
    /// self ← a · b.
    @inlinable package func multiply(_ a: MPZ, _ b: MPZ) { __gmpz_mul(pointer, a.pointer, b.pointer) }
    /// self ← −a.
    @inlinable package func negate(_ a: MPZ) { __gmpz_neg(pointer, a.pointer) }
    /// self ← ⌊a / b⌋ (b ≠ 0).
    @inlinable package func floorDivide(_ a: MPZ, _ b: MPZ) { __gmpz_fdiv_q(pointer, a.pointer, b.pointer) }
    /// self ← ⌊a / b⌋ (b ≠ 0).
    @inlinable package func floorDivide(_ a: MPZ, _ b: UInt) { _ = __gmpz_fdiv_q_ui(pointer, a.pointer, b) }
    /// self ← a / b where b divides a exactly (faster than a general division).
    @inlinable package func divideExactly(_ a: MPZ, _ b: MPZ) { __gmpz_divexact(pointer, a.pointer, b.pointer) }
    /// self ← a mod m, the least non-negative residue (m ≠ 0).
    @inlinable package func modulo(_ a: MPZ, _ m: MPZ) { __gmpz_mod(pointer, a.pointer, m.pointer) }
    /// self ← a − m·trunc(a / m), the remainder with a's sign (m ≠ 0); for a ≥ 0 the cheapest
    /// reduction.
    @inlinable package func truncatedRemainder(_ a: MPZ, _ m: MPZ) { __gmpz_tdiv_r(pointer, a.pointer, m.pointer) }
    /// self ← a · 2^bits.
    @inlinable package func shiftLeft(_ a: MPZ, by bits: Int) { __gmpz_mul_2exp(pointer, a.pointer, mp_bitcnt_t(bits)) }
    /// self ← ⌊a / 2^bits⌋.
    @inlinable package func floorShiftRight(_ a: MPZ, by bits: Int) {
        __gmpz_fdiv_q_2exp(pointer, a.pointer, mp_bitcnt_t(bits))
    }
    /// self ← a mod 2^bits (non-negative).
    @inlinable package func lowBits(_ a: MPZ, count bits: Int) { __gmpz_fdiv_r_2exp(pointer, a.pointer, mp_bitcnt_t(bits)) }
    /// self ← base^exponent mod m in variable time (exponent ≥ 0, m ≠ 0).
    @inlinable package func power(_ base: MPZ, _ exponent: MPZ, modulo m: MPZ) {
        __gmpz_powm(pointer, base.pointer, exponent.pointer, m.pointer)
    }
    /// self ← base^exponent mod m with GMP's side-channel-silent exponentiation, for secret
    /// exponents (exponent > 0, m odd).
    @inlinable package func powerSecret(_ base: MPZ, _ exponent: MPZ, modulo m: MPZ) {
        __gmpz_powm_sec(pointer, base.pointer, exponent.pointer, m.pointer)
    }
    /// self ← base^exponent for small operands.
    @inlinable package func power(_ base: UInt, _ exponent: UInt) { __gmpz_ui_pow_ui(pointer, base, exponent) }
    /// self ← a⁻¹ mod m; false (self unspecified) when a has no inverse.
    @inlinable package func invert(_ a: MPZ, modulo m: MPZ) -> Bool { __gmpz_invert(pointer, a.pointer, m.pointer) != 0 }
    /// self ← gcd(a, b) ≥ 0.
    @inlinable package func gcd(_ a: MPZ, _ b: MPZ) { __gmpz_gcd(pointer, a.pointer, b.pointer) }
    /// self ← the product of all primes ≤ limit.
    package func primorial(_ limit: UInt) { __gmpz_primorial_ui(pointer, limit) }
    /// Sets bit `index` of self.
    @inlinable package func setBit(_ index: Int) { __gmpz_setbit(pointer, mp_bitcnt_t(index)) }
    /// self ← the next probable prime greater than a.
    package func nextPrime(after a: MPZ) { __gmpz_nextprime(pointer, a.pointer) }

    // MARK: - Queries

    /// −1, 0 or 1 according to the sign.
    @inlinable package var sign: Int { Int(cgmp_mpz_sgn(pointer)) }
    /// Whether the value is odd.
    @inlinable package var isOdd: Bool { cgmp_mpz_odd_p(pointer) != 0 }
    /// Digits of the magnitude in `base` (2…62): exact for powers of two, possibly one too
    /// many otherwise; 1 for zero.
    @inlinable package func digitCount(base: Int) -> Int { Int(__gmpz_sizeinbase(pointer, Int32(base))) }
    /// Whether bit `index` (≥ 0) of the two's-complement form is set.
    @inlinable package func testBit(_ index: Int) -> Bool { __gmpz_tstbit(pointer, mp_bitcnt_t(index)) != 0 }
    /// The value, when it fits an `Int`.
    @inlinable package var intValue: Int? { __gmpz_fits_slong_p(pointer) != 0 ? __gmpz_get_si(pointer) : nil }
    /// The low `UInt.bitWidth` bits of the magnitude.
    @inlinable package var lowWord: UInt { __gmpz_get_ui(pointer) }
    /// The index of the first set bit at or above `start` (`UInt.max` when none).
    @inlinable package func firstSetBit(from start: Int) -> UInt { __gmpz_scan1(pointer, mp_bitcnt_t(start)) }
    /// Three-way comparison with `other`: negative, zero or positive.
    @inlinable package func compare(_ other: MPZ) -> Int { Int(__gmpz_cmp(pointer, other.pointer)) }
    /// Whether the value is a perfect square.
    package var isPerfectSquare: Bool { __gmpz_perfect_square_p(pointer) != 0 }
    /// Whether the value is probably prime after `rounds` Miller–Rabin rounds.
    package func isProbablePrime(rounds: Int) -> Bool { __gmpz_probab_prime_p(pointer, Int32(clamping: rounds)) != 0 }

    /// The value in base 10, with a leading `-` when negative.
    package var decimalString: String {
        var buffer = [CChar](repeating: 0, count: digitCount(base: 10) + 2)
        buffer.withUnsafeMutableBufferPointer { _ = __gmpz_get_str($0.baseAddress, 10, pointer) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The magnitude as minimal big-endian bytes (empty for zero).
    package var bigEndianMagnitude: [UInt8] {
        guard sign != 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: (digitCount(base: 2) + 7) / 8)
        var written = 0
        bytes.withUnsafeMutableBytes { buffer in
            _ = __gmpz_export(buffer.baseAddress, &written, 1, 1, 1, 0, pointer)
        }
        return Array(bytes.prefix(written))
    }
}

/// A contiguous run of initialised `mpz_t`s (precomputed power tables, scratch space), freed
/// together with ``deallocate()``.
package struct MPZBuffer {
    /// The first `mpz_t`.
    @usableFromInline let base: UnsafeMutablePointer<__mpz_struct>
    /// The number of integers.
    package let count: Int

    /// `count` fresh integers equal to 0 (at least one is allocated, so the buffer always has
    /// an address); release them with ``deallocate()``.
    package init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(1, count))
        for i in 0..<count { __gmpz_init(base + i) }
    }

    /// The integer at `index` (0 ≤ index < count).
    @inlinable package subscript(index: Int) -> MPZ { MPZ(pointer: base + index) }

    /// Clears every integer and frees the storage; the buffer must not be used afterwards.
    package func deallocate() {
        for i in 0..<count { __gmpz_clear(base + i) }
        base.deallocate()
    }
}
