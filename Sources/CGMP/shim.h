#ifndef DATAMARKET_CGMP_SHIM_H
#define DATAMARKET_CGMP_SHIM_H
#include <gmp.h>

// GMP spells most of its API as macros (`#define mpz_powm __gmpz_powm`) and a few as
// function-like macros, which Swift cannot import. HECore calls the `__gmpz_*` symbols
// directly; the function-like macros it needs are re-exported here as inline functions.

static inline int cgmp_mpz_sgn(const mpz_t x) { return mpz_sgn(x); }
static inline int cgmp_mpz_odd_p(const mpz_t x) { return mpz_odd_p(x); }
static inline int cgmp_mpz_even_p(const mpz_t x) { return mpz_even_p(x); }
static inline size_t cgmp_mpz_size(const mpz_t x) { return mpz_size(x); }
#endif
