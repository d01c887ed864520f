"""``python -m benchmarks book`` with BENCH_FROM: the report of runs already built, on hand-made run folders."""

import json

from benchmarks import bench_book
from replicate import paths


def _run(build, name, seed, seconds, stages):
    run = paths.Run("paper", name, seed, folder=build / "paper" / name / f"seed-{seed}")
    run.dir.mkdir(parents=True)
    run.stamp.write_text(json.dumps({"seconds": seconds}))
    run.timings.write_text(json.dumps({"stages": stages}))


def test_report_reads_each_run_and_judges_only_extra_seeds(tmp_path, capsys):
    _run(tmp_path, "emde", 0, 240.0, {"Data": 60.0, "Ablations": 120.0})
    _run(tmp_path, "emde", 10, 30.0, {"Data": 20.0})
    _run(tmp_path, "emde", 2, 90.0, {})
    (tmp_path / "paper" / "emde" / "seed-3").mkdir()  # a run without a stamp (never finished): not reported
    bench_book.report(tmp_path, "paper", ["emde", "cvae"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "emde seed 0 (paper): 4.00 min; largest stage 'Ablations' 50%"
    assert lines[1].startswith("emde seed 2 (paper): 1.50 min; largest stage '(before the first section)' 0%")
    assert lines[1].endswith("target 1 min per extra seed: MISSED")
    assert lines[2].endswith("target 1 min per extra seed: met")  # seed 10 sorts after seed 2, as a number
    assert lines[3] == f"total 6.0 notebook-minutes over 3 runs recorded in {tmp_path / 'paper'}"


def test_report_without_runs_names_the_command(tmp_path, capsys):
    bench_book.report(tmp_path, "paper", ["emde"])
    assert "python3 tasks.py book" in capsys.readouterr().out


def test_report_prints_the_controls_share_and_the_packing_ratio(tmp_path, capsys):
    _run(tmp_path, "emde", 0, 240.0, {"Data": 60.0})
    paths.Run("paper", "emde", folder=tmp_path / "paper" / "emde" / "seed-0").timings.write_text(
        json.dumps({"stages": {"Data": 60.0}, "controls": 12.0})
    )
    _run(tmp_path, "emde", 1, 120.0, {})
    _run(tmp_path, "cvae", 0, 60.0, {})
    jobs = [["emde", 0, 240.0, True, True], ["emde", 1, 120.0, True, True], ["cvae", 0, 60.0, True, True]]
    (tmp_path / "paper" / "sweep.json").write_text(json.dumps({"seconds": 378.0, "workers": 2, "jobs": jobs}))
    bench_book.report(tmp_path, "paper", ["emde", "cvae"])
    out = capsys.readouterr().out
    assert "emde seed 0 (paper): 4.00 min; largest stage 'Data' 25%; nulls and controls 5.0%" in out
    assert "nulls and positive controls: 0.2 notebook-minutes, 2.9% of the book" in out
    # ideal packing 210 s, critical path 360 s (emde's seed 0, then its seed 1): 378 / 360 = 1.05
    assert "ideal packing 3.5 min, critical path 6.0 min; wall / max(ideal, critical) = 1.05" in out
