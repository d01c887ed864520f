"""The cost page: generated from what the benchmarks recorded, with their provenance."""

import json
import runpy
import sys

import pytest

from replicate import paths
from replicate.core import cost_page


def test_cost_page_shows_each_benchmark_with_its_machine_date_and_commit():
    results = {
        "book": {
            "date": "2026-12-07 05:00 UTC",
            "commit": "0123456789abcdef",
            "clean": False,
            "machine": {"cpu": "Xeon", "cores": 2},
            "seconds": 90.0,
            "lines": ["packing: wall / max(ideal, critical) = 1.03 (target <= 1.05)"],
        }
    }
    page = cost_page.cost_markdown(results)
    assert page.startswith("# What the book costs")
    assert "Measured 2026-12-07 05:00 UTC on Xeon, 2 cores, at commit `0123456789 (uncommitted changes)`" in page
    assert "```text\npacking: wall / max(ideal, critical) = 1.03 (target <= 1.05)\n```" in page
    assert "No benchmark has been recorded yet" in cost_page.cost_markdown({})


def test_benchmarks_record_what_they_printed(tmp_path, monkeypatch):
    sys.path.insert(0, str(paths.REPO))
    monkeypatch.setattr(sys, "argv", ["benchmarks"])
    try:
        module = runpy.run_path(str(paths.REPO / "benchmarks" / "__main__.py"), run_name="not_main")
    except SystemExit:
        pytest.fail("benchmarks/__main__.py must not exit when imported")
    finally:
        sys.path.remove(str(paths.REPO))
    results = tmp_path / "results.json"
    module["record"]("floors", ["emde: 1.10x its floor"], 12.0, results)
    module["record"]("book", ["packing 1.02"], 3.0, results)
    saved = json.loads(results.read_text())["benchmarks"]
    assert saved["floors"]["lines"] == ["emde: 1.10x its floor"] and saved["floors"]["seconds"] == 12.0
    assert set(saved) == {"floors", "book"} and saved["book"]["commit"]
