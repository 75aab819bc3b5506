#!/usr/bin/python3
"""Writes the batching benchmark's MLPs: I -> H -> ReLU -> H -> ReLU -> 1 (I = 256, H = 512 by default),
input "features" f32 [N,I], output "output" f32 [N,1], with deterministic weights.

    make-wide-mlp.py OUT.onnx [H] [I]

- wide_mlp (committed, 1.5 MB): make-wide-mlp.py tests/LyftServing.Benchmarks/assets/models/wide_mlp/1/model.onnx
- wider_mlp (5 MB): H = 1024; large_mlp (80 MB, more than the L3 cache): H = 4096, I = 1024. Not committed:
  the batching harness runs this script to write them into its output folder on first use.

Run with Debian's interpreter (packages python3-onnx python3-numpy).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(20261127)


def dense(name, fan_in, fan_out):
    weight = (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32)
    bias = (rng.standard_normal(fan_out) * 0.01).astype(np.float32)
    return numpy_helper.from_array(weight, name + ".weight"), numpy_helper.from_array(bias, name + ".bias")


hidden = int(sys.argv[2]) if len(sys.argv) > 2 else 512
width = int(sys.argv[3]) if len(sys.argv) > 3 else 256
layers = [("l1", width, hidden), ("l2", hidden, hidden), ("l3", hidden, 1)]
initializers, nodes, current = [], [], "features"
for index, (name, fan_in, fan_out) in enumerate(layers):
    weight, bias = dense(name, fan_in, fan_out)
    initializers += [weight, bias]
    output = "output" if index == len(layers) - 1 else name + ".out"
    nodes.append(helper.make_node("Gemm", [current, weight.name, bias.name], [output if index == len(layers) - 1 else name + ".gemm"]))
    if index < len(layers) - 1:
        nodes.append(helper.make_node("Relu", [name + ".gemm"], [output]))
    current = output

graph = helper.make_graph(
    nodes,
    "wide_mlp",
    [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", width])],
    [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 1])],
    initializers)
model = helper.make_model(graph, producer_name="lyftserving-make-wide-mlp", opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)
os.makedirs(os.path.dirname(os.path.abspath(sys.argv[1])), exist_ok=True)
onnx.save(model, sys.argv[1])
