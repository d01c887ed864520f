"""Each chapter's extra seed of the paper profile against its float32 floor, measured in one run.

The floor of a chapter is the float32 work one extra seed cannot avoid, measured in this process on ONE torch thread
(``floor()`` of ``benchmarks/bench_<chapter>.py``: the products at the paper profile's sizes over the steps the
notebook runs for one extra seed, nulls' trainings included; for the data chapter, which trains nothing, the reading
and joining of the data). Beside it: the mean measured time of the chapter's extra seeds (every seed but the lowest,
``stamp.json`` "seconds" of ``<BENCH_FROM>/paper/<chapter>/seed-<k>/``, default ``build``), and their ratio. Target
(issue 35): every chapter's extra seed at most 1.3x its floor. The book's runs share two cores between two jobs, one
torch thread each, so the floor on one thread is the comparison; a floor measured while other work loads the machine
is inflated (and the ratio deflated) by that load.
"""

import importlib
import os
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import build_at
from replicate import paths
from replicate.core import runner, site

TARGET_RATIO = 1.3
PROFILE = "paper"
# The matrix products a floor counts (dense, or a sparse matrix times a dense one where a model's backward is one).
PRODUCT_OPS = frozenset(
    {
        "aten::mm",
        "aten::addmm",
        "aten::bmm",
        "aten::baddbmm",
        "aten::addbmm",
        "aten::_addmm_activation",
        "aten::dot",
        "aten::mv",
        "aten::addmv",
    }
)


def product_seconds(step: Callable[[], object], repeats: int = 3) -> float:
    """Seconds per call of ``step`` spent in matrix products (:class:`ProductClock`), after one warm-up call;
    what a step cannot avoid whatever is fused or dropped around its products."""
    step()
    with ProductClock() as clock:
        for _ in range(repeats):
            step()
    return clock.seconds / repeats


class ProductClock:
    """Wall seconds spent inside the matrix products (:data:`PRODUCT_OPS`, forward and backward) while the block runs,
    summed as they happen: what the profiler's self time of those ops gives, without keeping an event per op (a
    whole seed of small explainer steps holds more events than the machine's memory)."""

    def __init__(self):
        from torch.utils._python_dispatch import TorchDispatchMode

        names = {op.removeprefix("aten::") for op in PRODUCT_OPS}
        clock = self
        self.seconds = 0.0

        class _Mode(TorchDispatchMode):
            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                if func.overloadpacket.__name__ not in names:
                    return func(*args, **(kwargs or {}))
                started = time.perf_counter()
                out = func(*args, **(kwargs or {}))
                clock.seconds += time.perf_counter() - started
                return out

        self._mode = _Mode()

    def __enter__(self):
        self._mode.__enter__()
        return self

    def __exit__(self, *exc):
        return self._mode.__exit__(*exc)


def per_call(fn: Callable[[], object], repeats: int = 5) -> float:
    """Wall seconds per call of ``fn`` after one warm-up call."""
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def extra_seed_seconds(build: Path, profile: str, name: str) -> list[float]:
    """``stamp.json`` seconds of every finished run of ``name`` under ``build/<profile>/`` but the lowest seed (the
    one that searches hyperparameters), by seed."""
    with build_at(build):
        seeds = paths.chapter_seeds(profile, name)
        return [float(runner.read_json(paths.Run(profile, name, s).stamp)["seconds"]) for s in seeds[1:]]


def chapter_floor(name: str) -> Callable[[], tuple[float, str]] | None:
    """``floor`` of ``benchmarks/bench_<name>.py``, or None where that module or its floor does not exist."""
    try:
        module = importlib.import_module(f"benchmarks.bench_{name}")
    except ModuleNotFoundError as error:
        if error.name == f"benchmarks.bench_{name}":
            return None
        raise
    return getattr(module, "floor", None)


def line(name: str, floor: float, what: str, extra: list[float]) -> tuple[str, float | None]:
    """One chapter's line and its ratio (None without extra seeds in the build)."""
    head = f"{name}: floor {floor:.1f} s ({what})"
    if not extra:
        return f"{head}; no extra seed in the build", None
    mean = sum(extra) / len(extra)
    ratio = mean / max(floor, 1e-9)
    verdict = "met" if ratio <= TARGET_RATIO else "ABOVE"
    return (
        f"{head}; extra seeds {mean:.1f} s (mean of {len(extra)}); seconds / floor = {ratio:.2f} "
        f"(target <= {TARGET_RATIO}: {verdict})",
        ratio,
    )


def report(build: Path, profile: str, floors: dict[str, Callable[[], tuple[float, str]]]) -> list[str]:
    """Print each chapter's line (its floor measured now) and a final line naming the chapters above the target;
    returns those chapters."""
    above = []
    for name, floor in floors.items():
        seconds, what = floor()
        text, ratio = line(name, seconds, what, extra_seed_seconds(build, profile, name))
        print(text, flush=True)
        if ratio is not None and ratio > TARGET_RATIO:
            above.append(name)
    print(
        f"above the target ({TARGET_RATIO}x the floor): {', '.join(above)}"
        if above
        else f"every chapter with extra seeds in {build / profile} is within {TARGET_RATIO}x its floor"
    )
    return above


def main():
    build = Path(os.environ.get("BENCH_FROM") or paths.REPO / "build")
    chapters = site.toc_chapters()
    floors = {name: f for name in chapters if (f := chapter_floor(name)) is not None}
    skipped = [name for name in chapters if name not in floors]
    if skipped:
        print(f"no bench floor for: {', '.join(skipped)}")
    report(build, PROFILE, floors)
