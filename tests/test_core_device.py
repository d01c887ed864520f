"""The device record each run leaves, the GPU check's comparison of verdicts (hand-made claims), and that the chapters
keep their work on the chosen device (no GPU needed)."""

import re
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from benchmarks.bench_gpu import compare
from replicate.core.chapter import device_record
from replicate.core.claims import Claim
from replicate.papers.cvae import train as cvae_train
from replicate.papers.cvae.model import MultVAE
from replicate.papers.skip import toys
from replicate.papers.skip import train as skip_train
from replicate.papers.skip.moe import AttributionMoE
from replicate.repro import PORTABLE_KERNELS


def _claim(id, ours, verdict):
    return Claim(chapter="x", id=id, description=id, paper=1.0, ours=ours, rule="r", verdict=verdict)


def test_cpu_record_names_the_device_only(monkeypatch):
    for key in PORTABLE_KERNELS:  # some machines set one of them for every process (OPENBLAS_CORETYPE, seen here)
        monkeypatch.delenv(key, raising=False)
    assert device_record("cpu") == {"device": "cpu"}
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    assert device_record("cpu") == {"device": "cpu", "cpu_kernels": {"OPENBLAS_CORETYPE": "Haswell"}}


def test_compare_lists_changed_missing_and_extra_claims_only():
    cpu = [_claim("same", 0.5, "replicated"), _claim("flips", 0.5, "replicated"), _claim("gone", 1.0, "replicated")]
    gpu = [_claim("same", 0.51, "replicated"), _claim("flips", 0.4, "not replicated"), _claim("new", 2.0, "n/a")]
    rows = {r["claim"]: r for r in compare(cpu, gpu)}
    assert set(rows) == {"flips", "gone", "new"}
    assert rows["flips"]["cpu"] == [0.5, "replicated"] and rows["flips"]["gpu"] == [0.4, "not replicated"]
    assert rows["gone"]["gpu"] is None and rows["new"]["cpu"] is None


def test_notebooks_keep_their_models_on_the_chosen_device():
    """No silent CPU fall-back (issue 13): a notebook never moves a trained model back to the CPU; results come back
    with ``.cpu()`` on tensors, and helpers follow the model's device."""
    moved = re.compile(r"(model|models\[[^\]]+\]|\.trained\.model)\s*\.cpu\(\)")
    found = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sorted((Path(__file__).parents[1] / "notebooks").glob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if moved.search(line)
    ]
    assert found == []


class _Stop(Exception):
    pass


def _record_input_device(model, seen):
    """Record the device of the model's first input, then stop: the model sits on PyTorch's data-less "meta" device,
    a device other than the CPU that every machine has, so a helper that sent its batch to the CPU is caught."""

    def hook(module, args):
        seen.append(args[0].device.type)
        raise _Stop

    model.register_forward_pre_hook(hook)
    return model


@pytest.mark.parametrize("helper", ["cvae scores", "skip predict_toy"])
def test_helpers_without_a_device_send_their_batches_to_the_models(helper):
    seen = []
    if helper == "cvae scores":
        model = _record_input_device(MultVAE(6).to("meta"), seen)
        call = lambda: cvae_train.scores(model, sp.csr_matrix(np.eye(3, 6, dtype=np.float32)))  # noqa: E731
    else:
        toy = toys.toy("XOR")
        model = _record_input_device(AttributionMoE(toy.subsets, toy.group_sizes).to("meta"), seen)
        call = lambda: skip_train.predict_toy(model, np.zeros((4, 2), np.float32))  # noqa: E731
    with pytest.raises(_Stop):
        call()
    assert seen == ["meta"]
