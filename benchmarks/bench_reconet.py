"""RecoNet on ML-1M (paper profile's network): training time per epoch, LRP explanations per second for every test
user in one batch, LIME seconds per explanation, and their ratio, measured in one run.

Also, per training batch of 1,024 examples, the three fast paths of a training step against what they replaced (in
the same run): the removal of extra features (distinct positions vs a random rank per feature, which sorts the
batch), the pooling's backward (one sparse product Sᵀg vs ``embedding_bag``'s own backward) and the output layer's
forward and backward with the loss (the weight's gradient as (xᵀg)ᵀ vs autograd's gᵀx).

Targets (issue): LIME / LRP time per explanation >= 10,000x (the paper reports 1,000x); batched LRP for every ML-1M
test user in under one second; RecoNet at most 5 min per extra seed in the paper profile. The last line is the floor
under that one: the output layer and its loss alone (one thread, a sweep worker's setting) times the batches of the
RecoNet epochs an extra seed trains, with the pooling, the example generation and every baseline free.
"""

import time

import numpy as np
import torch

from replicate import data, seed_everything, splits
from replicate.papers.reconet import explain, features, lime, lrp
from replicate.papers.reconet import train as reconet
from replicate.repro import torch_threads

TARGET_RATIO = 10_000
TARGET_SECONDS = 1.0
TARGET_SEED_MINUTES = 5.0
# RecoNet epochs one extra seed of the paper profile trains (notebooks/reconet.py, the search's choices given): Table
# 1's four RecoNet rows, the ablation keeping the label's genres, the learning curves' continuation of the two rows
# with and without attributes (twice the budget: one budget more each) and cold start, each the budget's epochs. Cold
# start trains without its cold users' rows, about 10 % fewer batches, counted here as full (0.4 % of the total).
EXTRA_SEED_RUNS = {"Table 1": 4, "ablation": 1, "learning curves": 2, "cold start": 1}


def main():
    seed_everything(0)
    ds = data.load("ml-1m")
    split = splits.per_user_split(ds, min_rating=3, seed=0)
    space = features.feature_space(ds, split, attributes=True)
    trained = reconet.train(space, split.train, reconet.RecoNetConfig(dim=64, epochs=1), progress=False)
    model = trained.model
    profiles, exclude = explain.ranking_inputs(space, split)
    lrp.explain_top(model, profiles[:64], exclude[:64])  # warm-up
    start = time.perf_counter()
    targets, _, _ = lrp.explain_top(model, profiles, exclude)
    lrp_all = time.perf_counter() - start
    rows = np.random.default_rng(0).choice(len(targets), size=5, replace=False)
    torch.manual_seed(0)
    _, lime_each = lime.seconds_per_explanation(model, profiles[rows], targets[rows], n_samples=2000)
    per_user = lrp_all / len(targets)
    ratio = lime_each / per_user
    print(f"training: {trained.seconds_per_epoch:.1f} s per epoch ({split.train.nnz:,} examples, dim 64)")
    print(
        f"LRP: all {len(targets):,} test users (recommend + explain) in {lrp_all:.3f} s = "
        f"{len(targets) / lrp_all:,.0f} explanations/s; "
        f"time / target ({TARGET_SECONDS:.0f} s) = {lrp_all / TARGET_SECONDS:.2f}"
    )
    print(f"LIME (captum, 2,000 samples): {lime_each:.3f} s per explanation")
    print(f"LIME / LRP per explanation: {ratio:,.0f}x; ratio / target ({TARGET_RATIO:,}x) = {ratio / TARGET_RATIO:.2f}")
    output_seconds = training_step(space, split, model)
    print(floor_line(split.train.nnz, output_seconds)[1])


def _per_call(fn, repeats: int = 30) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def floor_line(examples: int, output_seconds: float) -> tuple[float, str]:
    """Seconds of the output layer and loss alone over the batches of an extra seed's RecoNet epochs (``examples``
    training positives per epoch, ``output_seconds`` per batch), and the line that says so against the target."""
    config = reconet.Config()  # the paper profile's dim, epochs and batch
    epochs = config.epochs * sum(EXTRA_SEED_RUNS.values())
    batches = epochs * int(np.ceil(examples / config.batch))
    minutes = batches * output_seconds / 60
    runs = ", ".join(f"{name} {n} x {config.epochs}" for name, n in EXTRA_SEED_RUNS.items())
    return batches * output_seconds, (
        f"floor: an extra seed trains {epochs} RecoNet epochs ({runs}) = {batches:,} batches of {config.batch:,}; the "
        f"output layer and loss alone take {1e3 * output_seconds:.1f} ms per batch on one thread here, {minutes:.1f} "
        f"min per seed with everything else free, against the target's {TARGET_SEED_MINUTES:.0f} min "
        f"({minutes / TARGET_SEED_MINUTES:.2f}x)"
    )


def baseline_products(split, seed: int = 1) -> tuple[float, list[str]]:
    """Seconds inside the dense products (:class:`~benchmarks.bench_floors.ProductClock`, one thread) of the full
    trainings of Table 1's trained baselines in an extra seed, without and with attributes where the method uses
    them, at seed 0's chosen configurations (``<BENCH_FROM>/paper/choices/reconet.json``; the first of each grid
    where there is none) and the paper profile's epochs; and one part per fit."""
    import json
    import os
    from pathlib import Path

    from benchmarks.bench_floors import ProductClock
    from replicate import baselines, paths
    from replicate.core.chapter import choices_file
    from replicate.papers.reconet import table1 as t1

    build = Path(os.environ.get("BENCH_FROM") or paths.REPO / "build")
    stored = choices_file(build / "paper", "reconet")
    chosen = json.loads(stored.read_text()).get("table1", {}).get("configs", {}) if stored.is_file() else {}
    budget = t1.Budget(reconet=reconet.Config())
    ds = data.load("ml-1m")
    spaces = {a: features.feature_space(ds, split, attributes=a) for a in (False, True)}
    total, parts = 0.0, []
    for name, key in t1.BASELINE_KEYS.items():
        cls = baselines.METHODS[key]
        epochs = budget.full_epochs(cls.DEFAULT_EPOCHS)
        if epochs is None:
            continue  # closed form: no training
        for attributes in (False, True) if cls.uses_attributes else (False,):
            config = chosen.get(t1.row_key(name, attributes), cls.GRID[0])
            fit = t1.baseline_fitter(key, spaces[attributes], split.train, attributes, seed, "cpu")
            with torch_threads(1), ProductClock() as clock:
                fit(dict(config), epochs)
            total += clock.seconds
            parts.append(f"{name} {'with' if attributes else 'without'} {clock.seconds:.1f} s")
    return total, parts


def floor() -> tuple[float, str]:
    """The float32 floor of one extra seed of the paper profile: every matrix product of one real RecoNet training
    epoch at the paper's sizes (:func:`benchmarks.bench_steps.reconet`: with attributes, every ML-1M user, batches
    of 1,024; the output layer, the pooling's sparse backward; timed by
    :class:`~benchmarks.bench_floors.ProductClock` on one thread), times the RecoNet epochs an extra seed trains
    (``EXTRA_SEED_RUNS``; RecoNet + Layer's hidden layer counted as RecoNet's), plus the products of Table 1's
    baseline trainings (:func:`baseline_products`); the example generation, the softmax, evaluation, LRP, LIME and
    the cold-start baselines' trainings free."""
    from benchmarks.bench_floors import ProductClock
    from benchmarks.bench_steps import reconet as one_epoch

    ds = data.load("ml-1m")
    split = splits.per_user_split(ds, min_rating=3, seed=1)
    config = reconet.Config()
    _, epoch = one_epoch()
    with torch_threads(1), ProductClock() as clock:
        epoch()
    epochs = config.epochs * sum(EXTRA_SEED_RUNS.values())
    seconds = epochs * clock.seconds
    trained, parts = baseline_products(split)
    return seconds + trained, (
        f"products of a RecoNet epoch ({int(np.ceil(split.train.nnz / config.batch)):,} batches of {config.batch:,}, "
        f"{clock.seconds:.1f} s) x {epochs} epochs ({seconds:.1f} s); Table 1's baseline trainings' products "
        f"{trained:.1f} s ({', '.join(parts)})"
    )


def training_step(space, split, model) -> float:
    """Times the fast paths of a training step against what they replaced; returns the output layer and loss's
    forward + backward per batch on one thread (seconds)."""
    generator = features.ExampleGenerator(space, split.train, beta=1.0)
    rng = np.random.default_rng(0)
    columns, offsets, _ = generator.sparse_batch(rng, generator.pairs[rng.permutation(len(generator.pairs))[:1024]])
    owner = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    present = np.diff(offsets)
    extra = features.extra_removals(rng, len(present), 1.0, limit=np.maximum(present - 1, 0))
    ranked = _per_call(lambda: np.argsort(owner + rng.random(len(owner))))
    drawn = _per_call(lambda: features.distinct_positions(rng, present[extra > 0], extra[extra > 0]))
    print(
        f"removal of extra features, per batch: random rank (argsort) {ranked * 1e3:.2f} ms, "
        f"distinct positions {drawn * 1e3:.2f} ms ({ranked / drawn:.1f}x)"
    )
    gradient = torch.randn(len(present), model.dim)

    def autograd_bag():
        table = model.Q.detach().T.contiguous().requires_grad_(True)
        pooled = torch.nn.functional.embedding_bag(
            torch.from_numpy(columns), table, torch.from_numpy(offsets), mode="mean", include_last_offset=True
        )
        pooled.backward(gradient)

    def sparse_bag():
        model.zero_grad()
        model.pool_bags(columns, offsets).backward(gradient)

    plain, fast = _per_call(autograd_bag), _per_call(sparse_bag)
    print(
        f"pooling forward + backward, per batch: embedding_bag's autograd {plain * 1e3:.2f} ms, "
        f"sparse Sᵀg {fast * 1e3:.2f} ms ({plain / fast:.1f}x)"
    )
    x = torch.randn(len(present), model.dim)
    labels = torch.from_numpy(rng.integers(0, model.n_items, len(present)))

    def output_step(layer):
        inputs = x.clone().requires_grad_(True)
        model.zero_grad()
        torch.nn.functional.cross_entropy(layer(inputs), labels).backward()

    fast_by_threads = {}
    for threads in sorted({1, torch.get_num_threads()}):  # one thread: a sweep worker's setting
        with torch_threads(threads):
            plain = _per_call(lambda: output_step(model.W))
            fast = _per_call(lambda: output_step(model.head))
        fast_by_threads[threads] = fast
        print(
            f"output layer and loss, forward + backward, per batch, {threads} torch thread(s): autograd's "
            f"{plain * 1e3:.2f} ms, (xᵀg)ᵀ {fast * 1e3:.2f} ms ({plain / fast:.2f}x)"
        )
    return fast_by_threads[1]
