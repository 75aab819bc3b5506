#!/usr/bin/env python3
"""Writes two small ONNX models for the onnx runtime's element-type and shape tests, with no
dependency (a minimal protobuf writer; the onnx package is not needed):

    models/all_types/1/model.onnx    Identity of one input of each supported element type:
                                     f32 float[N,2], f64 double[N,2], i32 int32[N], i64 int64[N],
                                     b bool[N], s string[N]  ->  f32_out, f64_out, i32_out, ...
    numeric_types/model.onnx         the same without the string input (for the typed path)
    models/mymodel/1/model.onnx      Identity of input0 int64[N,2] -> output0 and input1 bool[N] -> output1:
                                     the model of the Open Inference Protocol's request example
    fixed_shape/model.onnx           Identity of x float[1,3] (no dynamic batch dimension)

Run from this folder: python3 make-test-models.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

FLOAT, INT32, INT64, STRING, BOOL, DOUBLE = 1, 6, 7, 8, 9, 11


def varint(value):
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return varint((number << 3) | 2) + varint(len(payload)) + payload


def value_info(name, elem_type, dims):
    shape = b"".join(
        field_bytes(1, field_bytes(2, d) if isinstance(d, str) else field_varint(1, d)) for d in dims
    )
    tensor = field_varint(1, elem_type) + field_bytes(2, shape)
    return field_bytes(1, name) + field_bytes(2, field_bytes(1, tensor))


def model(graph_name, tensors, output_names=None):
    output_names = output_names or [name + "_out" for name, _, _ in tensors]
    nodes = b"".join(
        field_bytes(1, field_bytes(1, name) + field_bytes(2, out) + field_bytes(3, "id_" + name) + field_bytes(4, "Identity"))
        for (name, _, _), out in zip(tensors, output_names)
    )
    inputs = b"".join(field_bytes(11, value_info(name, t, dims)) for name, t, dims in tensors)
    outputs = b"".join(field_bytes(12, value_info(out, t, dims)) for (name, t, dims), out in zip(tensors, output_names))
    graph = nodes + field_bytes(2, graph_name) + inputs + outputs
    opset = field_bytes(1, "") + field_varint(2, 13)
    return field_varint(1, 7) + field_bytes(2, "lyftserving-tests") + field_bytes(7, graph) + field_bytes(8, opset)


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)


write(os.path.join(HERE, "models", "all_types", "1", "model.onnx"), model("all_types", [
    ("f32", FLOAT, ["N", 2]),
    ("f64", DOUBLE, ["N", 2]),
    ("i32", INT32, ["N"]),
    ("i64", INT64, ["N"]),
    ("b", BOOL, ["N"]),
    ("s", STRING, ["N"]),
]))
write(os.path.join(HERE, "numeric_types", "model.onnx"), model("numeric_types", [
    ("f32", FLOAT, ["N", 2]),
    ("f64", DOUBLE, ["N", 2]),
    ("i32", INT32, ["N"]),
    ("i64", INT64, ["N"]),
    ("b", BOOL, ["N"]),
]))
# The model of the Open Inference Protocol's published inference request example (required_api.md):
# inputs input0 (its UINT32 values read as int64) and input1 (BOOL), outputs output0 and output1.
write(os.path.join(HERE, "models", "mymodel", "1", "model.onnx"), model("mymodel", [
    ("input0", INT64, ["N", 2]),
    ("input1", BOOL, ["N"]),
], ["output0", "output1"]))
write(os.path.join(HERE, "fixed_shape", "model.onnx"), model("fixed_shape", [("x", FLOAT, [1, 3])]))
