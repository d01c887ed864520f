"""``python -m replicate sweep``: one papermill job per (chapter, seed), as tasks of ``dask.distributed``.

By default the jobs run on a ``LocalCluster`` of this machine: as many one-thread worker processes as cores, each
job's kernel limited to one torch thread (``OMP_NUM_THREADS=1``), so that two jobs on two cores do not fight for
them. Given ``--scheduler tcp://host:8786``, the same jobs run on any existing Dask cluster (a Slurm cluster through
dask-jobqueue, a Kubernetes Dask deployment...); its workers need this repository and its environment at the same
path, and the build folder on a shared file system.

Every job is :func:`replicate.core.runner.run`, which writes ``build/<profile>/<stem>/seed-<k>/`` through a
temporary folder renamed when complete, so that a killed job leaves nothing half-written. A job whose worker dies is
run again (``retries``, once by default); a job whose notebook fails reports its cell and error without stopping the
others. One line is printed per finished job, and a total.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from replicate.errors import ParameterError, ReplicateError
from replicate.repro import environment

MAX_SEEDS = 20  # a sweep of more seeds than this is asked for explicitly (--allow-many-seeds)
SEEDS_FORM = "a seed (3), a range (0-4) or a list (0,2,5) of non-negative integers"
# A job sets this process's environment and file descriptor 2 for its kernel (runner.run): on a worker with several
# threads, two jobs at once would hand each other their output folders, so a worker process runs one job at a time.
_ONE_JOB = threading.Lock()
# Dask's nanny starts every worker with MALLOC_TRIM_THRESHOLD_=65536 (``distributed.nanny.pre-spawn-environ``), and a
# kernel would inherit it. Setting it turns off glibc's sliding mmap threshold, so that every tensor over 128 kB is a
# fresh mmap whose pages fault in one by one: measured here, a C-VAE training step 147 ms against 94 ms, and EMDE's
# paper profile 173 s in a sweep against 131 s alone, with the system time of a run 59 s against 26 s.
_NOT_FOR_KERNELS = ("MALLOC_TRIM_THRESHOLD_",)
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def job_environment():
    """The environment a job's kernel inherits (a context manager, :func:`replicate.repro.environment`):
    ``REPLICATE_JOB_THREADS`` (default 1) threads for torch, MKL and OpenBLAS alike, and glibc's allocator with its
    default settings (see ``_NOT_FOR_KERNELS``). The worker's own environment is restored afterwards."""
    threads = os.environ.get("REPLICATE_JOB_THREADS", "1")
    return environment({**{key: threads for key in _THREAD_VARIABLES}, **{key: None for key in _NOT_FOR_KERNELS}})


def parse_seeds(text: str, allow_many: bool = False) -> list[int]:
    """``"0-4"`` -> [0, 1, 2, 3, 4]; ``"0,2,5"`` -> [0, 2, 5]; ``"3"`` -> [3]. Anything else names the valid form.
    More than :data:`MAX_SEEDS` seeds (each a run of every chapter) need ``allow_many`` (``--allow-many-seeds``)."""
    ranges = []
    for part in str(text).replace(" ", "").split(","):
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            raise ParameterError(f"bad seeds {text!r}: give {SEEDS_FORM}")
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) is not None else low
        if high < low:
            raise ParameterError(f"bad seed range {part!r} (it runs backwards): give {SEEDS_FORM}, e.g. {high}-{low}")
        ranges.append((low, high))
    count = sum(high - low + 1 for low, high in ranges)  # counted before any list is made
    if count > MAX_SEEDS and not allow_many:
        raise ParameterError(
            f"{text!r} asks for {count:,} seeds, each a run of every chapter named: at most {MAX_SEEDS} without "
            f"--allow-many-seeds (give e.g. --seeds 0-4)"
        )
    return list(dict.fromkeys(s for low, high in ranges for s in range(low, high + 1)))


@dataclass
class Job:
    chapter: str
    seed: int
    ok: bool
    ran: bool = False
    seconds: float = 0.0
    error: str = ""
    attempts: int = 1


@dataclass
class SweepResult:
    jobs: list[Job] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Job]:
        return [j for j in self.jobs if not j.ok]


def run_job(
    chapter: str, seed: int, profile: str, force: bool = False, params: dict | None = None, after: Job | None = None
) -> Job:
    """One (chapter, seed) job, in whatever process runs it. A notebook that fails is reported, not raised: running
    it again would fail again. Anything else (a worker killed mid-run) propagates, so that Dask retries the job.
    ``chapter``: its name or its notebook's path. ``after``: the chapter's seed-0 job, whose choices (searches) this
    seed reuses; passing it makes Dask wait."""
    from replicate.core import runner

    notebook, chapter = chapter, runner.notebook_path(chapter).stem

    if after is not None and not after.ok:
        return Job(chapter, seed, ok=False, error=f"seed {after.seed} of {chapter}, whose choices it reuses, failed")

    with _ONE_JOB, job_environment():
        started = time.perf_counter()
        try:
            result = runner.run(notebook, profile, {**(params or {}), "seed": seed}, force=force)
        except ReplicateError as error:
            return Job(chapter, seed, ok=False, seconds=time.perf_counter() - started, error=str(error))
        return Job(chapter, seed, ok=True, ran=result.ran, seconds=result.seconds)


def _recorded_seconds(name: str, profile: str) -> dict[int, float]:
    """Seconds of every finished run of ``name`` in ``profile`` by seed (from their ``stamp.json``)."""
    from replicate import paths

    out = {}
    for seed in paths.chapter_seeds(profile, name):
        try:
            out[seed] = float(json.loads(paths.Run(profile, name, seed).stamp.read_text())["seconds"])
        except (ValueError, OSError, KeyError, TypeError):
            continue
    return out


# The seconds of each (chapter, seed) of the last measured book, per profile, committed: what a fresh clone, whose
# build folder has no run yet, orders its first sweep by. ``python -m benchmarks book`` rewrites it from a build.
EXPECTED = Path(__file__).with_name("expected_seconds.json")


def _expected_seconds(name: str, profile: str) -> dict[int, float]:
    """Seconds by seed of ``name`` in ``profile`` from :data:`EXPECTED` (empty when absent)."""
    try:
        saved = json.loads(EXPECTED.read_text()).get(profile, {}).get(name, {})
        return {int(seed): float(seconds) for seed, seconds in saved.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def write_expected(profile: str, seconds: dict[str, dict[int, float]], path: Path | None = None) -> Path:
    """Replace ``profile``'s entry of the expected-seconds file with ``seconds`` (chapter -> seed -> seconds)."""
    from replicate import paths

    path = path or EXPECTED
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        saved = {}
    saved[profile] = {
        name: {str(s): round(v, 1) for s, v in sorted(by_seed.items())} for name, by_seed in seconds.items()
    }
    return paths.write_whole(path, json.dumps(saved, indent=1, sort_keys=True) + "\n")


def _cost(seed: int, name: str, profile: str | None = None) -> float:
    """The expected seconds of job (``name``, ``seed``): its own last run in ``profile`` (else any profile), else the
    mean of the chapter's other recorded seeds of the same kind (seed 0 searches, the others retrain), else of any
    seed; then the same from the committed times of the last measured book (:data:`EXPECTED`); 0 when none."""
    for source in (_recorded_seconds, _expected_seconds):
        for candidate in [profile] if profile else ["paper", "smoke"]:
            recorded = source(name, candidate)
            if not recorded:
                continue
            if seed in recorded:
                return recorded[seed]
            alike = [v for s, v in recorded.items() if (s == 0) == (seed == 0)] or list(recorded.values())
            return sum(alike) / len(alike)
    return 0.0


def queue(names: list[str], seeds: list[int], cost) -> list[tuple[str, int, int]]:
    """(chapter, seed, Dask priority) of every job, in priority order: longest expected path first. A chapter's seed
    0 counts its own expected time plus its longest other seed (they wait for its searches: the critical-path rule of
    list scheduling); any other seed its own (``cost(seed, name)``: seconds of the last run, 0 if never run). Among
    the jobs that are ready Dask starts the highest priority first, so every ready job, not only each seed 0, goes
    longest first; ties put seed 0 first, then the book's order. The priority is explicit because Dask, left alone,
    starts a task whose dependency just finished before one queued earlier."""
    others = {name: max((cost(s, name) for s in seeds if s != 0), default=0.0) for name in names}
    level = {(n, s): cost(s, n) + (others[n] if s == 0 else 0.0) for n in names for s in seeds}
    order = sorted(level, key=lambda job: (-level[job], job[1] != 0, names.index(job[0]), seeds.index(job[1])))
    return [(name, seed, len(order) - i) for i, (name, seed) in enumerate(order)]


def packing(jobs: list[tuple[str, int, float]], workers: int) -> tuple[float, float]:
    """(ideal packing, critical path) in seconds of a sweep's ``jobs`` (chapter, seed, seconds) on ``workers``: the
    work spread evenly, and the longest chain (a chapter's seed 0, then its longest other seed). A sweep's wall time
    can beat neither."""
    ideal = sum(seconds for *_, seconds in jobs) / max(1, workers)
    chains = {}
    for name, seed, seconds in jobs:
        first, rest = chains.get(name, (0.0, 0.0))
        chains[name] = (seconds, rest) if seed == 0 else (first, max(rest, seconds))
    return ideal, max((a + b for a, b in chains.values()), default=0.0)


SWEEP_RECORD = "sweep.json"  # build/<profile>/sweep.json: the last sweep's wall time, workers and jobs


def _record(profile: str, result: SweepResult, workers: int) -> None:
    """Write the sweep's wall time, workers and jobs to ``build/<profile>/sweep.json`` (what ``python -m benchmarks
    book`` compares with ideal packing and the critical path)."""
    from replicate import paths

    record = {
        "seconds": round(result.seconds, 2),
        "workers": workers,
        "jobs": [[j.chapter, j.seed, round(j.seconds, 2), j.ran, j.ok] for j in result.jobs],
    }
    path = paths.profile_dir(profile) / SWEEP_RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1) + "\n")


def _client(scheduler: str | None, workers: int | None):
    """A Dask client: on the given scheduler, else on a new LocalCluster of one-thread worker processes."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        if not re.fullmatch(r"(tcp|tls|inproc|ucx|ws|wss)://[^\s/]+(:\d+)?", scheduler):
            raise ParameterError(
                f"bad scheduler address {scheduler!r}: give the Dask scheduler's address, e.g. tcp://host:8786"
            )
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as error:
            raise ReplicateError(
                f"could not reach the Dask scheduler at {scheduler} ({type(error).__name__}: {error}); start it "
                f"(`dask scheduler`, dask-jobqueue, a Dask deployment) or leave --scheduler out to run on this machine"
            ) from None
    n = workers or os.cpu_count() or 1
    with dask.config.set({"distributed.worker.daemon": False}):  # workers start kernels: they must be able to fork
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


def sweep(
    chapters: list[str],
    seeds: list[int],
    profile: str = "smoke",
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    retries: int = 1,
    force: bool = False,
    params: dict | None = None,
    log=print,
) -> SweepResult:
    """Run every (chapter, seed) and return what happened to each; raises nothing for a failing notebook."""
    import dask
    from distributed import as_completed

    from replicate.core import runner
    from replicate.core.chapter import check_profile

    check_profile(profile)
    # unknown chapters fail here, before anything runs; a chapter named twice (emde, notebooks/emde.py) runs once
    notebooks: dict[str, str] = {}
    for chapter in chapters:
        path = runner.notebook_path(chapter)
        notebooks.setdefault(path.stem, str(path))
    names = list(notebooks)
    if not seeds:
        raise ParameterError(f"no seeds given: give {SEEDS_FORM}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ParameterError(f"bad --workers {workers!r}: give a positive number of worker processes, e.g. 2")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ParameterError(f"bad --retries {retries!r}: give how often a job whose worker died runs again, 0 or more")
    runner.check_build_root()
    for name in names:  # unknown parameters, devices, datasets and data folders too
        runner.resolve_parameters(runner.notebook_path(notebooks[name]), profile, {**(params or {}), "seed": seeds[0]})
    started = time.perf_counter()
    with dask.config.set({"distributed.scheduler.allowed-failures": retries}):
        client, cluster = _client(scheduler, workers)
        workers_used = len(client.scheduler_info().get("workers", {})) or workers or os.cpu_count() or 1
        try:
            futures, first = {}, {}
            for name, seed, priority in queue(names, seeds, lambda s, n: _cost(s, n, profile)):
                after = first.get(name) if seed != 0 else None
                future = client.submit(
                    run_job,
                    notebooks[name],
                    seed,
                    profile,
                    force,
                    params,
                    after,
                    key=f"{name}-seed-{seed}-{time.time_ns()}",
                    pure=False,
                    retries=retries,
                    priority=priority,
                )
                futures[future] = (name, seed)
                if seed == 0:
                    first[name] = future
            result = SweepResult()
            for future in as_completed(futures):
                name, seed = futures[future]
                try:
                    job = future.result()
                except Exception as error:  # the worker died more often than retries allow, or the task broke
                    job = Job(name, seed, ok=False, error=f"{type(error).__name__}: {error}")
                result.jobs.append(job)
                if job.ok:
                    state = f"ran in {job.seconds:.1f} s" if job.ran else "up to date"
                    log(f"{name} seed {seed} ({profile}): {state} [{len(result.jobs)}/{len(futures)}]")
                else:
                    first_line = job.error.splitlines()[0] if job.error else "no error recorded"
                    log(
                        f"{name} seed {seed} ({profile}): FAILED after {job.seconds:.1f} s: {first_line} "
                        f"[{len(result.jobs)}/{len(futures)}]"
                    )
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    result.seconds = time.perf_counter() - started
    result.jobs.sort(key=lambda j: (names.index(j.chapter), j.seed))
    _record(profile, result, workers_used)
    log(
        f"sweep: {len(result.jobs) - len(result.failed)} of {len(result.jobs)} jobs done in {result.seconds:.1f} s"
        + (f"; {len(result.failed)} failed" if result.failed else "")
    )
    return result
