#!/usr/bin/env python3
"""onnxruntime's figures for Benchmarks/ (area `models`), printed as JSON on standard output.

Same models, same rows (Data/breast_cancer.csv) and same measurements as ModelsBench.swift:
batch rows/s (best of 5 rounds of 20 batches of all 569 rows) and single-row latency p50/p99
over 5000 calls, with one intra-op and one inter-op thread. Only the benchmark calls this;
tests never need Python.
"""
import json
import os
import time

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    with open(os.path.join(ROOT, "Data", "breast_cancer.csv")) as f:
        lines = [l.strip() for l in f if l.strip()][1:]
    x = np.array([[float(v) for v in l.split(",")[:-1]] for l in lines], dtype=np.float64).astype(np.float32)
    out = {}
    for name in ["breast_cancer_logistic.onnx", "breast_cancer_mlp.onnx"]:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        sess = ort.InferenceSession(os.path.join(ROOT, "Tests", "ONNXKitTests", "Fixtures", name), opts, providers=["CPUExecutionProvider"])
        inp = sess.get_inputs()[0].name
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter_ns()
            for _ in range(20):
                sess.run(None, {inp: x})
            best = min(best, (time.perf_counter_ns() - start) / 1e9 / (20 * len(x)))
        samples = []
        singles = [x[i:i + 1] for i in range(len(x))]
        for i in range(5000):
            start = time.perf_counter_ns()
            sess.run(None, {inp: singles[i % len(singles)]})
            samples.append(time.perf_counter_ns() - start)
        samples.sort()
        out[name] = {"batch_rows_per_s": 1 / best, "p50_s": samples[2500] / 1e9, "p99_s": samples[min(4999, 5000 * 99 // 100)] / 1e9}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
