#!/usr/bin/env python3
"""python-paillier's side of the `he-cli` benchmark row (Benchmarks/…/HEBatchCLIBench.swift).

A development tool (`pip install phe gmpy2`), never run by the tests. Does in one process what
`dmctl he encrypt --input VALUES --key PUBLIC` does: reads a pheutil public key and a file of
one number a line, encrypts every number with phe and prints one pheutil ciphertext JSON a
line. Usage: phe_encrypt_file.py PUBLIC.json VALUES.txt
"""
import json
import sys

import phe
from phe import util


def main():
    with open(sys.argv[1]) as f:
        jwk = json.load(f)
    pk = phe.PaillierPublicKey(n=util.base64_to_int(jwk["n"]))
    out = []
    with open(sys.argv[2]) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            value = int(line) if line.lstrip("-").isdigit() else float(line)
            c = pk.encrypt(value)
            out.append(json.dumps({"v": str(c.ciphertext()), "e": c.exponent}))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
