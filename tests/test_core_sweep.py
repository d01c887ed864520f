"""Seed sweeps on Dask: seed parsing, clear errors that write nothing, a two-seed smoke sweep aggregated end to end,
a sweep that survives a killed worker, and the same seed giving the same claims twice."""

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from replicate import paths
from replicate.core import claims as claims_mod
from replicate.core import runner, site, sweep
from replicate.errors import ParameterError, ReplicateError


def test_parse_seeds():
    assert sweep.parse_seeds("0-4") == [0, 1, 2, 3, 4]
    assert sweep.parse_seeds("0,2,5") == [0, 2, 5]
    assert sweep.parse_seeds("3") == [3]
    assert sweep.parse_seeds("0-2,1,7") == [0, 1, 2, 7]
    for bad in ("3-1", "x", "-1", "1.5", "", "0-"):
        with pytest.raises(ParameterError, match="a range"):
            sweep.parse_seeds(bad)


def test_queue_puts_the_longest_expected_path_first():
    costs = {"data": 30.0, "cvae": 1000.0, "reconet": 3600.0}
    jobs = sweep.queue(["data", "cvae", "reconet"], [0, 1, 2], lambda seed, name: costs[name])
    # a seed 0 counts its own time and its longest other seed (they wait for it); the others their own
    assert [(n, s) for n, s, _ in jobs] == [
        ("reconet", 0),  # 7200
        ("reconet", 1),  # 3600
        ("reconet", 2),
        ("cvae", 0),  # 2000
        ("cvae", 1),  # 1000
        ("cvae", 2),
        ("data", 0),  # 60
        ("data", 1),
        ("data", 2),
    ]
    priorities = [p for _, _, p in jobs]
    assert priorities == sorted(priorities, reverse=True) and len(set(priorities)) == len(jobs)
    # each job by its own expected time: a slow seed 2 goes before a fast seed 1 and before another chapter's
    per_seed = {("a", 0): 100.0, ("a", 1): 10.0, ("a", 2): 50.0, ("b", 0): 120.0, ("b", 1): 40.0, ("b", 2): 40.0}
    jobs = sweep.queue(["a", "b"], [0, 1, 2], lambda seed, name: per_seed[(name, seed)])
    assert [(n, s) for n, s, _ in jobs] == [("b", 0), ("a", 0), ("a", 2), ("b", 1), ("b", 2), ("a", 1)]
    # never run (a fresh clone): the book's order, every seed 0 before any other seed
    fresh = sweep.queue(["data", "cvae"], [0, 1], lambda seed, name: 0.0)
    assert [(n, s) for n, s, _ in fresh] == [("data", 0), ("cvae", 0), ("data", 1), ("cvae", 1)]
    assert [(n, s) for n, s, _ in sweep.queue(["data"], [2, 1], lambda seed, name: 0.0)] == [("data", 2), ("data", 1)]


def test_packing_bounds_by_hand():
    jobs = [("a", 0, 100.0), ("a", 1, 60.0), ("a", 2, 80.0), ("b", 0, 30.0), ("b", 1, 30.0)]
    ideal, critical = sweep.packing(jobs, workers=2)
    assert ideal == 150.0 and critical == 180.0  # a's seed 0 then its longest other seed
    assert sweep.packing(jobs, workers=10) == (30.0, 180.0)


def test_expected_cost_of_a_job_comes_from_its_own_last_run_else_its_kind(build_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(sweep, "EXPECTED", tmp_path / "none.json")  # no committed times: the build alone
    for seed, seconds in ((0, 300.0), (1, 100.0)):
        run = paths.Run("paper", "emde", seed)
        run.dir.mkdir(parents=True)
        run.stamp.write_text(json.dumps({"seconds": seconds}))
    assert sweep._cost(0, "emde", "paper") == 300.0 and sweep._cost(1, "emde", "paper") == 100.0
    assert sweep._cost(2, "emde", "paper") == 100.0  # another retraining seed: like seed 1, not like the search
    assert sweep._cost(0, "cvae", "paper") == 0.0


def test_a_fresh_build_orders_its_jobs_by_the_committed_times_of_the_last_book(build_dir, tmp_path, monkeypatch):
    expected = sweep.write_expected("paper", {"cvae": {0: 500.0, 1: 200.0}}, tmp_path / "expected.json")
    monkeypatch.setattr(sweep, "EXPECTED", expected)
    assert sweep._cost(0, "cvae", "paper") == 500.0 and sweep._cost(2, "cvae", "paper") == 200.0
    assert sweep._cost(0, "cvae", "smoke") == 0.0 and sweep._cost(0, "emde", "paper") == 0.0
    run = paths.Run("paper", "cvae", 0)
    run.dir.mkdir(parents=True)
    run.stamp.write_text(json.dumps({"seconds": 50.0}))
    assert sweep._cost(0, "cvae", "paper") == 50.0  # the build's own last run comes first


def test_bad_input_names_the_fix_and_writes_nothing(build_dir):
    with pytest.raises(ParameterError, match="valid notebooks are"):
        sweep.sweep(["nope"], [0], "smoke")
    with pytest.raises(ParameterError, match="no seeds given"):
        sweep.sweep(["data"], [], "smoke")
    with pytest.raises(ParameterError, match="unknown parameter"):
        sweep.sweep(["data"], [0], "smoke", params={"epochs": 3})
    with pytest.raises(ParameterError, match="bad scheduler address"):
        sweep.sweep(["data"], [0], "smoke", scheduler="localhost")
    with pytest.raises(ParameterError, match="positive number of worker"):
        sweep.sweep(["data"], [0], "smoke", workers=0)
    with pytest.raises(ParameterError, match="0 or more"):
        sweep.sweep(["data"], [0], "smoke", retries=-1)
    started = time.perf_counter()
    with pytest.raises(ReplicateError, match="could not reach the Dask scheduler"):
        sweep.sweep(["data"], [0], "smoke", scheduler="tcp://127.0.0.1:9")
    assert time.perf_counter() - started < 60
    with pytest.raises(ParameterError, match="bad scheduler address"):  # one seed: the scheduler is not ignored
        site.build("smoke", seeds=[0], scheduler="localhost")
    assert not build_dir.exists() or not any(build_dir.rglob("*"))


def test_command_line_names_the_valid_form_and_writes_nothing(build_dir, capsys):
    from replicate.core import cli

    for argv in (
        ["sweep", "data", "--seeds", "3-1"],
        ["sweep", "data", "--seeds", "x"],
        ["book", "--profile", "smoke", "--seeds", "x"],
        ["sweep", "nope", "--seeds", "0-1"],
        ["sweep", "data", "--workers", "0"],
    ):
        assert cli.main(argv) == 2, argv
        error = capsys.readouterr().err
        assert error.startswith("error: ") and error.count("\n") == 1, (argv, error)
        assert any(form in error for form in ("a range (0-4)", "valid notebooks are", "positive number")), error
    assert not build_dir.exists() or not any(build_dir.rglob("*"))


def test_a_worker_with_several_threads_runs_one_job_at_a_time(monkeypatch):
    """A job sets the process's environment for its kernel: two at once in one process would mix their folders."""
    running, overlaps = [], []

    def fake_run(chapter, profile, params, force=False):
        running.append(chapter)
        overlaps.append(len(running))
        time.sleep(0.2)
        running.remove(chapter)
        return runner.RunResult(chapter, profile, paths.REPO, ran=True, seconds=0.2, seed=params["seed"])

    monkeypatch.setattr(runner, "run", fake_run)
    threads = [threading.Thread(target=sweep.run_job, args=(name, 0, "smoke")) for name in ("data", "emde")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == [1, 1]


def test_a_jobs_kernel_gets_its_threads_and_not_the_nannys_allocator_setting(monkeypatch):
    """Dask's nanny gives workers MALLOC_TRIM_THRESHOLD_=65536, which makes every large tensor a fresh mmap (a C-VAE
    step 1.6x slower): the kernel, which inherits the job's environment, must run without it; the worker keeps it."""
    seen = {}

    def fake_run(chapter, profile, params, force=False):
        seen.update({key: os.environ.get(key) for key in ("MALLOC_TRIM_THRESHOLD_", *sweep._THREAD_VARIABLES)})
        return runner.RunResult(chapter, profile, paths.REPO, ran=True, seconds=0.0, seed=params["seed"])

    monkeypatch.setattr(runner, "run", fake_run)
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.setenv("MKL_NUM_THREADS", "7")
    monkeypatch.setenv("REPLICATE_JOB_THREADS", "2")
    assert sweep.run_job("data", 0, "smoke").ok
    assert seen == {
        "MALLOC_TRIM_THRESHOLD_": None,
        "OMP_NUM_THREADS": "2",
        "MKL_NUM_THREADS": "2",
        "OPENBLAS_NUM_THREADS": "2",
    }
    assert os.environ["MALLOC_TRIM_THRESHOLD_"] == "65536" and os.environ["MKL_NUM_THREADS"] == "7"


@pytest.mark.slow
def test_two_seed_smoke_sweep_aggregates_end_to_end(build_dir):
    lines = []
    done = sweep.sweep(["data", "cvae"], [0, 1], "smoke", workers=2, log=lines.append)
    assert not done.failed and len(done.jobs) == 4
    assert any(line.startswith("data seed 1 (smoke): ran in") for line in lines) and lines[-1].startswith("sweep: 4")
    assert paths.chapter_seeds("smoke", "data") == [0, 1]
    aggregated, seeds = site.aggregated_claims("smoke", "data")
    assert seeds == [0, 1]
    one = {c.id: c for c in claims_mod.load(paths.Run("smoke", "data", 0).claims)}
    for claim in aggregated:
        assert claim.seeds["n"] == 2 and claim.seeds["seeds"] == [0, 1]
        assert claim.verdict in (one[claim.id].verdict, "inconclusive")  # the data chapter's counts do not move
    page = site.scorecard("smoke", ["data"], [0, 1])
    assert "2 seeds (0, 1)" in page and "of 2 seeds replicated)" in page

    # a trained chapter's numbers move with the seed: each aggregate combines its seeds (random effects over their own
    # intervals, else the t-interval over the seeds) and keeps every seed's verdict

    trained, _ = site.aggregated_claims("smoke", "cvae")
    per_seed = [{c.id: c for c in claims_mod.load(paths.Run("smoke", "cvae", s).claims)} for s in (0, 1)]
    moved = 0
    for claim in trained:
        if claim.seeds["n"] != 2 or not all(claims_mod._is_number(v) for v in claim.seeds["values"]):
            continue
        values = [runs[claim.id].ours for runs in per_seed]
        assert claim.seeds["values"] == values
        assert claim.seeds["verdicts"] == [runs[claim.id].verdict for runs in per_seed]
        assert claim.seeds["k"] == claim.seeds["verdicts"].count("replicated")
        if values[0] != values[1]:
            moved += 1
            ours, interval, _ = claims_mod.combine(values, [runs[claim.id].interval for runs in per_seed])
            assert claim.ours == pytest.approx(ours) and claim.interval == pytest.approx(interval)
        if "replicated" in claim.seeds["verdicts"] and {"not replicated", "uninformative"} & set(
            claim.seeds["verdicts"]
        ):
            assert claim.verdict == "unstable"
        elif len(set(claim.seeds["verdicts"])) == 1:
            assert claim.verdict == claim.seeds["verdicts"][0] or claim.verdict == "uninformative"
        elif claim.seeds["k"] < 2:
            assert claim.verdict != "replicated"
    assert moved >= 3, "the smoke C-VAE's numbers should move with the seed"

    # the same seed twice gives the same claims (CPU); the second chapter of this check is skip, below
    first = json.loads(paths.Run("smoke", "data", 1).claims.read_text())
    runner.run("data", "smoke", {"seed": 1}, force=True)
    second = json.loads(paths.Run("smoke", "data", 1).claims.read_text())
    assert [c["ours"] for c in first] == [c["ours"] for c in second]


BROKEN = Path(__file__).parent / "fixtures" / "broken.py"  # its second cell raises ValueError("boom")


@pytest.mark.slow
def test_a_failing_notebook_is_reported_with_its_cell_and_the_others_go_on(build_dir):
    lines = []
    done = sweep.sweep([str(BROKEN), "data"], [0], "smoke", workers=2, log=lines.append)
    [failed] = done.failed
    assert failed.chapter == "broken" and "failed in cell" in failed.error and "ValueError: boom" in failed.error
    assert [j.chapter for j in done.jobs if j.ok] == ["data"] and paths.chapter_seeds("smoke", "data") == [0]
    [line] = [x for x in lines if x.startswith("broken seed 0")]
    assert "FAILED after" in line and "ValueError: boom" in line and "\n" not in line
    assert lines[-1].startswith("sweep: 1 of 2 jobs done") and lines[-1].endswith("1 failed")


@pytest.mark.slow
def test_sweep_survives_a_killed_worker(build_dir):
    import dask
    from distributed import Client, LocalCluster

    # the sweep's default on its own LocalCluster: a task survives one dying worker (the scheduler's setting)
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    outcome = {}

    def go():
        outcome["result"] = sweep.sweep(["data"], [0, 1], "smoke", scheduler=cluster.scheduler_address)

    thread = threading.Thread(target=go, daemon=True)
    try:
        thread.start()
        deadline = time.time() + 120
        victim = killed_seed = None
        while time.time() < deadline and victim is None:  # wait until a job is running, then kill its worker
            busy = [w for w, tasks in client.processing().items() if tasks]
            running = list((build_dir / "smoke" / "data").glob(".seed-*.running-*"))
            if len(busy) == 1 and len(running) == 1:  # one job running: the killed worker is running that seed
                victim, killed_seed = busy[0], int(running[0].name.split(".")[1].split("-")[1])
            time.sleep(0.5)
        assert victim is not None, "no job started within two minutes"
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
        thread.join(timeout=300)
        assert not thread.is_alive(), "the sweep did not finish within five minutes of the kill"
    finally:
        client.close()
        cluster.close()
    result = outcome["result"]
    assert not result.failed, [j.error for j in result.failed]
    aggregated, seeds = site.aggregated_claims("smoke", "data")
    assert seeds == [0, 1] and all(c.seeds["n"] == 2 for c in aggregated)
    reference = json.loads((paths.REFERENCES / "data.json").read_text())
    for claim in aggregated:  # the retried job's values are the right ones
        assert claims_mod.regenerates(
            reference[claim.id]["ours"], claim.seeds["values"][0], **_tolerance(reference[claim.id])
        )
    assert not list((build_dir / "smoke" / "data").glob("seed-*.failed"))
    # the killed seed's retried run gives what an undisturbed run of that seed gives
    retried = aggregated[0].seeds["seeds"].index(killed_seed)
    runner.run("data", "smoke", {"seed": killed_seed}, force=True)
    fresh = {c.id: c.ours for c in claims_mod.load(paths.Run("smoke", "data", killed_seed).claims)}
    assert all(c.seeds["values"][retried] == fresh[c.id] for c in aggregated)


def _tolerance(entry):
    return {"rel": entry["regen"]["rel"], "abs_": entry["regen"]["abs"]}


@pytest.mark.slow
def test_same_seed_twice_gives_the_same_claims_on_cpu(build_dir):
    """The second chapter of this check (the first, data, is in the sweep test): a trained model's claims."""
    first = runner.run("skip", "smoke", {"device": "cpu"}, force=True)
    values = [c.ours for c in claims_mod.load(first.run.claims)]
    second = runner.run("skip", "smoke", {"device": "cpu"}, force=True)
    again = [c.ours for c in claims_mod.load(second.run.claims)]
    assert json.dumps(again) == json.dumps(values)  # as text: a NaN equals itself
