#!/usr/bin/python3
"""Writes the TorchScript model versions of the torchscript runtime's tests, one version folder
each (model.pt, model.json, testdata.json) under torchscript/{model}/1/:

    tabular_mlp, bench_mlp   the shared fixtures' tabular_mlp.pt and bench_mlp.pt (torch 1.13,
                             torch.jit.trace), copied from --fixtures, with the self-tests of their
                             ONNX twins (models/{model}/1/testdata.json, from the fixtures' data)
    multi_input              forward(x float32[N,4], category int64[N,1]) -> y float32[N,1]
                             = sum(x, 1) + category, the network of mixed_inputs.onnx (traced)
    tuple_output             forward(x float32[N,4]) -> (score float32[N,1], label int64[N]) (scripted)
    dict_output              the same network returning {"score": ..., "label": ...} (scripted)
    all_types                forward(a float32[N,2], b float64[N,2], c int64[N], d bool[N], e int32[N])
                             -> (a * 2, b * 2, c + 1, not d, e * 3) (scripted)

and not-torchscript/state_dict.pt: tuple_output's weights written by torch.save (not TorchScript).

Expected outputs are computed by PyTorch here. Every float is an exact float32 (or float64)
value, written in Python's shortest round-trip form. Deterministic: fixed seeds.

Run with Debian's interpreter (apt-get install python3-torch):
    /usr/bin/python3 make-torchscript-models.py [--fixtures ../../../shared/fixtures/models]
"""
import argparse
import json
import os
import shutil
from typing import Dict, Tuple

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "torchscript")
SEED = 20240501


class MultiInput(torch.nn.Module):
    def forward(self, x, category):
        return x.sum(dim=1, keepdim=True) + category.float()


class TupleOutput(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        logits = self.linear(x)
        return torch.sigmoid(logits[:, :1]), torch.argmax(logits, dim=1)


class DictOutput(TupleOutput):
    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        logits = self.linear(x)
        return {"score": torch.sigmoid(logits[:, :1]), "label": torch.argmax(logits, dim=1)}


class AllTypes(torch.nn.Module):
    def forward(self, a: torch.Tensor, b: torch.Tensor, c: torch.Tensor, d: torch.Tensor, e: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        return a * 2, b * 2, c + 1, torch.logical_not(d), e * 3


def tolist(tensor):
    return tensor.tolist()


def write_version(model, module, inputs, outputs, cases, description):
    """inputs/outputs: [(name, dtype, shape)]; cases: list of dicts name -> tensor (one batch each)."""
    version = os.path.join(OUT, model, "1")
    os.makedirs(version, exist_ok=True)
    module.save(os.path.join(version, "model.pt"))
    manifest = {
        "runtime": "torchscript",
        "description": description,
        "properties": {
            "inputs": [{"name": n, "dtype": t, "shape": s} for n, t, s in inputs],
            "outputs": [{"name": n, "dtype": t, "shape": s} for n, t, s in outputs],
        },
    }
    with open(os.path.join(version, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    testdata = []
    with torch.no_grad():
        for i, case in enumerate(cases):
            result = module(*[case[n] for n, _, _ in inputs])
            if isinstance(result, torch.Tensor):
                result = (result,)
            elif isinstance(result, dict):
                result = tuple(result[n] for n, _, _ in outputs)
            testdata.append({
                "name": f"{model} case {i + 1}",
                "features": {n: tolist(case[n]) for n, _, _ in inputs},
                "expected": {n: tolist(v) for (n, _, _), v in zip(outputs, result)},
                "tolerance": 1e-5,
            })
    with open(os.path.join(version, "testdata.json"), "w") as f:
        json.dump(testdata, f, indent=2)
        f.write("\n")


def copy_fixture(model, fixtures, input_name, output_name, width):
    version = os.path.join(OUT, model, "1")
    os.makedirs(version, exist_ok=True)
    shutil.copyfile(os.path.join(fixtures, f"{model}.pt"), os.path.join(version, "model.pt"))
    shutil.copyfile(os.path.join(HERE, "models", model, "1", "testdata.json"), os.path.join(version, "testdata.json"))
    manifest = {
        "runtime": "torchscript",
        "description": f"{model} from the shared fixtures (torch.jit.trace, torch 1.13)",
        "properties": {
            "inputs": [{"name": input_name, "dtype": "float32", "shape": [-1, width]}],
            "outputs": [output_name],
        },
    }
    with open(os.path.join(version, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixtures", default=os.path.join(HERE, "..", "..", "..", "shared", "fixtures", "models"))
    args = parser.parse_args()
    torch.manual_seed(SEED)

    copy_fixture("tabular_mlp", args.fixtures, "features", "score", 8)
    copy_fixture("bench_mlp", args.fixtures, "features", "output", 64)

    multi = torch.jit.trace(MultiInput().eval(), (torch.zeros(2, 4), torch.zeros(2, 1, dtype=torch.int64)))
    write_version(
        "multi_input", multi,
        [("x", "float32", [-1, 4]), ("category", "int64", [-1, 1])],
        [("y", "float32", [-1, 1])],
        [{"x": torch.randn(1, 4), "category": torch.randint(0, 10, (1, 1))},
         {"x": torch.randn(3, 4), "category": torch.randint(0, 10, (3, 1))}],
        "y = sum(x) + category, as mixed_inputs.onnx (traced)")

    tuple_module = torch.jit.script(TupleOutput().eval())
    dict_module = DictOutput().eval()
    dict_module.load_state_dict(tuple_module.state_dict())
    dict_module = torch.jit.script(dict_module)
    cases = [{"x": torch.randn(1, 4)}, {"x": torch.randn(4, 4)}]
    write_version(
        "tuple_output", tuple_module,
        [("x", "float32", [-1, 4])],
        [("score", "float32", [-1, 1]), ("label", "int64", [-1])],
        cases, "forward returns a tuple (score, label) (scripted)")
    write_version(
        "dict_output", dict_module,
        [("x", "float32", [-1, 4])],
        [("label", "int64", [-1]), ("score", "float32", [-1, 1])],
        cases, "forward returns a dictionary {score, label} (scripted); outputs named by key, in another order")

    # Not TorchScript: what torch.save writes (weights only), for the load's error.
    os.makedirs(os.path.join(HERE, "not-torchscript"), exist_ok=True)
    torch.save(tuple_module.state_dict(), os.path.join(HERE, "not-torchscript", "state_dict.pt"))

    all_types = torch.jit.script(AllTypes().eval())
    write_version(
        "all_types", all_types,
        [("a", "float32", [-1, 2]), ("b", "float64", [-1, 2]), ("c", "int64", [-1]), ("d", "bool", [-1]), ("e", "int32", [-1])],
        [("a_out", "float32", [-1, 2]), ("b_out", "float64", [-1, 2]), ("c_out", "int64", [-1]), ("d_out", "bool", [-1]), ("e_out", "int32", [-1])],
        [{"a": torch.tensor([[0.5, -1.25]]), "b": torch.tensor([[0.1, 1e300]], dtype=torch.float64),
          "c": torch.tensor([2 ** 40]), "d": torch.tensor([True]), "e": torch.tensor([7], dtype=torch.int32)},
         {"a": torch.tensor([[1.0, 2.0], [3.0, 4.5]]), "b": torch.tensor([[-2.5, 0.0], [3.25, 7.0]], dtype=torch.float64),
          "c": torch.tensor([-3, 9]), "d": torch.tensor([False, True]), "e": torch.tensor([-1, 100], dtype=torch.int32)}],
        "one input and output of each element type (scripted)")


if __name__ == "__main__":
    main()
