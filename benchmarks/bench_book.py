"""The book's paper profile, chapter by chapter and seed by seed: wall time per run and the share of its largest
stage (the ``##`` section whose cells took longest), measured in one run in a temporary build folder.

``BENCH_PROFILE`` (default ``paper``) and ``BENCH_SEEDS`` (default ``0-1``: seed 0 searches hyperparameters, seed 1
is what every extra seed costs) choose what runs; ``BENCH_CHAPTERS`` (default: the toc) which chapters. The runs are
sequential, so each is measured alone; the book's sweep runs two at a time on two cores, one torch thread each.

``BENCH_FROM=<build folder>`` runs nothing: it prints the same lines for the runs already in that folder (each run's
``stamp.json`` seconds and ``timings.json`` stages), e.g. ``BENCH_FROM=build python -m benchmarks book`` after
``python3 tasks.py book``, where the runs shared the cores. With ``BENCH_EXPECTED=1`` it also writes their seconds to
``replicate/core/expected_seconds.json``, the times a fresh clone's first sweep orders its jobs by.
"""

import json
import os
import time
from pathlib import Path

from benchmarks import build_at, temporary_build
from replicate import paths
from replicate.core import runner, site, sweep

# Targets for one extra seed of the paper profile on 2 cores (issue "Verdicts over seeds"), in minutes.
TARGET_MINUTES = {"reconet": 5.0, "cvae": 4.0, "skip": 4.0, "emde": 1.0}


def line(
    name: str, seed: int, profile: str, seconds: float, stages: dict, extra_seed: bool, controls: float | None = None
) -> str:
    """One run's report: minutes, its largest stage's share, the share of the nulls and positive controls (the work
    timed by ``Chapter.controls``) and, for an extra seed, the chapter's target."""
    stage, longest = max(stages.items(), key=lambda kv: kv[1]) if stages else ("", 0.0)
    target = TARGET_MINUTES.get(name)
    verdict = ""
    if target is not None and extra_seed:
        verdict = f"; target {target:.0f} min per extra seed: {'met' if seconds <= 60 * target else 'MISSED'}"
    return (
        f"{name} seed {seed} ({profile}): {seconds / 60:.2f} min; largest stage "
        f"{stage or '(before the first section)'!r} {longest / max(seconds, 1e-9):.0%}"
        + (f"; nulls and controls {controls / max(seconds, 1e-9):.1%}" if controls is not None else "")
        + verdict
    )


def recorded(build: Path, profile: str, chapters: list[str]) -> list[tuple[str, int, float, dict, float | None]]:
    """(chapter, seed, seconds, stages, seconds of nulls and controls) of every finished run of ``chapters`` under
    ``build/<profile>/``, by seed."""
    runs = []
    with build_at(build):
        for name in chapters:
            for seed in paths.chapter_seeds(profile, name):
                run = paths.Run(profile, name, seed)
                timings = runner.read_json(run.timings) or {}
                seconds = runner.read_json(run.stamp)["seconds"]
                runs.append((name, seed, seconds, timings.get("stages", {}), timings.get("controls")))
    return runs


def report(build: Path, profile: str, chapters: list[str]) -> None:
    runs = recorded(build, profile, chapters)
    if not runs:
        print(f"no runs of {', '.join(chapters)} under {build / profile}: run `python3 tasks.py book` first")
        return
    first = {}
    for name, seed, *_ in runs:
        first.setdefault(name, seed)
    for name, seed, seconds, stages, controls in runs:
        print(line(name, seed, profile, seconds, stages, extra_seed=seed != first[name], controls=controls))
    total = sum(run[2] for run in runs)
    controls = sum(run[4] or 0.0 for run in runs)
    print(f"total {total / 60:.1f} notebook-minutes over {len(runs)} runs recorded in {build / profile}")
    share = controls / max(total, 1e-9)
    print(f"nulls and positive controls: {controls / 60:.1f} notebook-minutes, {share:.1%} of the book")
    print(packing_line(build, profile))
    if os.environ.get("BENCH_EXPECTED", "0") == "1":  # keep these runs' times for a fresh clone's first sweep
        by_chapter: dict[str, dict[int, float]] = {}
        for name, seed, seconds, *_ in runs:
            by_chapter.setdefault(name, {})[seed] = seconds
        print(f"expected seconds for {profile} written to {sweep.write_expected(profile, by_chapter)}")


def packing_line(build: Path, profile: str) -> str:
    """The last sweep's wall time against the best any schedule could do: max(ideal packing, critical path), from
    ``build/<profile>/sweep.json`` (target: at most 1.05)."""
    record = runner.read_json(build / profile / sweep.SWEEP_RECORD)
    if not isinstance(record, dict) or not record.get("jobs"):
        return f"packing: no sweep recorded in {build / profile} (run `python3 tasks.py book`)"
    ran = [(name, seed, seconds) for name, seed, seconds, was_run, ok in record["jobs"] if was_run and ok]
    ideal, critical = sweep.packing(ran, record["workers"])
    bound = max(ideal, critical)
    return (
        f"packing: sweep {record['seconds'] / 60:.1f} min on {record['workers']} workers; ideal packing "
        f"{ideal / 60:.1f} min, critical path {critical / 60:.1f} min; wall / max(ideal, critical) = "
        f"{record['seconds'] / max(bound, 1e-9):.2f} (target <= 1.05)"
    )


def main():
    profile = os.environ.get("BENCH_PROFILE", "paper")
    chapters = os.environ.get("BENCH_CHAPTERS", "").split(",") if os.environ.get("BENCH_CHAPTERS") else None
    chapters = chapters or site.toc_chapters()
    if os.environ.get("BENCH_FROM"):
        report(Path(os.environ["BENCH_FROM"]), profile, chapters)
        return
    seeds = sweep.parse_seeds(os.environ.get("BENCH_SEEDS", "0-1"))
    total = 0.0
    with temporary_build("bench-book-"):
        for name in chapters:
            for seed in seeds:
                started = time.perf_counter()
                runner.run(name, profile, {"seed": seed}, force=True)
                seconds = time.perf_counter() - started
                total += seconds
                timings = json.loads(paths.Run(profile, name, seed).timings.read_text())
                print(
                    line(
                        name,
                        seed,
                        profile,
                        seconds,
                        timings.get("stages", {}),
                        extra_seed=seed != seeds[0],
                        controls=timings.get("controls"),
                    )
                )
    print(f"total {total / 60:.1f} min for {len(chapters)} chapters x {len(seeds)} seeds, run one after another")
