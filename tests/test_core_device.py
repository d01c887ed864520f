"""The device record each run leaves, and the GPU check's comparison of verdicts (hand-made claims; no GPU needed)."""

from benchmarks.bench_gpu import compare
from replicate.core.chapter import device_record
from replicate.core.claims import Claim


def _claim(id, ours, verdict):
    return Claim(chapter="x", id=id, description=id, paper=1.0, ours=ours, rule="r", verdict=verdict)


def test_cpu_record_names_the_device_only():
    assert device_record("cpu") == {"device": "cpu"}


def test_compare_lists_changed_missing_and_extra_claims_only():
    cpu = [_claim("same", 0.5, "replicated"), _claim("flips", 0.5, "replicated"), _claim("gone", 1.0, "replicated")]
    gpu = [_claim("same", 0.51, "replicated"), _claim("flips", 0.4, "not replicated"), _claim("new", 2.0, "n/a")]
    rows = {r["claim"]: r for r in compare(cpu, gpu)}
    assert set(rows) == {"flips", "gone", "new"}
    assert rows["flips"]["cpu"] == [0.5, "replicated"] and rows["flips"]["gpu"] == [0.4, "not replicated"]
    assert rows["gone"]["gpu"] is None and rows["new"]["cpu"] is None
