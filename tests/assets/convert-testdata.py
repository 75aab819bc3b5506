#!/usr/bin/env python3
"""Converts the fixture test data ({"features": [...], "score": ...} per case) into LyftServing's
testdata.json format for the onnx runtime ([{"name", "features": {input: tensor}, "expected":
{output: tensor}, "tolerance"}]) and lays out one version folder per model:

    models/{model}/1/model.onnx   (copied from fixtures/{model}.onnx when that file is there;
                                   the shared fixture folder has it, this repository keeps only the copy)
    models/{model}/1/model.json   {"runtime": "onnx"}
    models/{model}/1/testdata.json

Run from this folder: python3 convert-testdata.py. Every row becomes a batch of one ([[...]]),
since the models' inputs and outputs are [N, k]. Floats are written as Python's shortest
round-trip form of the parsed value, so they read back as the same float32 values.
"""
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

# model -> (input names, output name)
MODELS = {
    "tabular_mlp": (["features"], "score"),
    "mixed_inputs": (["x", "category"], "y"),
    "bench_mlp": (["features"], "output"),
}


def as_row(value):
    return [value] if isinstance(value, list) else [[value]]


def main():
    for model, (inputs, output) in MODELS.items():
        with open(os.path.join(HERE, "fixtures", f"{model}.testdata.json")) as f:
            cases = json.load(f)
        converted = [
            {
                "name": f"{model} fixture case {i + 1}",
                "features": {name: as_row(case[name]) for name in inputs},
                "expected": {output: [[case[output]]]},
                "tolerance": 1e-5,
            }
            for i, case in enumerate(cases)
        ]
        version = os.path.join(HERE, "models", model, "1")
        os.makedirs(version, exist_ok=True)
        source = os.path.join(HERE, "fixtures", f"{model}.onnx")
        if os.path.exists(source):
            shutil.copyfile(source, os.path.join(version, "model.onnx"))
        with open(os.path.join(version, "model.json"), "w") as f:
            json.dump({"runtime": "onnx", "description": f"{model} from the shared fixtures"}, f, indent=2)
            f.write("\n")
        with open(os.path.join(version, "testdata.json"), "w") as f:
            json.dump(converted, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
