"""The book's page of what the book costs, generated from ``benchmarks/results.json``: the lines each benchmark
printed in its last run (``python -m benchmarks [name]`` writes them), with the machine, the date and the commit they
were measured on. Timings are ratios measured in one run where they can be (a chapter's time against its float32
floor, the sweep against ideal packing): these machines' speed moves within a day, so minutes compare only within one
run."""

from __future__ import annotations

import json
from pathlib import Path

from replicate import paths

RESULTS = Path("benchmarks") / "results.json"


def load(repo: Path | None = None) -> dict:
    """The recorded benchmarks (``{}`` when none was recorded)."""
    path = (repo or paths.REPO) / RESULTS
    if not path.is_file():
        return {}
    return json.loads(path.read_text()).get("benchmarks", {})


def cost_markdown(results: dict) -> str:
    """The page: one section per benchmark, its provenance line and what it printed, in a code block."""
    lines = [
        "# What the book costs",
        "",
        "Measured by `python -m benchmarks` (every `benchmarks/bench_*.py`, or `python -m benchmarks <name>`), which "
        "records what each benchmark printed in `benchmarks/results.json`; this page shows the last record of each. "
        "The speed of the machines this book is built on moves by 1.3-1.6x within a day, so the figures to read are "
        "the ratios measured within one run: each chapter's time per extra seed against its float32 floor (`floors`), "
        "the sweep's wall time against the best packing of its jobs (`book`), one epoch of each chapter's training "
        "against the products inside it (`steps`), and the share of the nulls and controls in the book.",
        "",
    ]
    if not results:
        return "\n".join([*lines, "No benchmark has been recorded yet: run `python -m benchmarks`.", ""])
    for name in sorted(results):
        entry = results[name]
        machine = entry.get("machine", {})
        where = ", ".join(str(v) for v in (machine.get("cpu"), f"{machine.get('cores')} cores") if v)
        commit = (entry.get("commit") or "unknown")[:10] + (
            "" if entry.get("clean", True) else " (uncommitted changes)"
        )
        lines += [
            f"## `{name}`",
            "",
            f"Measured {entry.get('date', 'on an unknown date')} on {where or 'an unknown machine'}, at commit "
            f"`{commit}`, in {entry.get('seconds', 0.0) / 60:.1f} minutes.",
            "",
            "```text",
            *entry.get("lines", []),
            "```",
            "",
        ]
    return "\n".join(lines)
