"""Benchmarks: ``python -m benchmarks [NAME...]`` runs every ``benchmarks/bench_*.py`` (or the ones named).

Each module has a ``main()`` that measures in one run and prints its numbers and ratios; targets are printed beside
the measurements, never asserted in tests.
"""

import contextlib
import os
import tempfile


@contextlib.contextmanager
def temporary_build(prefix: str):
    """Point ``REPLICATE_BUILD_DIR`` at a fresh temporary folder for the block (runs measured there never touch the
    checkout's build folder), then remove it and restore the caller's setting."""
    saved = os.environ.get("REPLICATE_BUILD_DIR")
    with tempfile.TemporaryDirectory(prefix=prefix) as build:
        os.environ["REPLICATE_BUILD_DIR"] = build
        try:
            yield build
        finally:
            if saved is None:
                os.environ.pop("REPLICATE_BUILD_DIR", None)
            else:
                os.environ["REPLICATE_BUILD_DIR"] = saved
