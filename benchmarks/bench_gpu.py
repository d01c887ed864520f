"""The paper profile on CUDA (issue "Verdicts over seeds", GPU): each chapter's wall time there, whether its work
really ran on the device, and whether every verdict matches the CPU run, which stays the reference.

Without a CUDA device it prints so and measures nothing. With one, it runs seed 0 of each chapter (``BENCH_CHAPTERS``,
comma-separated, default: the toc) with ``device="cuda"`` in a temporary build folder, reads the chapter's
``device.json`` (peak CUDA memory: zero means the work silently stayed on the CPU), and compares each claim's value
and verdict with the CPU run of the same seed in this checkout's build folder (``build/paper/<stem>/seed-0/``; carry
it to the GPU machine). ``BENCH_OUT``: a folder where the report is also written as ``gpu.json``.
"""

import json
import math
import os
import time
from pathlib import Path

from benchmarks import temporary_build
from replicate import paths
from replicate.core import claims as claims_mod
from replicate.core import runner, site

PROFILE = "paper"
SEED = 0


def compare(cpu: list, gpu: list) -> list[dict]:
    """One row per claim whose verdict differs between the two runs, or that only one of them has."""
    by_id = {c.id: c for c in cpu}
    rows = []
    for claim in gpu:
        ref = by_id.pop(claim.id, None)
        if ref is None or ref.verdict != claim.verdict:
            rows.append(
                {
                    "claim": claim.id,
                    "cpu": None if ref is None else [ref.ours, ref.verdict],
                    "gpu": [claim.ours, claim.verdict],
                }
            )
    rows += [{"claim": c.id, "cpu": [c.ours, c.verdict], "gpu": None} for c in by_id.values()]
    return rows


def _number(value):
    return round(value, 4) if isinstance(value, float) and math.isfinite(value) else value


def main():
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device here: nothing to measure (run this on a GPU machine, with build/paper carried)")
        return
    chapters = [c for c in os.environ.get("BENCH_CHAPTERS", "").split(",") if c] or site.toc_chapters()
    cpu_runs = {name: paths.Run(PROFILE, name, SEED).resolved() for name in chapters}  # before the temporary build
    report = {"gpu": torch.cuda.get_device_name(0), "chapters": {}}
    with temporary_build("bench-gpu-"):
        for name in chapters:
            started = time.perf_counter()
            runner.run(name, PROFILE, {"seed": SEED, "device": "cuda"}, force=True)
            seconds = time.perf_counter() - started
            out = paths.Run(PROFILE, name, SEED)
            device = json.loads(out.device.read_text())
            gpu = claims_mod.load(out.claims)
            cpu_file = cpu_runs[name].claims
            differ = compare(claims_mod.load(cpu_file), gpu) if cpu_file.is_file() else None
            report["chapters"][name] = {"seconds": round(seconds, 1), **device, "verdicts_differ": differ}
            peak = device.get("cuda_peak_bytes", 0)
            matched = (
                "no CPU run to compare with"
                if differ is None
                else f"{len(gpu) - sum(r['gpu'] is not None for r in differ)} of {len(gpu)} verdicts as on the CPU"
            )
            print(
                f"{name} seed {SEED} ({PROFILE}) on {report['gpu']}: {seconds / 60:.2f} min, peak CUDA memory "
                f"{peak / 2**20:.0f} MiB{' (NOTHING RAN ON THE GPU)' if not peak else ''}; {matched}"
            )
            for row in differ or []:
                cpu_v = row["cpu"] and [_number(v) for v in row["cpu"]]
                gpu_v = row["gpu"] and [_number(v) for v in row["gpu"]]
                print(f"  {row['claim']}: cpu {cpu_v}, gpu {gpu_v}")
    if os.environ.get("BENCH_OUT"):
        target = Path(os.environ["BENCH_OUT"]) / "gpu.json"
        target.write_text(json.dumps(report, indent=1, default=str) + "\n")
        print(f"report written to {target}")
