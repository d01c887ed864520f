"""``python -m benchmarks floors``: each chapter's extra seeds read from a build folder against a floor (the floors
here are stand-ins; measuring them is the benchmark's job, not a test's)."""

import json

from benchmarks import bench_cvae, bench_floors


def _stamp(build, name, seed, seconds):
    folder = build / "paper" / name / f"seed-{seed}"
    folder.mkdir(parents=True)
    (folder / "stamp.json").write_text(json.dumps({"seconds": seconds}))


def test_extra_seeds_are_every_finished_seed_but_the_lowest(tmp_path):
    _stamp(tmp_path, "emde", 0, 900.0)
    _stamp(tmp_path, "emde", 2, 130.0)
    _stamp(tmp_path, "emde", 10, 110.0)
    (tmp_path / "paper" / "emde" / "seed-3").mkdir()  # never finished: no stamp
    assert bench_floors.extra_seed_seconds(tmp_path, "paper", "emde") == [130.0, 110.0]
    assert bench_floors.extra_seed_seconds(tmp_path, "paper", "skip") == []


def test_report_prints_each_chapter_floor_seconds_and_ratio(tmp_path, capsys):
    _stamp(tmp_path, "emde", 0, 900.0)
    _stamp(tmp_path, "emde", 1, 130.0)
    _stamp(tmp_path, "emde", 2, 110.0)
    _stamp(tmp_path, "skip", 0, 500.0)
    _stamp(tmp_path, "skip", 1, 250.0)
    floors = {
        "emde": lambda: (100.0, "emde's products"),
        "skip": lambda: (200.0, "skip's products"),
        "data": lambda: (10.0, "reading"),
    }
    above = bench_floors.report(tmp_path, "paper", floors)
    lines = capsys.readouterr().out.splitlines()
    assert above == []
    assert lines[0] == (
        "emde: floor 100.0 s (emde's products); extra seeds 120.0 s (mean of 2); seconds / floor = 1.20 "
        "(target <= 1.3: met)"
    )
    assert lines[1].endswith("extra seeds 250.0 s (mean of 1); seconds / floor = 1.25 (target <= 1.3: met)")
    assert lines[2] == "data: floor 10.0 s (reading); no extra seed in the build"
    assert lines[3] == f"every chapter with extra seeds in {tmp_path / 'paper'} is within 1.3x its floor"


def test_a_chapter_above_target_is_named(tmp_path, capsys):
    _stamp(tmp_path, "cvae", 0, 1000.0)
    _stamp(tmp_path, "cvae", 1, 900.0)
    assert bench_floors.report(tmp_path, "paper", {"cvae": lambda: (300.0, "decoder")}) == ["cvae"]
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("seconds / floor = 3.00 (target <= 1.3: ABOVE)")
    assert out[-1] == "above the target (1.3x the floor): cvae"


def test_chapters_without_a_bench_floor_are_skipped():
    assert bench_floors.chapter_floor("no-such-chapter") is None
    assert bench_floors.chapter_floor("emde") is not None


def test_cvae_steps_are_read_from_the_extra_seeds_printout(tmp_path):
    _stamp(tmp_path, "cvae", 0, 1000.0)
    _stamp(tmp_path, "cvae", 1, 900.0)
    text = (
        "C-VAE: kept epoch 11 of 21 (1,639 of 3,129 steps; early stop), 18.4 s per epoch\n"
        "Mult-VAE: kept epoch 41 of 51 (410 of 510 steps; early stop), 1.3 s per epoch\n"
    )
    shuffled = "null trained on shuffled genres: kept epoch 10 of 20, 399.9 s of training\n"
    cells = [{"cell_type": "code", "outputs": [{"text": text}, {"text": [shuffled]}]}]
    (tmp_path / "paper" / "cvae" / "seed-1" / "cvae.ipynb").write_text(json.dumps({"cells": cells}))
    # a run that did not print the second shuffled C-VAE's epochs: counted with the first null's
    assert bench_cvae.recorded_steps(tmp_path, cvae_epoch_steps=149) == ([3129 + 510 + 2 * 20 * 149], 1)
    second = "second null trained on shuffled genres: kept epoch 3 of 13, 99.0 s of training\n"
    cells[0]["outputs"].append({"text": [second]})
    (tmp_path / "paper" / "cvae" / "seed-1" / "cvae.ipynb").write_text(json.dumps({"cells": cells}))
    assert bench_cvae.recorded_steps(tmp_path, cvae_epoch_steps=149) == ([3129 + 510 + (20 + 13) * 149], 0)


def test_the_product_clock_counts_the_products_alone_forward_and_backward():
    import torch

    from benchmarks.bench_floors import ProductClock

    a = torch.randn(300, 300, requires_grad=True)
    with ProductClock() as only_elementwise:
        for _ in range(50):
            (a * 2 + 1).relu().sum().backward()
    assert only_elementwise.seconds == 0.0
    with ProductClock() as products:
        (a @ a).sum().backward()  # one product forward, two backward
    assert products.seconds > 0.0


def test_the_step_benchmark_times_each_optimiser_step_and_swaps_in_fused_adam_for_the_block_only():
    import torch

    from benchmarks import bench_steps

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    times = []
    with bench_steps.adam_clock(times):
        optimiser = torch.optim.Adam(model.parameters(), lr=0.1)
        for _ in range(3):
            optimiser.zero_grad()
            model(torch.ones(1, 4)).sum().backward()
            optimiser.step()
    optimiser.step()  # after the block: not timed
    assert len(times) == 3 and all(t >= 0 for t in times)
    original = torch.optim.Adam
    with bench_steps.fused_adam():
        assert torch.optim.Adam(model.parameters(), lr=0.1, foreach=True).defaults["fused"] is True
    assert torch.optim.Adam is original
    other = torch.nn.Linear(4, 2)
    with torch.no_grad():
        other.weight.copy_(model.weight)
        other.bias.copy_(model.bias)
    assert bench_steps.gap(model, other) == 0.0
    with torch.no_grad():
        other.bias[1] += 0.25
    assert bench_steps.gap(model, other) == 0.25
