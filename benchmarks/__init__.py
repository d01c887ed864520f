"""Benchmarks: ``python -m benchmarks [NAME...]`` runs every ``benchmarks/bench_*.py`` (or the ones named).

Each module has a ``main()`` that measures in one run and prints its numbers and ratios; targets are printed beside
the measurements, never asserted in tests.
"""

import contextlib
import os
import tempfile


@contextlib.contextmanager
def build_at(build):
    """Point ``REPLICATE_BUILD_DIR`` at ``build`` for the block, then restore the caller's setting."""
    saved = os.environ.get("REPLICATE_BUILD_DIR")
    os.environ["REPLICATE_BUILD_DIR"] = str(build)
    try:
        yield build
    finally:
        if saved is None:
            os.environ.pop("REPLICATE_BUILD_DIR", None)
        else:
            os.environ["REPLICATE_BUILD_DIR"] = saved


@contextlib.contextmanager
def temporary_build(prefix: str):
    """A fresh temporary build folder for the block (runs measured there never touch the checkout's build folder),
    removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as build, build_at(build):
        yield build
