#!/usr/bin/env python3
"""Regenerates Data/breast_cancer.databounty-reference.json: scikit-learn's accuracy on the
split `dmctl demo` (seed 42) uses for its data bounty.

A development tool only (tests read the JSON it writes; they never run Python):
`pip install numpy scikit-learn pycryptodome`, then `python3 scripts/sklearn_databounty_reference.py`.

The split is reproduced exactly as the demo makes it:
  seed  = first 8 bytes (big-endian) of Keccak-256(RLP([42, "data bounty split"]))
  order = Fisher-Yates shuffle of 0..<569 from the end, j = below(i + 1) with SplitMix64 and
          Lemire's rejection method (ModelMarketKit's SplitMix64)
  test  = the first 569 // 5 = 113 shuffled rows, train = the rest
Features are standardised with the training rows' mean and population standard deviation
(ModelMarketKit's Standardizer, the same as StandardScaler), then LogisticRegression(C=1)
is fitted on the training rows and scored on the test rows.
"""
import csv
import json
import os
import sys

import numpy as np
import sklearn
from Crypto.Hash import keccak
from sklearn.linear_model import LogisticRegression

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, bound):
        while True:
            product = self.next() * bound
            if product & MASK >= ((1 << 64) - bound) % bound:
                return product >> 64

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def rlp_string(data):
    if len(data) == 1 and data[0] < 0x80:
        return data
    assert len(data) < 56
    return bytes([0x80 + len(data)]) + data


def rlp_uint(value):
    return rlp_string(value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b"")


def subseed(seed, label):
    payload = rlp_uint(seed) + rlp_string(label.encode())
    assert len(payload) < 56
    digest = keccak.new(digest_bits=256, data=bytes([0xC0 + len(payload)]) + payload).digest()
    return int.from_bytes(digest[:8], "big")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "Data", "breast_cancer.csv")) as f:
        rows = list(csv.reader(f))[1:]
    x = np.array([[float(v) for v in r[:-1]] for r in rows])
    y = np.array([int(r[-1]) for r in rows])
    demo_seed = 42
    seed = subseed(demo_seed, "data bounty split")
    order = list(range(len(y)))
    SplitMix64(seed).shuffle(order)
    test_count = len(y) // 5
    test, train = order[:test_count], order[test_count:]
    mean = x[train].mean(axis=0)
    std = x[train].std(axis=0)
    std[std <= 1e-12] = 1
    z_train, z_test = (x[train] - mean) / std, (x[test] - mean) / std
    model = LogisticRegression(C=1.0, max_iter=10_000).fit(z_train, y[train])
    correct = int((model.predict(z_test) == y[test]).sum())
    out = {
        "about": "scikit-learn LogisticRegression(C=1) on standardised features, on the data-bounty "
                 "split of `dmctl demo --seed 42`; written by scripts/sklearn_databounty_reference.py",
        "demoSeed": demo_seed,
        "splitSeed": str(seed),
        "rows": len(y),
        "testCount": test_count,
        "testIndices": test,
        "correct": correct,
        "accuracy": correct / test_count,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
    }
    path = os.path.join(root, "Data", "breast_cancer.databounty-reference.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"{path}: {correct}/{test_count} = {correct / test_count:.4%}", file=sys.stderr)


if __name__ == "__main__":
    main()
