"""The device record each run leaves, the GPU check's comparison of verdicts (hand-made claims), and that the chapters
keep their work on the chosen device (no GPU needed)."""

import re
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from benchmarks.bench_gpu import compare
from replicate.core.chapter import device_record
from replicate.core.claims import Claim
from replicate.papers.cvae import train as cvae_train
from replicate.papers.cvae.model import MultVAE
from replicate.papers.skip import toys
from replicate.papers.skip import train as skip_train


def _claim(id, ours, verdict):
    return Claim(chapter="x", id=id, description=id, paper=1.0, ours=ours, rule="r", verdict=verdict)


def test_cpu_record_names_the_device_only():
    assert device_record("cpu") == {"device": "cpu"}


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


def test_helpers_without_a_device_follow_the_model():
    seen = []
    model = MultVAE(6)
    model.register_forward_pre_hook(lambda module, args: seen.append(args[0].device))
    cvae_train.scores(model, sp.csr_matrix(np.eye(3, 6, dtype=np.float32)))
    assert seen == [next(model.parameters()).device]
    result = skip_train.fit_toy(toys.toy("XOR"), steps=2, n_test=8, progress=False, device="cpu")
    assert next(result.model.parameters()).device.type == "cpu" and result.prob.shape == (8,)
