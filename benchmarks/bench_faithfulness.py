"""The faithfulness chapter: where its time goes, stage by stage, on one profile's settings, measured in one run.

Stages, as ``notebooks/faithfulness.py`` runs them (the same functions, the same settings,
:data:`replicate.faithfulness.study.PROFILES`): data and split; training of each explained model; per model, each
explainer with its perturbation curves (the random floor's extra draws counted in ``random``); the randomisation
check; the EASE retraining check; the skip transformer's training and masking protocol (when the profile runs it).
Wall and process CPU seconds per stage, and the total against the profile's target (smoke: 90 s on two cores, the
CI budget; paper: 10 minutes per seed). Notebook overheads (kernel start, tables, figures, glue) come on top.

``python -m benchmarks faithfulness`` measures the smoke profile; ``REPLICATE_FAITHFULNESS_PROFILE=paper`` the
paper's. :func:`floor` (``python -m benchmarks floors``) is the float32 floor of one paper seed: the dense products
that the same stages execute, timed as they run on one thread.
"""

import os
import time

import numpy as np

from replicate import data, seed_everything, splits
from replicate.faithfulness import groups, study

TARGET_SECONDS = {"smoke": 90.0, "paper": 600.0}


class Clock:
    def __init__(self):
        self.rows = []

    def stage(self, name: str, fn):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        self.rows.append((name, time.perf_counter() - wall, time.process_time() - cpu))
        return out


def stages(profile: str, dataset: str = "ml-100k", seed: int = 0, device: str = "cpu"):
    """Every stage of one seed of ``profile``, as the notebook runs them: (clock, explained rows, training seconds,
    studies)."""
    settings = study.PROFILES[profile]
    seed_everything(seed)
    rng = np.random.default_rng(seed)
    clock = Clock()
    ds = clock.stage("data", lambda: data.load(dataset))
    split = clock.stage("split", lambda: splits.strong_generalization(ds, n_heldout=settings["heldout"], seed=seed))
    recs, train_seconds = clock.stage("training (all)", lambda: study.train_models(ds, split, settings, seed, device))
    pool = split.train.toarray()
    rows = study.explained_users(split.test_in, settings["users"], settings["min_items"], rng)
    history = split.test_in[rows].toarray()
    studies = {}
    for key, rec in recs.items():
        studies[key] = clock.stage(
            f"protocol {key}", lambda rec=rec: study.run(rec, history, settings, pool, pool.sum(axis=0), rng, device)
        )
    clock.stage(
        "randomisation (all)",
        lambda: [
            study.randomisation(studies[k], recs[k], seed + 1000, settings, pool, pool.sum(axis=0), device)
            for k in recs
        ],
    )
    clock.stage(
        "retraining (EASE)",
        lambda: study.retraining(studies["ease"], split.train, settings["l2"], settings["k"], recs["ease"]),
    )
    clock.stage(
        "retraining (RecoNet)",
        lambda: study.reconet_retraining(studies["reconet"], split, settings, recs["reconet"], seed, device),
    )
    if settings["skip"]:
        model, test = clock.stage(
            "skip: training",
            lambda: groups.train_skip(
                settings["skip_sessions"],
                settings["skip_test"],
                settings["skip_epochs"],
                study.SKIP_MODEL,
                seed,
                device,
            ),
        )
        clock.stage("skip: masking protocol", lambda: groups.run(model, test, rng, device))
    return clock, rows, train_seconds, studies


def floor() -> tuple[float, str]:
    """The float32 floor of one seed of the paper profile: the seconds inside the dense products (the
    ``aten::mm`` family, timed as they run by :class:`~benchmarks.bench_floors.ProductClock`) that every stage of
    :func:`stages` executes, on one torch thread. The chapter trains and explains small models, so this floor is what
    the seed's arithmetic cannot go below with the same explainers, users, samples and steps; everything around the
    products (captum's bookkeeping, sampling, sorting, scoring loops) counts as overhead."""
    from benchmarks.bench_floors import ProductClock
    from replicate.repro import torch_threads

    with torch_threads(1), ProductClock() as products:
        clock, rows, *_ = stages("paper", seed=1)
    wall = sum(w for _, w, _ in clock.rows)
    return products.seconds, f"products of one paper seed's stages, timed as they ran ({wall:.0f} s of wall in all)"


def main(profile: str | None = None, dataset: str = "ml-100k", seed: int = 0, device: str = "cpu"):
    profile = profile or os.environ.get("REPLICATE_FAITHFULNESS_PROFILE", "smoke")
    clock, rows, train_seconds, studies = stages(profile, dataset, seed, device)
    print(f"profile {profile}, {dataset}, {len(rows)} explained users, {os.cpu_count()} CPUs")
    for name, wall, cpu in clock.rows:
        print(f"{name:<28} {wall:7.1f} s wall {cpu:7.1f} s CPU")
        if name == "training (all)":
            for key, seconds in train_seconds.items():
                print(f"  {key:<26} {seconds:7.1f} s wall")
        if name.startswith("protocol "):
            for explainer, seconds in studies[name.split()[1]].seconds.items():
                print(f"  {explainer:<26} {seconds:7.1f} s wall")
    total = sum(wall for _, wall, _ in clock.rows)
    cpu = sum(c for _, _, c in clock.rows)
    target = TARGET_SECONDS[profile]
    print(f"total {total:.1f} s wall, {cpu:.1f} s CPU; time / target ({target:.0f} s) = {total / target:.2f}")


if __name__ == "__main__":
    main()
