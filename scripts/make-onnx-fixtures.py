#!/usr/bin/env python3
"""Regenerates the ONNX interop fixtures of Tests/ONNXKitTests/Fixtures.

Each model is trained with scikit-learn on one of the project's data sets (Data/*.csv),
exported with skl2onnx, and run with onnxruntime on the same rows; the outputs go to
<name>.expected.json next to <name>.onnx. The Swift tests run the .onnx files with ONNXKit
and compare against these outputs; they need no Python.

    pip install onnx==1.23.2 skl2onnx==1.20.0 onnxruntime==1.32.0 scikit-learn==1.9.1
    python3 scripts/make-onnx-fixtures.py

The versions that made the committed files are recorded in Fixtures/versions.json.
breast_cancer_torch_mlp is a real torch.onnx export: a PyTorch MLP (30 -> 16 ReLU -> 2, input
normalisation inside the module) trained with torch on breast_cancer.csv. It needs the CPU
build of PyTorch (PyPI's default Linux wheel pulls several GB of CUDA libraries):

    pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

Without torch the script still writes every other fixture and leaves the committed torch one.
wine_torch_style_mlp, older, is a graph of the shape torch.onnx emits for nn.Sequential(Linear,
Tanh, Linear), built with onnx.helper from an MLPClassifier's trained weights.
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
import skl2onnx
import sklearn
from skl2onnx import to_onnx
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ONNXKitTests", "Fixtures")
TARGET_OPSET = {"": 15, "ai.onnx.ml": 3}


def load(name, header):
    """Features (float32, parsed via float64 exactly as the Swift tests do) and labels."""
    with open(os.path.join(ROOT, "Data", name)) as f:
        lines = [l.strip() for l in f if l.strip()]
    if header:
        lines = lines[1:]
    rows = [[float(v) for v in l.split(",")] for l in lines]
    x = np.array([r[:-1] for r in rows], dtype=np.float64).astype(np.float32)
    y = np.array([int(r[-1]) for r in rows], dtype=np.int64)
    return x, y


def encode(value):
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            data = [float(v) for v in value.astype(np.float32).ravel()]
            kind = "float"
        elif value.dtype.kind in "iu":
            data = [int(v) for v in value.ravel()]
            kind = "int64"
        else:
            data = [str(v) for v in value.ravel()]
            kind = "string"
        return {"kind": kind, "shape": list(value.shape), "data": data}
    if isinstance(value, list) and (not value or isinstance(value[0], dict)):
        return {"kind": "maps", "maps": [[[int(k), float(np.float32(v))] for k, v in sorted(m.items())] for m in value]}
    raise TypeError(f"unexpected output {type(value)}")


def export(name, model, x, data, header, rows, options=None):
    onx = to_onnx(model, x[:1], target_opset=TARGET_OPSET, options=options)
    raw = onx.SerializeToString()
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(raw)
    sess = ort.InferenceSession(raw, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0].name
    outputs = sess.run(None, {inp: x[:rows]})
    expected = {
        "model": name + ".onnx",
        "data": data,
        "header": header,
        "rows": rows,
        "featureColumns": int(x.shape[1]),
        "input": inp,
        "operators": sorted({n.op_type for n in onx.graph.node}),
        "outputs": {o.name: encode(v) for o, v in zip(sess.get_outputs(), outputs)},
    }
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
    print(name, len(raw), "bytes", expected["operators"])


def export_torch_style(name, x, y, data, header):
    """A graph shaped like what torch.onnx emits for nn.Sequential(Linear, Tanh, Linear) with
    input normalisation: Sub/Div, Flatten, Gemm(transB=1), Tanh, Gemm, Softmax, ArgMax,
    Identity, Cast, Concat, Mul. Weights come from an MLPClassifier trained on the data, so
    the predictions are meaningful; the graph is built with onnx.helper and run by onnxruntime."""
    from onnx import TensorProto, helper, numpy_helper
    mean, std = x.mean(axis=0), x.std(axis=0)
    mlp = MLPClassifier(hidden_layer_sizes=(10,), activation="tanh", max_iter=3000, random_state=2).fit((x - mean) / std, y)
    w1, w2 = mlp.coefs_[0].T.astype(np.float32), mlp.coefs_[1].T.astype(np.float32)
    b1, b2 = mlp.intercepts_[0].astype(np.float32), mlp.intercepts_[1].astype(np.float32)
    init = [numpy_helper.from_array(a, n) for a, n in [
        (mean.astype(np.float32), "mean"), (std.astype(np.float32), "std"), (w1, "fc1.weight"), (b1, "fc1.bias"),
        (w2, "fc2.weight"), (b2, "fc2.bias"), (np.array([2.0], dtype=np.float32), "two")]]
    nodes = [
        helper.make_node("Identity", ["input"], ["x0"]),
        helper.make_node("Sub", ["x0", "mean"], ["x1"]),
        helper.make_node("Div", ["x1", "std"], ["x2"]),
        helper.make_node("Flatten", ["x2"], ["x3"], axis=1),
        helper.make_node("Gemm", ["x3", "fc1.weight", "fc1.bias"], ["h1"], alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Tanh", ["h1"], ["a1"]),
        helper.make_node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        helper.make_node("ArgMax", ["logits"], ["label"], axis=1, keepdims=0),
        helper.make_node("Mul", ["logits", "two"], ["doubled"]),
        helper.make_node("Cast", ["label"], ["label_float"], to=TensorProto.FLOAT),
        helper.make_node("Reshape", ["label_float", "column"], ["label_column"]),
        helper.make_node("Concat", ["doubled", "label_column"], ["logits_and_label"], axis=1),
    ]
    init.append(numpy_helper.from_array(np.array([-1, 1], dtype=np.int64), "column"))
    graph = helper.make_graph(
        nodes, "torch_style_mlp", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", x.shape[1]])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 3]),
         helper.make_tensor_value_info("label", TensorProto.INT64, ["batch"]),
         helper.make_tensor_value_info("logits_and_label", TensorProto.FLOAT, ["batch", 4])],
        init)
    onx = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="make-onnx-fixtures")
    onx.ir_version = 8
    onnx.checker.check_model(onx)
    raw = onx.SerializeToString()
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(raw)
    sess = ort.InferenceSession(raw, providers=["CPUExecutionProvider"])
    outputs = sess.run(None, {"input": x})
    expected = {"model": name + ".onnx", "data": data, "header": header, "rows": len(x), "featureColumns": int(x.shape[1]),
                "input": "input", "operators": sorted({n.op_type for n in nodes}),
                "outputs": {o.name: encode(v) for o, v in zip(sess.get_outputs(), outputs)}}
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
    print(name, len(raw), "bytes", expected["operators"])


def export_torch_mlp(name, x, y, data, header):
    """A PyTorch MLP exported with torch.onnx.export (the TorchScript exporter, opset 17):
    (x - mean) / std, Linear(30, 16), ReLU, Linear(16, 2), then softmax probabilities and the
    argmax label. Trained full-batch with Adam from a fixed seed; onnxruntime's outputs on every
    row are the reference."""
    import torch

    torch.manual_seed(16)
    mean, std = x.mean(axis=0), x.std(axis=0)

    class MLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("mean", torch.tensor(mean))
            self.register_buffer("std", torch.tensor(std))
            self.fc1 = torch.nn.Linear(x.shape[1], 16)
            self.fc2 = torch.nn.Linear(16, 2)

        def forward(self, inputs):
            logits = self.fc2(torch.relu(self.fc1((inputs - self.mean) / self.std)))
            return torch.softmax(logits, dim=1), torch.argmax(logits, dim=1)

    net = MLP()
    optimiser = torch.optim.Adam(net.parameters(), lr=0.01)
    features, labels = torch.tensor(x), torch.tensor(y)
    for _ in range(300):
        optimiser.zero_grad()
        logits = net.fc2(torch.relu(net.fc1((features - net.mean) / net.std)))
        torch.nn.functional.cross_entropy(logits, labels).backward()
        optimiser.step()
    net.eval()
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(net, (features[:1],), path, input_names=["input"], output_names=["probabilities", "label"],
                      dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}, "label": {0: "batch"}},
                      opset_version=17, dynamo=False)
    onx = onnx.load(path)
    onnx.checker.check_model(onx)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    outputs = sess.run(None, {"input": x})
    expected = {"model": name + ".onnx", "data": data, "header": header, "rows": len(x), "featureColumns": int(x.shape[1]),
                "input": "input", "operators": sorted({n.op_type for n in onx.graph.node}),
                "producer": f"{onx.producer_name} {onx.producer_version}",
                "outputs": {o.name: encode(v) for o, v in zip(sess.get_outputs(), outputs)}}
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
    print(name, os.path.getsize(path), "bytes", expected["operators"], expected["producer"])
    return torch.__version__


def export_single_row_classifier(name, x, y, data, header, transform):
    """A LinearClassifier with one coefficient row and two labels (the binary form some
    converters emit), behind a Scaler: onnxruntime decides the label on the raw score's sign
    and widens the scores to two columns; this pins down exactly how."""
    from onnx import TensorProto, helper
    mean, std = x.mean(axis=0), x.std(axis=0)
    lr = LogisticRegression(max_iter=1000).fit((x - mean) / std, y)
    nodes = [
        helper.make_node("Scaler", ["X"], ["scaled"], domain="ai.onnx.ml", offset=mean.astype(np.float32).tolist(),
                         scale=(1 / std).astype(np.float32).tolist()),
        helper.make_node("LinearClassifier", ["scaled"], ["label", "scores"], domain="ai.onnx.ml",
                         coefficients=lr.coef_[0].astype(np.float32).tolist(), intercepts=[float(lr.intercept_[0])],
                         classlabels_ints=[0, 1], post_transform=transform),
    ]
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", x.shape[1]])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
         helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", 2])])
    onx = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15), helper.make_opsetid("ai.onnx.ml", 3)],
                            producer_name="make-onnx-fixtures")
    onx.ir_version = 8
    onnx.checker.check_model(onx)
    raw = onx.SerializeToString()
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(raw)
    sess = ort.InferenceSession(raw, providers=["CPUExecutionProvider"])
    rows = 120
    outputs = sess.run(None, {"X": x[:rows]})
    expected = {"model": name + ".onnx", "data": data, "header": header, "rows": rows, "featureColumns": int(x.shape[1]),
                "input": "X", "operators": ["LinearClassifier", "Scaler"],
                "outputs": {o.name: encode(v) for o, v in zip(sess.get_outputs(), outputs)}}
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
    print(name, len(raw), "bytes", expected["operators"])


def export_helper_model(name, nodes, inputs, outputs, init, opsets, x, data, header, rows, operators):
    """Saves a graph built with onnx.helper and onnxruntime's outputs on the first `rows` rows."""
    from onnx import helper
    graph = helper.make_graph(nodes, name, inputs, outputs, init)
    onx = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets], producer_name="make-onnx-fixtures")
    onx.ir_version = 8
    onnx.checker.check_model(onx)
    raw = onx.SerializeToString()
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(raw)
    sess = ort.InferenceSession(raw, providers=["CPUExecutionProvider"])
    result = sess.run(None, {inputs[0].name: x[:rows]})
    expected = {"model": name + ".onnx", "data": data, "header": header, "rows": rows, "featureColumns": int(x.shape[1]),
                "input": inputs[0].name, "operators": operators,
                "outputs": {o.name: encode(v) for o, v in zip(sess.get_outputs(), result)}}
    with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
    print(name, len(raw), "bytes", operators)


def export_semantics(wx, dx):
    """Operator options the exporters above do not reach, pinned against onnxruntime:
    Normalizer MAX and L2, a two-target LinearRegressor, LinearClassifier with SOFTMAX_ZERO,
    ArgMax with select_last_index, and Softmax under opset 11 (input coerced to 2-D)."""
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(16)
    f = wx.shape[1]
    coef = rng.normal(0, 0.05, size=(3, f)).astype(np.float32)
    coef[:, 0] = 0  # some zero scores for SOFTMAX_ZERO to skip
    nodes = [
        helper.make_node("Normalizer", ["X"], ["max_norm"], domain="ai.onnx.ml", norm="MAX"),
        helper.make_node("Normalizer", ["X"], ["l2_norm"], domain="ai.onnx.ml", norm="L2"),
        helper.make_node("LinearRegressor", ["X"], ["two_targets"], domain="ai.onnx.ml",
                         coefficients=rng.normal(0, 0.1, size=2 * f).astype(np.float32).tolist(), intercepts=[1.5, -2.0], targets=2),
        helper.make_node("LinearClassifier", ["l2_norm"], ["label", "softmax_zero"], domain="ai.onnx.ml",
                         coefficients=coef.ravel().tolist(), intercepts=[0.0, 0.1, 0.0], classlabels_ints=[7, 8, 9],
                         post_transform="SOFTMAX_ZERO", multi_class=1),
        helper.make_node("Cast", ["X"], ["rounded"], to=TensorProto.INT64),
        helper.make_node("ArgMax", ["rounded"], ["last_max"], axis=1, keepdims=0, select_last_index=1),
    ]
    export_helper_model(
        "wine_operator_semantics", nodes,
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", f])],
        [helper.make_tensor_value_info("max_norm", TensorProto.FLOAT, ["N", f]),
         helper.make_tensor_value_info("l2_norm", TensorProto.FLOAT, ["N", f]),
         helper.make_tensor_value_info("two_targets", TensorProto.FLOAT, ["N", 2]),
         helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
         helper.make_tensor_value_info("softmax_zero", TensorProto.FLOAT, ["N", 3]),
         helper.make_tensor_value_info("last_max", TensorProto.INT64, ["N"])],
        [], [("", 15), ("ai.onnx.ml", 3)], wx, "wine.csv", True, 60,
        ["ArgMax", "Cast", "LinearClassifier", "LinearRegressor", "Normalizer"])
    nodes = [
        helper.make_node("Reshape", ["X", "shape"], ["grid"]),
        helper.make_node("Div", ["grid", "sixteen"], ["scaled"]),
        helper.make_node("Softmax", ["scaled"], ["softmax11"]),
    ]
    init = [numpy_helper.from_array(np.array([-1, 4, 16], dtype=np.int64), "shape"),
            numpy_helper.from_array(np.array(16.0, dtype=np.float32), "sixteen")]
    export_helper_model(
        "digits_softmax_opset11", nodes,
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("softmax11", TensorProto.FLOAT, ["N", 4, 16])],
        init, [("", 11)], dx, "digits.csv", False, 40, ["Div", "Reshape", "Softmax"])


def main():
    os.makedirs(OUT, exist_ok=True)
    bx, by = load("breast_cancer.csv", True)
    wx, wy = load("wine.csv", True)
    dx, dy = load("digits.csv", False)

    export("breast_cancer_logistic", make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(bx, by),
           bx, "breast_cancer.csv", True, len(bx))
    export("wine_logistic", make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(wx, wy),
           wx, "wine.csv", True, len(wx))
    export("digits_logistic_plain", LogisticRegression(max_iter=3000).fit(dx, dy),
           dx, "digits.csv", False, 300, options={LogisticRegression: {"zipmap": False}})
    # Regression on all 13 wine features; the target (cultivar + alcohol) is arbitrary but
    # real-valued, so the outputs are scores to compare, not labels.
    export("wine_linear_regression", LinearRegression().fit(wx, wy.astype(np.float32) + wx[:, 0]),
           wx, "wine.csv", True, len(wx))
    export("breast_cancer_mlp", make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=2000, random_state=1)).fit(bx, by),
           bx, "breast_cancer.csv", True, len(bx))
    export("wine_mlp", make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16, 8), activation="relu", max_iter=2000, random_state=1)).fit(wx, wy),
           wx, "wine.csv", True, len(wx))
    export("breast_cancer_scaler", StandardScaler().fit(bx), bx, "breast_cancer.csv", True, 100)
    export_torch_style("wine_torch_style_mlp", wx, wy, "wine.csv", True)
    export_single_row_classifier("breast_cancer_single_row_logistic", bx, by, "breast_cancer.csv", True, "LOGISTIC")
    export_single_row_classifier("breast_cancer_single_row_raw", bx, by, "breast_cancer.csv", True, "NONE")
    export_semantics(wx, dx)
    try:
        torch_version = export_torch_mlp("breast_cancer_torch_mlp", bx, by, "breast_cancer.csv", True)
    except ImportError:
        print("torch is not installed: breast_cancer_torch_mlp left as committed")
        with open(os.path.join(OUT, "versions.json")) as f:
            torch_version = json.load(f).get("torch")

    versions = {"torch": torch_version, "python": sys.version.split()[0], "numpy": np.__version__, "onnx": onnx.__version__,
                "onnxruntime": ort.__version__, "skl2onnx": skl2onnx.__version__, "scikit-learn": sklearn.__version__,
                "target_opset": TARGET_OPSET}
    with open(os.path.join(OUT, "versions.json"), "w") as f:
        json.dump(versions, f, indent=1, sort_keys=True)
    print(versions)


if __name__ == "__main__":
    main()
