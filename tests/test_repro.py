import json
import os
import platform
import subprocess
import sys

import numpy as np
import pytest
import torch

from replicate import resolve_device, seed_everything
from replicate.errors import ParameterError
from replicate.repro import PORTABLE_KERNELS, kernel_environment


def _draw(seed):
    rng = seed_everything(seed)
    layer = torch.nn.Linear(4, 3)
    return rng.normal(size=3), np.random.rand(2), torch.rand(2).numpy(), layer.weight.detach().numpy().copy()


def test_same_seed_same_numbers():
    first, second = _draw(7), _draw(7)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(_draw(8)[0], first[0])


def test_device_resolution():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu"
    with pytest.raises(ParameterError, match="valid choices"):
        resolve_device("tpu")


X86 = platform.machine().lower() in ("x86_64", "amd64")


def test_smoke_profile_pins_the_cpu_kernels_and_paper_does_not():
    assert kernel_environment("smoke") == (PORTABLE_KERNELS if X86 else {})
    assert kernel_environment("paper") == {}


@pytest.mark.skipif(not X86, reason="the kernels are pinned on x86-64 only")
def test_pinned_kernels_take_effect_in_a_new_process():
    """PyTorch, NumPy and OpenBLAS report the AVX2 kernels in a process started with the pinned environment (MKL's
    CBWR setting has no query; on an AVX-512 machine it changes a product's last bits, which this test cannot ask of
    every machine)."""
    probe = (
        "import json, torch, threadpoolctl, numpy as np\n"
        "from numpy._core._multiarray_umath import __cpu_features__ as f\n"
        "blas = [p.get('architecture') for p in threadpoolctl.threadpool_info() if p['internal_api'] == 'openblas']\n"
        "print(json.dumps([torch.backends.cpu.get_cpu_capability(), f['X86_V4'], blas]))\n"
    )
    env = dict(os.environ, **kernel_environment("smoke"))
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    capability, avx512_loops, blas = json.loads(out.stdout)
    assert capability == "AVX2" and avx512_loops is False
    assert blas and all(arch == "Haswell" for arch in blas)


def test_a_drift_names_the_kernels_and_mkls_intel_only_branch():
    from replicate.core.check import kernel_note

    assert kernel_note(PORTABLE_KERNELS, "GenuineIntel") == "" and kernel_note(PORTABLE_KERNELS, "unknown") == ""
    amd = kernel_note(PORTABLE_KERNELS, "AuthenticAMD")
    assert "AuthenticAMD" in amd and "MKL" in amd and "Intel processors" in amd
    native = kernel_note("the machine's own", "GenuineIntel")
    assert "this run's CPU kernels: the machine's own" in native


def test_git_state_ignores_only_the_paths_it_is_told(tmp_path):
    import subprocess

    from replicate.repro import git_state

    run = lambda *a: subprocess.run(["git", *a], cwd=tmp_path, check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    (tmp_path / "code.py").write_text("x = 1\n")
    (tmp_path / "results.json").write_text("{}\n")
    run("add", ".")
    run("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    assert git_state(tmp_path)["clean"] is True
    (tmp_path / "results.json").write_text('{"a": 1}\n')
    assert git_state(tmp_path)["clean"] is False
    assert git_state(tmp_path, ignore=("results.json",))["clean"] is True
    (tmp_path / "code.py").write_text("x = 2\n")
    assert git_state(tmp_path, ignore=("results.json",))["clean"] is False
