"""Determinism and device selection shared by every chapter, and the provenance a run records (git state, machine,
environment)."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import os
import platform
import random
import subprocess
from pathlib import Path

import numpy as np

from replicate import paths


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python, NumPy and PyTorch, make PyTorch deterministic, and return a NumPy generator for this seed.

    The same seed gives the same numbers twice on CPU. On CUDA, deterministic algorithms are requested as well
    (``warn_only`` so that an operation without a deterministic kernel warns instead of failing).
    """
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    return np.random.default_rng(seed)


# The smoke profile's numbers are compared with a committed reference (``python -m replicate check``) on whatever
# machine runs the check. On x86-64 the numerical libraries choose their kernels by the CPU's instruction set, and
# the results differ in the last bits between AVX2 and AVX-512 kernels; a barely trained model amplifies these bits
# (Adam turns a near-zero gradient's sign into a full step), and EMDE's smoke claims then moved far beyond their
# tolerances between two machines (the ranks of named people by hundreds). The smoke profile therefore runs every
# library on its AVX2 kernels, which every x86-64 machine of the last decade has; the paper profile keeps the
# machine's fastest kernels.
PORTABLE_KERNELS = {
    "ATEN_CPU_CAPABILITY": "avx2",  # PyTorch's own vectorised operators
    "MKL_CBWR": "AVX2,STRICT",  # MKL inside PyTorch (matrix products, exp): conditional numerical reproducibility
    "ONEDNN_MAX_CPU_ISA": "AVX2",  # oneDNN inside PyTorch
    "OPENBLAS_CORETYPE": "Haswell",  # the OpenBLAS of NumPy and SciPy
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",  # NumPy's own AVX-512 loops
}
PORTABLE_PROFILES = ("smoke",)
NATIVE_KERNELS = "the machine's own"  # what a run's stamp.json says when no kernels were pinned


def cpu_field(name: str) -> str | None:
    """One field of the first processor in ``/proc/cpuinfo`` (``model name``, ``vendor_id``...); None off Linux."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                key, _, value = line.partition(":")
                if key.strip().lower() == name:
                    return value.strip()
    except OSError:
        pass
    return None


def cpu_vendor() -> str:
    """The processor's vendor as the CPU reports it (``GenuineIntel``, ``AuthenticAMD``...), ``unknown`` off Linux."""
    return cpu_field("vendor_id") or "unknown"


# MKL takes its conditional-numerical-reproducibility branches (MKL_CBWR=AVX2) on Intel processors only: on an AMD
# EPYC, MKL_VERBOSE=1 reports "CNR:AUTO,STRICT" for MKL_CBWR=AVX2,STRICT (also with MKL_ENABLE_INSTRUCTIONS=AVX2), and
# a product measured gave the same bits as with no pin at all (MKL 2024.0 in torch 2.13.0, 2026-12-04). There the
# smoke profile's matrix products in PyTorch are MKL's own for that processor, whatever PORTABLE_KERNELS asks.
MKL_BRANCH_VENDORS = ("GenuineIntel",)


def mkl_branch_note(vendor: str) -> str:
    """Why a smoke run on a processor of ``vendor`` cannot give the references' bits ("" where it can: an Intel
    processor, or a vendor this machine cannot tell)."""
    if vendor in MKL_BRANCH_VENDORS or vendor == "unknown":
        return ""
    return (
        f"this run's processor is {vendor}: MKL keeps its AVX2 branch (MKL_CBWR) for Intel processors, so PyTorch's "
        "matrix products used MKL's own kernels for this processor, not the AVX2 kernels the references were made with"
    )


def kernel_environment(profile: str) -> dict[str, str]:
    """The environment variables a chapter's kernel runs with for ``profile``: :data:`PORTABLE_KERNELS` for the smoke
    profile on x86-64, nothing otherwise (other processors have no such choice of kernels here)."""
    if profile not in PORTABLE_PROFILES or platform.machine().lower() not in ("x86_64", "amd64"):
        return {}
    return dict(PORTABLE_KERNELS)


def resolve_device(device: str = "auto") -> str:
    """``"auto"`` gives ``"cuda"`` when a CUDA device is present, else ``"cpu"``; other values pass through checked."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        from replicate.errors import ParameterError

        raise ParameterError(f"device={device!r} asked for CUDA but none is available here; use device='auto' or 'cpu'")
    if device != "cpu" and not device.startswith("cuda"):
        from replicate.errors import ParameterError

        raise ParameterError(f"unknown device {device!r}: valid choices are 'auto', 'cpu', 'cuda', 'cuda:N'")
    return device


@contextlib.contextmanager
def environment(changes: dict[str, str | None]):
    """Run the block with ``os.environ`` changed (a value of None removes the variable), then restore what was there:
    a kernel started inside the block inherits the changes."""
    saved = {key: os.environ.get(key) for key in changes}
    for key, value in changes.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def torch_threads(n: int):
    """Run the block with ``n`` torch intra-op threads, then restore the caller's setting.

    Small models (the toy networks, the baselines' training loops) are many small or memory-bound operations: a
    second thread gains little on an idle machine and costs a lot on a busy one, where every operation waits for the
    descheduled thread (measured on a 2-core machine with another process running: an Adam step on FM's parameters
    0.3 ms on one thread, 60 ms on two; a CML epoch 4.8 s against 17 s). Results do not depend on the thread count.
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


# what a run records: its provenance -----------------------------------------------------------------------------------
PACKAGES = ("torch", "numpy", "pandas", "scikit-learn", "captum", "jupyter-book")  # whose versions a run records


def git_state(repo: Path | None = None, ignore: tuple[str, ...] = ()) -> dict:
    """``{"commit": <sha or "unknown">, "clean": bool | None}`` of the repository (untracked files count as dirty;
    changes to the paths in ``ignore``, relative to the repository, do not)."""
    repo = repo or paths.REPO
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "unknown", "clean": None}
    changed = [line[3:] for line in status.splitlines() if line.strip()]
    return {"commit": commit, "clean": not [p for p in changed if p not in ignore]}


def _cpu_model() -> str:
    return cpu_field("model name") or platform.processor() or platform.machine() or "unknown"


def machine_environment() -> dict:
    """Python and package versions, CPU model, cores, torch threads and GPU of this machine."""
    import torch

    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "python": platform.python_version(),
        "packages": versions,
        "cpu": _cpu_model(),
        "cpu_vendor": cpu_vendor(),
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none",
    }


def run_record() -> dict:
    """What the runner adds to a chapter's ``stamp.json``: when it ran (UTC), the commit, and the environment."""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return {"executed": now.isoformat(), **git_state(), "environment": machine_environment()}
