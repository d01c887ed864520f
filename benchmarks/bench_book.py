"""The book's paper profile, chapter by chapter and seed by seed: wall time per run and the share of its largest
stage (the ``##`` section whose cells took longest), measured in one run in a temporary build folder.

``BENCH_PROFILE`` (default ``paper``) and ``BENCH_SEEDS`` (default ``0-1``: seed 0 searches hyperparameters, seed 1
is what every extra seed costs) choose what runs; ``BENCH_CHAPTERS`` (default: the toc) which chapters. The runs are
sequential, so each is measured alone; the book's sweep runs two at a time on two cores, one torch thread each.
"""

import json
import os
import time

from benchmarks import temporary_build
from replicate import paths
from replicate.core import runner, site, sweep

# Targets for one extra seed of the paper profile on 2 cores (issue "Verdicts over seeds"), in minutes.
TARGET_MINUTES = {"reconet": 5.0, "cvae": 4.0, "skip": 4.0, "emde": 1.0}


def main():
    profile = os.environ.get("BENCH_PROFILE", "paper")
    seeds = sweep.parse_seeds(os.environ.get("BENCH_SEEDS", "0-1"))
    chapters = os.environ.get("BENCH_CHAPTERS", "").split(",") if os.environ.get("BENCH_CHAPTERS") else None
    chapters = chapters or site.toc_chapters()
    total = 0.0
    with temporary_build("bench-book-"):
        for name in chapters:
            for seed in seeds:
                started = time.perf_counter()
                runner.run(name, profile, {"seed": seed}, force=True)
                seconds = time.perf_counter() - started
                total += seconds
                timings = json.loads((paths.chapter_dir(profile, name, seed) / "timings.json").read_text())
                stages = timings.get("stages", {})
                stage, longest = max(stages.items(), key=lambda kv: kv[1]) if stages else ("", 0.0)
                target = TARGET_MINUTES.get(name)
                verdict = ""
                if target is not None and seed != seeds[0]:
                    verdict = (
                        f"; target {target:.0f} min per extra seed: {'met' if seconds <= 60 * target else 'MISSED'}"
                    )
                print(
                    f"{name} seed {seed} ({profile}): {seconds / 60:.2f} min; largest stage "
                    f"{stage or '(before the first section)'!r} {longest / max(seconds, 1e-9):.0%}{verdict}"
                )
    print(f"total {total / 60:.1f} min for {len(chapters)} chapters x {len(seeds)} seeds, run one after another")
