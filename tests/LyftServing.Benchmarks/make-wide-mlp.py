#!/usr/bin/python3
"""Writes the batching benchmark's wide MLPs: 256 -> H -> ReLU -> H -> ReLU -> 1 (H = 512 by default),
input "features" f32 [N,256], output "output" f32 [N,1], with deterministic weights.

Large enough per row (~400k multiply-adds) that a batch runs as a matrix product rather than a
string of vector products, which is where dynamic batching pays off. Run with Debian's interpreter
(packages python3-onnx python3-numpy):

    /usr/bin/python3 tests/LyftServing.Benchmarks/make-wide-mlp.py tests/LyftServing.Benchmarks/assets/models/wide_mlp/1/model.onnx
    /usr/bin/python3 tests/LyftServing.Benchmarks/make-wide-mlp.py tests/LyftServing.Benchmarks/assets/models/wider_mlp/1/model.onnx 1024
"""
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
layers = [("l1", 256, hidden), ("l2", hidden, hidden), ("l3", hidden, 1)]
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
    [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 256])],
    [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 1])],
    initializers)
model = helper.make_model(graph, producer_name="lyftserving-make-wide-mlp", opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
