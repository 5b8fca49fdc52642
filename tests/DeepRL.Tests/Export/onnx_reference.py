#!/usr/bin/python3
"""Independent check of an exported DeepRL policy, without ONNX Runtime.

1. ONNX's own checker (full) and strict shape inference.
2. The graph evaluated in float64 NumPy: only the operators DeepRL emits, each written from the ONNX operator spec.

usage: onnx_reference.py MODEL.onnx REQUEST.json
REQUEST.json: {"inputs": {name: {"file": raw little-endian file, "dtype": "float32"|"bool", "shape": [...]}},
               "output_dir": folder}
Writes each graph output to output_dir/NAME.bin (float outputs as float64, integer outputs as int64) and
output_dir/outputs.json with their shapes and dtypes; prints one line per check.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference


def attributes(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def conv(x, w, b, a):
    # NCHW, group 1, dilation 1 (what DeepRL emits); pads = [top, left, bottom, right].
    if a.get("group", 1) != 1 or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise ValueError("unsupported Conv attributes")
    pads = a.get("pads", [0, 0, 0, 0])
    sh, sw = a.get("strides", [1, 1])
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    kh, kw = w.shape[2], w.shape[3]
    oh = (x.shape[2] - kh) // sh + 1
    ow = (x.shape[3] - kw) // sw + 1
    out = np.zeros((x.shape[0], w.shape[0], oh, ow))
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out + b[None, :, None, None]


def gemm(a_, b_, c_, a):
    if a.get("transA", 0):
        a_ = a_.T
    if a.get("transB", 0):
        b_ = b_.T
    return a.get("alpha", 1.0) * (a_ @ b_) + a.get("beta", 1.0) * c_


def lstm(x, w, r, b, h, c, a):
    # ONNX LSTM, one direction, default activations: gates ordered i, o, f, c.
    if a.get("direction", "forward") not in ("forward", b"forward"):
        raise ValueError("unsupported LSTM direction")
    hidden = a["hidden_size"]
    wb, rb = b[0, :4 * hidden], b[0, 4 * hidden:]
    h, c = h[0], c[0]
    ys = []
    for t in range(x.shape[0]):
        gates = x[t] @ w[0].T + h @ r[0].T + wb + rb
        i, o, f, g = np.split(gates, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        ys.append(h)
    return np.stack(ys)[:, None], h[None], c[None]


def evaluate(model, feeds):
    values = {t.name: numpy_helper.to_array(t).astype(np.float64) if t.data_type == onnx.TensorProto.FLOAT
              else numpy_helper.to_array(t) for t in model.graph.initializer}
    values.update(feeds)
    for node in model.graph.node:
        a = attributes(node)
        x = [values[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Conv":
            out = [conv(x[0], x[1], x[2], a)]
        elif op == "Gemm":
            out = [gemm(x[0], x[1], x[2], a)]
        elif op == "Relu":
            out = [np.maximum(x[0], 0.0)]
        elif op == "Tanh":
            out = [np.tanh(x[0])]
        elif op == "Flatten":
            axis = a.get("axis", 1)
            out = [x[0].reshape(int(np.prod(x[0].shape[:axis])), -1)]
        elif op == "Reshape":
            out = [x[0].reshape([int(d) for d in x[1]])]
        elif op == "ReduceMean":
            out = [x[0].mean(axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1)))]
        elif op == "Add":
            out = [x[0] + x[1]]
        elif op == "Sub":
            out = [x[0] - x[1]]
        elif op == "Identity":
            out = [x[0]]
        elif op == "Where":
            out = [np.where(x[0], x[1], x[2])]
        elif op == "ArgMax":
            if a.get("select_last_index", 0):
                raise ValueError("unsupported ArgMax attributes")
            out = [np.argmax(x[0], axis=a.get("axis", 0)).astype(np.int64)]
            if a.get("keepdims", 1):
                out = [np.expand_dims(out[0], a.get("axis", 0))]
        elif op == "LSTM":
            out = list(lstm(x[0], x[1], x[2], x[3], x[5], x[6], a))
        else:
            raise ValueError(f"operator {op} has no reference implementation here")
        for name, value in zip(node.output, out):
            if name:
                values[name] = value
    return {o.name: values[o.name] for o in model.graph.output}


def main():
    model_path, request_path = sys.argv[1], sys.argv[2]
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    print("checker: ok")
    shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    print("shape inference: ok")
    request = json.load(open(request_path))
    feeds = {}
    for name, spec in request["inputs"].items():
        dtype = {"float32": np.float32, "bool": np.bool_}[spec["dtype"]]
        array = np.fromfile(spec["file"], dtype=dtype).reshape(spec["shape"])
        feeds[name] = array.astype(np.float64) if dtype == np.float32 else array
    outputs = evaluate(model, feeds)
    described = {}
    for name, value in outputs.items():
        kind = "int64" if np.issubdtype(value.dtype, np.integer) else "float64"
        value.astype(kind).tofile(os.path.join(request["output_dir"], name + ".bin"))
        described[name] = {"dtype": kind, "shape": list(value.shape)}
    json.dump(described, open(os.path.join(request["output_dir"], "outputs.json"), "w"))
    print("reference evaluation: ok (" + ", ".join(sorted(outputs)) + ")")


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # one clear line for the calling test
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
