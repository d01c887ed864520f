"""Skip prediction: where the paper profile's time goes, measured in one run.

1. Training throughput of the plain and the interpretable transformer at the `paper` profile's sizes (plain: width 64,
   4 heads; interpretable: 9 experts of 12 units, 2 heads each; 2 encoder + 2 decoder blocks), the same 3,000
   generated sessions, batches of 256, one intra-op thread (the chapter's setting). One warm-up batch, then one
   timed epoch each; the interpretable model's masked matrices are dense (9 x 12 = 108 units wide), so it is
   expected to be a few times slower per session.
2. The toy problems: training steps per second of the generalised EM and of the sequential residual training
   (slide 13's naive approach) on the mixture toy, and the steps each needs to reach the accuracy target of the
   chapter's `fast_em_speedup` row.
3. The stages of a paper-profile run, when one exists (``build/paper/skip/``): papermill's duration of each code cell,
   the largest first, and the share of the largest.
"""

import json
import time

import torch

from replicate import paths, seed_everything
from replicate.papers.skip import measure, sources, train
from replicate.papers.skip import toys as synthetic
from replicate.repro import torch_threads

SETTINGS = train.ModelSettings(d_model=64, d_expert=12, heads=4, expert_heads=2, layers=2)
TOY_STEPS = 1500


def build(kind: str, sessions, subsets=None):
    """A transformer of ``kind`` at the paper profile's sizes (:data:`SETTINGS`)."""
    sizes = dict(d_model=SETTINGS.d_model, d_expert=SETTINGS.d_expert, heads=SETTINGS.heads)
    extra = {} if subsets is None else {"subsets": subsets}
    return train.build(kind, sessions, **sizes, expert_heads=SETTINGS.expert_heads, layers=SETTINGS.layers, **extra)


def transformers():
    seed_everything(0)
    train_, valid, _ = sources.synthetic_sessions(3000, seed=0)
    config = train.Config(epochs=1, batch_size=256, lr=3e-3, progress=False)
    rates = {}
    with torch_threads(config.threads):
        for kind in train.KINDS:
            seed_everything(0)
            model = build(kind, train_)
            warm = train_.take(range(256))
            train.train(model, warm, valid.take(range(8)), config)  # warm-up: allocations, first-call overheads
            history = train.train(model, train_, valid, config)
            rates[kind] = history.throughput
            print(
                f"{train.MODEL_NAMES[kind]}: {model.n_parameters():,} parameters, {model.n_experts} expert(s), "
                f"{history.throughput:,.0f} training sessions/s ({history.seconds[0]:.1f} s for {len(train_):,})"
            )
    print(
        f"threads: {torch.get_num_threads()} (training used {config.threads}); "
        f"interpretable / plain time per session = {rates['plain'] / rates['interpretable']:.1f}x"
    )


def toys():
    toy = synthetic.toy("mixture")
    target = measure.fast_target("mixture")
    for algorithm in train.ALGORITHMS:
        start = time.perf_counter()
        result = train.fit_toy(toy, steps=TOY_STEPS, algorithm=algorithm, eval_every=25, progress=False)
        wall = time.perf_counter() - start
        print(
            f"toy mixture, {algorithm}: {len(result.loss) / result.seconds:,.0f} steps/s, "
            f"{result.steps_to(target):g} steps to accuracy {target:.4f} (of {len(result.loss):,}), "
            f"final accuracy {result.accuracy:.3f}, {wall:.1f} s with evaluations"
        )


def stages():
    notebook = paths.REPO / "build" / "paper" / "skip" / "skip.ipynb"
    if not notebook.is_file():
        print(f"no paper-profile run at {notebook}: `python -m replicate run skip --profile paper` first")
        return
    cells = json.loads(notebook.read_text())["cells"]
    timed = [
        (c.get("metadata", {}).get("papermill", {}).get("duration") or 0.0, "".join(c["source"]).splitlines()[0][:70])
        for c in cells
        if c["cell_type"] == "code"
    ]
    total = sum(t for t, _ in timed)
    print(f"paper profile: {total / 60:.1f} min of cell time")
    for seconds, first in sorted(timed, reverse=True)[:6]:
        print(f"  {seconds:6.1f} s ({seconds / total:4.0%})  {first}")


def main():
    stages()
    toys()
    transformers()


# What one extra seed of the paper profile trains (notebooks/skip.py): the plain and the interpretable transformer on
# the generated sessions and on ML-1M's (12,000 training sessions each at most), and the interpretable one again on the
# generated sessions without the first subset (the ablation), each for the profile's epochs of batches of 256, with a
# validation pass per epoch and one test pass; the toys: each of the three for 15,000 steps, and on the mixture the
# ablations' EM, ungated and sequential runs (3,000 steps each, the sequential run's last stage counted only, its
# earlier stages stop early) and the joint null (stops at the target: counted as none). The untrained nulls train none.
PAPER_EPOCHS, PAPER_SESSIONS, PAPER_ML_TRAIN, PAPER_ML_EVAL = 8, 12_000, 12_000, 2_000
TOY_PAPER_STEPS, TOY_ABLATION_STEPS, TOY_ABLATION_RUNS = 15_000, 3_000, 3


def floor() -> tuple[float, str]:
    """The float32 floor of one extra seed of the paper profile: the dense products (the ``aten::mm`` family timed by
    :class:`~benchmarks.bench_floors.ProductClock`, one thread) of one training step of each transformer the seed trains
    and of each toy, at the paper's sizes, times the steps the notebook runs, plus the products of the validation and
    test forward passes; the session encoding, attention's softmax, the EM responsibilities, Adam and every measurement
    free."""
    import math

    import numpy as np

    from benchmarks.bench_floors import product_seconds
    from replicate.papers.skip.moe import AttributionMoE

    config = train.Config(epochs=PAPER_EPOCHS, batch_size=256, lr=3e-3)
    generated = sources.synthetic_sessions(PAPER_SESSIONS, seed=1, noise=0.05)
    ml = sources.ml1m(seed=1, n_train=PAPER_ML_TRAIN, n_eval=PAPER_ML_EVAL)
    runs = [
        ("generated", generated, train.KINDS, train.SKIP_SUBSETS),
        ("ML-1M", ml, train.KINDS, train.SKIP_SUBSETS),
        ("ablation", generated, ("interpretable",), train.SKIP_SUBSETS[1:]),
    ]
    transformers, parts = 0.0, []
    with torch_threads(1):
        for name, (train_, valid, test), kinds, subsets in runs:
            for kind in kinds:
                seed_everything(1)
                model = build(kind, train_, subsets)
                left, right, lm, rm, y = train._tensors(train_.take(range(config.batch_size)), "cpu")
                evaluation = train._tensors(valid.take(range(min(len(valid), 1024))), "cpu")

                def step(model=model, left=left, right=right, lm=lm, rm=rm, y=y):
                    model.train()
                    model.zero_grad()
                    model.loss(model(left, right, lm, rm), y, rm).backward()

                def forward(model=model, evaluation=evaluation):
                    model.eval()
                    with torch.no_grad():
                        model(*evaluation[:4])

                per_step = product_seconds(step)
                per_row = product_seconds(forward) / len(evaluation[0])
                batches = math.ceil(len(train_) / config.batch_size)
                seconds = config.epochs * (batches * per_step + len(valid) * per_row) + len(test) * per_row
                transformers += seconds
                parts.append(f"{name} {kind} {seconds:.1f} s")
        toys = 0.0
        for name in synthetic.TOYS:
            toy = synthetic.toy(name)
            torch.manual_seed(1)
            model = AttributionMoE(toy.subsets, toy.group_sizes, hidden=(toy.hidden, toy.hidden))
            X, y, _ = toy.sample(256, np.random.default_rng(1))
            X, y = torch.from_numpy(X), torch.from_numpy(y)

            def toy_step(model=model, X=X, y=y):
                model.train()
                model.zero_grad()
                model.loss(X, y).backward()

            steps = TOY_PAPER_STEPS + (TOY_ABLATION_RUNS * TOY_ABLATION_STEPS if name == "mixture" else 0)
            toys += steps * product_seconds(toy_step, repeats=20)
    return transformers + toys, (
        f"products of {PAPER_EPOCHS} epochs of batches of 256 per transformer ({', '.join(parts)}) and of the toys' "
        f"{len(synthetic.TOYS) * TOY_PAPER_STEPS + TOY_ABLATION_RUNS * TOY_ABLATION_STEPS:,} steps ({toys:.1f} s)"
    )
