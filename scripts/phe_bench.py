#!/usr/bin/env python3
"""Times python-paillier (phe) beside HECore's Paillier benchmark rows.

A development tool (`pip install phe gmpy2`); the Swift benchmark runs it when `python3 -c
"import phe"` works and prints its figures beside its own, measured in the same run. Prints one
JSON object of seconds per operation on stdout:

  encrypt          one standard encryption (2048-bit key)
  decrypt          one decryption
  add              one ciphertext addition
  dot100_int16     a dot product of 100 ciphertexts with 16-bit integer weights
  aggregate_per_value_x1000
                   1,000 values from 5 owners, one ciphertext per value (encrypt, add, decrypt)
"""
import json
import random
import sys
import time

import phe


def best(body, rounds=3):
    out = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        body()
        out = min(out, time.perf_counter() - start)
    return out


def main():
    bits = int(sys.argv[1]) if len(sys.argv) > 1 else 2048
    rng = random.Random(15)
    pk, sk = phe.generate_paillier_keypair(n_length=bits)
    figures = {"phe": phe.__version__, "gmpy2": getattr(phe.util, "HAVE_GMP", False), "bits": bits}
    values = [rng.uniform(-100, 100) for _ in range(100)]
    figures["encrypt"] = best(lambda: [pk.encrypt(v) for v in values[:20]]) / 20
    cts = [pk.encrypt(v) for v in values]
    figures["decrypt"] = best(lambda: [sk.decrypt(c) for c in cts[:20]]) / 20
    figures["add"] = best(lambda: [cts[i] + cts[i + 1] for i in range(99)]) / 99
    weights = [rng.randrange(-32768, 32768) for _ in range(100)]

    def dot():
        total = cts[0] * weights[0]
        for c, w in zip(cts[1:], weights[1:]):
            total = total + c * w
        return total

    figures["dot100_int16"] = best(dot)
    owners = [[rng.uniform(-8, 8) for _ in range(40)] for _ in range(5)]

    def aggregate():
        encrypted = [[pk.encrypt(v) for v in owner] for owner in owners]
        sums = [sum(column[1:], column[0]) for column in zip(*encrypted)]
        return [sk.decrypt(s) for s in sums]

    # 40 values from 5 owners, scaled to 1,000 values (linear in the count).
    figures["aggregate_per_value_x1000"] = best(aggregate, rounds=1) * 25
    json.dump(figures, sys.stdout)
    print()


if __name__ == "__main__":
    main()
